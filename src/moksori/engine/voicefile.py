"""The ``.voice`` file: one portable zip holding everything needed to speak with a trained voice.

Members:

- ``config.json``: format name and version, the acoustic model config (``model``), the WORLD feature
  settings (``features``) and the language;
- ``weights.safetensors``: the model's state_dict (normalisation statistics included);
- ``phones.json``: the phone set, in the order of the model's phone ids;
- ``card.json``: the voice card shown to people (name, language, data, training time, evaluation…);
- since format 1.1, optionally the hybrid back-end's unit index (``moksori.engine.units``): its tables in
  ``units.safetensors`` and its WORLD frames in ``unit_frames.f16`` (float16 [F, D], stored uncompressed
  so that a loaded voice reads only the rows a sentence needs, ``units.StoredFrames``, instead of holding
  them all in memory). ``config.json`` then has ``units`` with the frames' shape.

``load`` refuses anything it cannot trust with a ``VoiceFileError`` that says why in plain words.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as load_safetensors
from safetensors.numpy import save as save_safetensors

from moksori.engine import features
from moksori.engine.units import StoredFrames, UnitIndex
from moksori.files import atomic_write

if TYPE_CHECKING:
    import torch

FORMAT_NAME = "moksori-voice"
# major.minor: a newer minor version adds fields older readers may ignore; a newer major cannot be read.
FORMAT_VERSION = "1.1"  # 1.1: optional unit index
MEMBERS = ("config.json", "weights.safetensors", "phones.json", "card.json")
ALIGNER_MEMBER = "aligner.safetensors"  # optional: only continued training reads it
UNIT_TABLES, UNIT_FRAMES = "units.safetensors", "unit_frames.f16"
UNIT_DTYPE = np.float16


class VoiceFileError(ValueError):
    """A ``.voice`` file that cannot be used; the message says why."""


@dataclass
class VoiceFile:
    """The decoded contents of a ``.voice`` file."""

    config: dict[str, Any]
    state_dict: dict[str, np.ndarray]  # numpy, so that speaking needs no torch
    phone_set: list[str]
    card: dict[str, Any]
    units: UnitIndex | None = None  # the hybrid back-end's units (voices made before format 1.1 have none)


def feature_settings(sample_rate: int) -> dict[str, Any]:
    """The WORLD settings a voice was trained with; synthesis must use the same ones."""
    return {
        "sample_rate": sample_rate,
        "frame_period_ms": features.FRAME_PERIOD_MS,
        "mcep_dim": features.MCEP_DIM,
        "bap_dim": features.bap_dim(sample_rate),
        "f0_floor": features.F0_FLOOR,
        "f0_ceil": features.F0_CEIL,
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moksori")
    except PackageNotFoundError:
        return "unknown"


def _as_array(name: str, value: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return np.require(value, requirements="C")  # not ascontiguousarray: it makes scalars 1-d
    # A torch tensor can only exist once torch is imported, so there is no need to import it here.
    loaded_torch = sys.modules.get("torch")
    if loaded_torch is not None and isinstance(value, loaded_torch.Tensor):
        return value.detach().cpu().contiguous().numpy()
    raise TypeError(f"weight {name!r} is a {type(value).__name__}, not a tensor or array")


def save(
    path: str | os.PathLike,
    config: dict[str, Any],
    state_dict: Mapping[str, torch.Tensor | np.ndarray],
    phone_set: list[str],
    card: dict[str, Any],
    units: UnitIndex | None = None,
    aligner: Mapping[str, torch.Tensor | np.ndarray] | None = None,
) -> Path:
    """Write a ``.voice`` file atomically (temp file in the same folder, fsync, rename).

    ``config`` holds ``model`` (the acoustic model config as a dict) and ``language``; it may hold
    ``features`` (defaults to ``feature_settings`` at the model's sample rate). The format name and
    version are added here, and the card gets ``created`` and ``moksori_version`` when missing.
    ``units``, when given, are stored for the hybrid back-end.
    ``aligner`` (optional) is the text-to-audio aligner's state_dict, kept so training can continue from
    the voice (``moksori train --from``); speaking never reads it.
    """
    from moksori.audio import ENGINE_SAMPLE_RATE

    if "model" not in config or "language" not in config:
        raise ValueError("config needs 'model' (acoustic model config) and 'language'")
    full_config = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "features": feature_settings(config["model"].get("sample_rate", ENGINE_SAMPLE_RATE)),
        **{key: value for key, value in config.items() if key not in ("format", "format_version", "units")},
    }
    if units is not None:
        full_config["units"] = {"frames": list(units.frames.shape), "dtype": np.dtype(UNIT_DTYPE).name}
    full_card = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "moksori_version": _version(),
        "language": config["language"],
        **card,
    }
    tensors = {name: _as_array(name, value) for name, value in state_dict.items()}
    target = Path(path)
    # Readable like any document the owner saves: a voice file is meant to be exported and shared.
    with atomic_write(target, permissions=0o644) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps(full_config, indent=2, ensure_ascii=False))
        # Float weights barely compress; storing them keeps loading fast.
        archive.writestr("weights.safetensors", save_safetensors(tensors), zipfile.ZIP_STORED)
        archive.writestr("phones.json", json.dumps(list(phone_set), ensure_ascii=False))
        archive.writestr("card.json", json.dumps(full_card, indent=2, ensure_ascii=False))
        if units is not None:
            archive.writestr(UNIT_TABLES, save_safetensors(units.tables()))
            frames = np.ascontiguousarray(units.frames, dtype=UNIT_DTYPE)
            archive.writestr(UNIT_FRAMES, frames.tobytes(), zipfile.ZIP_STORED)
        if aligner is not None:
            aligner_tensors = {name: _as_array(name, value) for name, value in aligner.items()}
            archive.writestr(ALIGNER_MEMBER, save_safetensors(aligner_tensors), zipfile.ZIP_STORED)
    return target


def _read_members(path: Path, wanted: tuple[str, ...] = MEMBERS) -> dict[str, bytes]:
    name = path.name
    if not path.is_file():
        raise VoiceFileError(f"{name}: no such voice file")
    try:
        with zipfile.ZipFile(path) as archive:
            present = set(archive.namelist())
            missing = [member for member in MEMBERS if member not in present]
            if missing:
                raise VoiceFileError(f"{name} is not a Moksori voice: it lacks {', '.join(missing)}")
            return {member: archive.read(member) for member in wanted}
    except zipfile.BadZipFile as error:
        # Raised for non-zips, truncated files and CRC mismatches alike.
        raise VoiceFileError(f"{name} is damaged or not a voice file ({error})") from error
    except (OSError, EOFError, zipfile.LargeZipFile) as error:
        raise VoiceFileError(f"{name} cannot be read ({error})") from error


def _json(name: str, member: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VoiceFileError(f"{name}: {member} is not valid JSON ({error})") from error


def _check_config(name: str, config: Any) -> None:
    if not isinstance(config, dict) or config.get("format") != FORMAT_NAME:
        found = config.get("format") if isinstance(config, dict) else type(config).__name__
        raise VoiceFileError(f"{name} is not a Moksori voice (format {found!r}, expected {FORMAT_NAME!r})")
    version = str(config.get("format_version", ""))
    try:
        major = int(version.split(".")[0])
    except ValueError:
        raise VoiceFileError(f"{name}: unreadable format version {version!r}") from None
    if major > int(FORMAT_VERSION.split(".")[0]):
        raise VoiceFileError(
            f"{name} was written by a newer Moksori (voice format {version}); "
            f"this version reads format {FORMAT_VERSION} and older: please update Moksori"
        )
    for key in ("model", "features", "language"):
        if key not in config:
            raise VoiceFileError(f"{name}: config.json lacks '{key}'")


def load(path: str | os.PathLike) -> VoiceFile:
    """Read and check a ``.voice`` file; raises ``VoiceFileError`` for anything unusable.

    Weight shapes are checked against the model config by ``Voice.load``, which builds the model.
    """
    path = Path(path)
    name = path.name
    members = _read_members(path)
    config = _json(name, "config.json", members["config.json"])
    _check_config(name, config)
    phone_set = _json(name, "phones.json", members["phones.json"])
    if not isinstance(phone_set, list) or not all(isinstance(phone, str) for phone in phone_set):
        raise VoiceFileError(f"{name}: phones.json is not a list of phone symbols")
    card = _json(name, "card.json", members["card.json"])
    if not isinstance(card, dict):
        raise VoiceFileError(f"{name}: card.json is not an object")
    try:
        state_dict = load_safetensors(members["weights.safetensors"])
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise VoiceFileError(f"{name}: the weights are damaged ({error})") from error
    units = _load_units(path, config["units"]) if "units" in config else None
    return VoiceFile(config=config, state_dict=state_dict, phone_set=phone_set, card=card, units=units)


def _load_units(path: Path, layout: Any) -> UnitIndex:
    """The unit index: tables read, frames left in the file to be read as needed (after checking their CRC
    in pieces)."""
    name = path.name
    try:
        shape = tuple(int(n) for n in layout["frames"])
        if len(shape) != 2 or layout.get("dtype") != np.dtype(UNIT_DTYPE).name:
            raise ValueError(f"unsupported layout {layout}")
        with zipfile.ZipFile(path) as archive:
            tables = load_safetensors(archive.read(UNIT_TABLES))
            info = archive.getinfo(UNIT_FRAMES)
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != math.prod(shape) * 2:
                raise ValueError(f"{UNIT_FRAMES} is compressed or not {shape} float16 values")
            with archive.open(info) as member:  # reading to the end checks the CRC
                while member.read(1 << 20):
                    pass
        if shape[0] == 0:
            frames = np.zeros(shape, dtype=UNIT_DTYPE)
        else:
            with open(path, "rb") as raw:
                raw.seek(info.header_offset)
                header = raw.read(30)
            if header[:4] != b"PK\x03\x04":
                raise ValueError(f"no local header for {UNIT_FRAMES}")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            offset = info.header_offset + 30 + name_length + extra_length
            frames = StoredFrames(path, offset, shape, UNIT_DTYPE)
        return UnitIndex.from_tables(tables, frames)
    except KeyError as error:
        raise VoiceFileError(f"{name}: the recorded units are incomplete ({error} is missing)") from error
    except (zipfile.BadZipFile, SafetensorError, ValueError, TypeError, OSError) as error:
        raise VoiceFileError(f"{name}: the recorded units are damaged ({error})") from error


def read_card(path: str | os.PathLike) -> dict[str, Any]:
    """Just the voice card, without loading the weights (for listing voices)."""
    path = Path(path)
    members = _read_members(path, ("config.json", "card.json"))
    _check_config(path.name, _json(path.name, "config.json", members["config.json"]))
    card = _json(path.name, "card.json", members["card.json"])
    return card if isinstance(card, dict) else {}


def load_aligner(path: str | os.PathLike) -> dict[str, np.ndarray] | None:
    """The aligner weights a voice was saved with, or None for a voice saved without them."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            if ALIGNER_MEMBER not in archive.namelist():
                return None
            data = archive.read(ALIGNER_MEMBER)
        return load_safetensors(data)
    except (zipfile.BadZipFile, OSError, SafetensorError, ValueError, RuntimeError) as error:
        raise VoiceFileError(f"{path.name}: the aligner weights are damaged ({error})") from error
