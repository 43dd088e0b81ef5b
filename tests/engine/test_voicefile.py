"""The .voice file: round trip, and clear refusals of damaged, truncated or foreign files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from moksori.engine import voicefile
from moksori.engine.voicefile import VoiceFileError

CONFIG = {"model": {"n_phones": 5, "channels": 4}, "language": "ko"}
PHONES = ["<pad>", "a", "b", "c", "d"]


def _state_dict() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {
        "embedding.weight": torch.randn(5, 4, generator=generator),
        "feat_mean": torch.randn(3, generator=generator),
        "energy_mean": torch.tensor(-3.5),
    }


@pytest.fixture
def voice_path(tmp_path: Path) -> Path:
    return voicefile.save(
        tmp_path / "v.voice", CONFIG, _state_dict(), PHONES, {"name": "Test", "utterances": 3}
    )


def _rewrite(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy a voice zip, replacing (bytes) or dropping (None) some members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = replace.get(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


def _with_config(source: Path, target: Path, **changes: object) -> Path:
    """Copy a voice zip with some keys of its config.json changed."""
    config = json.loads(zipfile.ZipFile(source).read("config.json"))
    return _rewrite(source, target, {"config.json": json.dumps({**config, **changes}).encode()})


def test_round_trip(voice_path: Path) -> None:
    loaded = voicefile.load(voice_path)
    assert loaded.phone_set == PHONES
    assert loaded.config["model"] == CONFIG["model"]
    assert loaded.config["format"] == voicefile.FORMAT_NAME
    assert loaded.config["features"]["mcep_dim"] == 60
    for name, tensor in _state_dict().items():
        assert loaded.state_dict[name].shape == tensor.shape  # scalars stay scalars
        assert np.array_equal(loaded.state_dict[name], tensor.numpy())
    assert loaded.card["name"] == "Test" and loaded.card["utterances"] == 3
    assert loaded.card["language"] == "ko" and "created" in loaded.card and "moksori_version" in loaded.card
    assert voicefile.read_card(voice_path) == loaded.card
    assert not [p for p in voice_path.parent.iterdir() if p.name.endswith(".tmp")]
    assert voice_path.stat().st_mode & 0o777 == 0o644


def test_loaded_weights_are_numpy_and_save_again_unchanged(voice_path: Path, tmp_path: Path) -> None:
    loaded = voicefile.load(voice_path)
    assert all(isinstance(value, np.ndarray) for value in loaded.state_dict.values())
    again = voicefile.load(voicefile.save(tmp_path / "again.voice", loaded.config, loaded.state_dict, PHONES, {}))
    assert again.state_dict.keys() == loaded.state_dict.keys()
    for name, value in loaded.state_dict.items():
        assert again.state_dict[name].shape == value.shape and np.array_equal(again.state_dict[name], value)


def test_save_keeps_old_file_when_writing_fails(voice_path: Path) -> None:
    before = voice_path.read_bytes()
    with pytest.raises(ValueError):
        voicefile.save(voice_path, {"language": "ko"}, _state_dict(), PHONES, {})
    bad_weights = {"w": "not a tensor"}
    with pytest.raises(TypeError, match="not a tensor or array"):
        voicefile.save(voice_path, CONFIG, bad_weights, PHONES, {})  # type: ignore[arg-type]
    assert voice_path.read_bytes() == before
    assert not [p for p in voice_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_text_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.voice"
    path.write_text("hello, I am not a voice\n")
    with pytest.raises(VoiceFileError, match="damaged or not a voice file"):
        voicefile.load(path)


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(VoiceFileError, match="no such voice file"):
        voicefile.load(tmp_path / "absent.voice")


def test_foreign_zip_refused(tmp_path: Path) -> None:
    path = tmp_path / "photos.voice"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    with pytest.raises(VoiceFileError, match="lacks config.json, weights.safetensors"):
        voicefile.load(path)


def test_truncated_file_refused(voice_path: Path) -> None:
    data = voice_path.read_bytes()
    voice_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VoiceFileError, match="damaged"):
        voicefile.load(voice_path)


def test_corrupted_weights_refused_by_crc(voice_path: Path) -> None:
    with zipfile.ZipFile(voice_path) as archive:
        info = archive.getinfo("weights.safetensors")
    # The weights are stored uncompressed: overwrite their last bytes and let the zip CRC catch it.
    end = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size
    data = bytearray(voice_path.read_bytes())
    data[end - 4 : end] = bytes(255 - b for b in data[end - 4 : end])
    voice_path.write_bytes(bytes(data))
    with pytest.raises(VoiceFileError, match="damaged.*CRC"):
        voicefile.load(voice_path)


def test_bad_json_refused(voice_path: Path, tmp_path: Path) -> None:
    broken = _rewrite(voice_path, tmp_path / "b.voice", {"card.json": b"{not json"})
    with pytest.raises(VoiceFileError, match="card.json is not valid JSON"):
        voicefile.load(broken)


def test_wrong_format_name_refused(voice_path: Path, tmp_path: Path) -> None:
    other = _with_config(voice_path, tmp_path / "o.voice", format="someone-else")
    with pytest.raises(VoiceFileError, match="not a Moksori voice"):
        voicefile.load(other)


def test_newer_major_version_refused(voice_path: Path, tmp_path: Path) -> None:
    newer = _with_config(voice_path, tmp_path / "n.voice", format_version="2.0")
    with pytest.raises(VoiceFileError, match="newer Moksori"):
        voicefile.load(newer)
    minor = _with_config(voice_path, tmp_path / "m.voice", format_version="1.7")  # a newer minor version stays readable
    assert voicefile.load(minor).phone_set == PHONES


def test_missing_member_refused(voice_path: Path, tmp_path: Path) -> None:
    partial = _rewrite(voice_path, tmp_path / "p.voice", {"phones.json": None})
    with pytest.raises(VoiceFileError, match="lacks phones.json"):
        voicefile.load(partial)


def test_garbage_weights_refused(voice_path: Path, tmp_path: Path) -> None:
    garbage = _rewrite(voice_path, tmp_path / "g.voice", {"weights.safetensors": b"\x10\x00\x00\x00garbage"})
    with pytest.raises(VoiceFileError, match="weights are damaged"):
        voicefile.load(garbage)
