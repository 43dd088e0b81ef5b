"""Train a voice: prepare recordings, cache WORLD features, learn alignment and the acoustic model jointly.

The run lives in a work folder (default: ``<out>.work`` beside the output) holding the prepared recordings,
the feature cache and ``checkpoint.pt``. Checkpoints are written atomically at every validation, so the
process can be killed at any moment and ``resume=True`` continues from the last one with the same model,
optimiser, random state and step. The ``.voice`` written at the end carries the weights that scored best
on the held-out utterances, not the last ones.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from moksori.engine import data, unit_training
from moksori.engine.acoustic import AcousticConfig, AcousticModel
from moksori.engine.aligner import (
    Aligner,
    AlignerConfig,
    binarization_loss,
    durations_to_attention,
    forward_sum_loss,
    hard_durations,
)
from moksori.engine.features import FRAME_PERIOD_MS, MCEP_DIM, bap_dim
from moksori.engine.inference import BUFFERS, spoken_durations
from moksori.engine.presets import MODEL_SIZES
from moksori.files import atomic_write
from moksori.progress import Progress

# Below this many usable utterances a voice is built but will sound poor.
FEW_UTTERANCES = 100
# The speaking-rate calibration is measured on a few held-out utterances: keep it within sane bounds.
DURATION_SCALE_RANGE = (0.8, 1.5)


class TrainingError(ValueError):
    """Training cannot start or continue; the message says why in plain words."""


@dataclass
class TrainConfig:
    seed: int = 1234
    steps: int = 1000
    batch_size: int = 8
    model_size: str = "base"  # a key of MODEL_SIZES
    validation_fraction: float = 0.05
    device: str = "auto"  # "auto" takes CUDA when present
    language: str = "ko"
    learning_rate: float = 2e-3
    warmup_steps: int = 200
    eval_every: int = 250  # validation and checkpoint interval, in steps
    # The binarization loss sharpens the soft alignment; it starts once the alignment has roughly formed.
    binarization_start: float = 0.25  # fraction of the run
    # 0 weighs every normalised mcep coefficient alike; 1 weighs each by its spread in the recordings, as
    # mel-cepstral distortion does, which favours the broad spectral shape over fine detail.
    mcep_weighting: float = 1.0
    # Validation and the saved voice use an exponential moving average of the weights (0 = the live weights):
    # on a few hundred utterances the averaged weights generalise better than any single step's.
    ema_decay: float = 0.995
    threads: int = 0  # torch CPU threads; 0 = half the cores, 1 to 4
    workers: int = 2  # processes for feature extraction
    # Continuing from an existing voice (``base_voice``): its weights, aligner and normalisation are the
    # starting point, so a shorter run at a lower peak learning rate is enough.
    # Frame-level pitch and voicing head (AcousticConfig.frame_pitch_layers; 0 = off) and its loss weight.
    frame_pitch_layers: int = 0
    frame_pitch_weight: float = 1.0
    continue_steps: int = 400
    continue_learning_rate: float = 1e-3


def with_settings(config: TrainConfig, settings: list[str]) -> TrainConfig:
    """``config`` with ``name=value`` overrides of its fields, each value read as the field's type."""
    types = {f.name: type(getattr(config, f.name)) for f in fields(config)}
    changes: dict[str, object] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        name = name.strip()
        if name not in types or not value:
            raise ValueError(f"{setting!r}: expected NAME=VALUE with NAME one of {', '.join(sorted(types))}")
        try:
            changes[name] = types[name](value)
        except ValueError:
            raise ValueError(f"{setting!r}: {value!r} is not a valid {types[name].__name__}") from None
    return replace(config, **changes)


@dataclass
class Step:
    """Losses of one batch; ``total`` is what is optimised, ``score`` what picks the best checkpoint."""

    total: torch.Tensor
    parts: dict[str, float]

    @property
    def score(self) -> float:
        return self.parts["features"] + self.parts["duration"]


def train(
    dataset_dir: str | os.PathLike,
    out_path: str | os.PathLike,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
    resume: bool = False,
    workdir: str | os.PathLike | None = None,
    base_voice: str | os.PathLike | None = None,
) -> Path:
    """Build a ``.voice`` at ``out_path`` from an LJSpeech-style folder (or zip) of recordings.

    With ``base_voice``, training continues from that voice (``moksori train --from``): ``dataset_dir``
    should hold all the recordings, old and new; the run takes ``config.continue_steps`` steps.
    """
    config = config or TrainConfig()
    base = _read_base_voice(Path(base_voice), config.language) if base_voice else None
    if base:
        config = replace(
            config,
            steps=config.continue_steps,
            learning_rate=config.continue_learning_rate,
            warmup_steps=min(config.warmup_steps, config.continue_steps // 8),
            binarization_start=0.0 if base.aligner else config.binarization_start,
            model_size=base.card.get("model_size", config.model_size),
        )
    if config.model_size not in MODEL_SIZES:
        raise TrainingError(
            f"unknown model size {config.model_size!r}; choose one of {', '.join(MODEL_SIZES)}"
        )
    out_path = Path(out_path)
    workdir = Path(workdir) if workdir else out_path.with_name(out_path.name + ".work")
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # Half the cores unless told otherwise: a build started by the web app shares them with the server, and
    # spinning OpenMP threads collapse (measured 7x slower) when cores are oversubscribed. `moksori train`
    # asks for every core, where two threads make a step 1.5x faster than one.
    torch.set_num_threads(config.threads or max(1, min(4, len(os.sched_getaffinity(0)) // 2)))
    # Adam's second moments decay into denormal floats, which are many times slower on CPU.
    torch.set_flush_denormal(True)
    auto_device = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(auto_device if config.device == "auto" else config.device)

    recordings = _prepare_recordings(Path(dataset_dir), workdir / "recordings", resume, progress)
    data.extract_features(recordings, workdir / "features", config.workers, progress)
    phone_set, to_ids = _phone_table(config.language, workdir / "phones.json", resume)
    sample_rate = _sample_rate(recordings)
    if base:
        acoustic_config = _base_config(base, phone_set, sample_rate)
    else:
        acoustic_config = AcousticConfig(
            n_phones=len(phone_set),
            bap_dim=bap_dim(sample_rate),
            sample_rate=sample_rate,
            frame_pitch_layers=config.frame_pitch_layers,
            **MODEL_SIZES[config.model_size],
        )
    corpus = data.load_corpus(recordings, workdir / "features", to_ids, acoustic_config.reduction)
    if len(corpus) < 2:
        raise TrainingError(
            f"only {len(corpus)} usable utterance(s) in {Path(dataset_dir).name}; at least 2 are needed"
        )
    if len(corpus) < FEW_UTTERANCES:
        warnings.warn(
            f"only {len(corpus)} usable utterances: the voice will be built, but quality will be poor "
            f"(record at least {FEW_UTTERANCES}, ideally 300 or more)",
            UserWarning,
            stacklevel=2,
        )
    train_set, val_set = data.split(corpus, config.validation_fraction, config.seed)
    # A continued voice keeps its normalisation: its weights were learned in those units.
    stats = {name: base.state_dict[name] for name in BUFFERS} if base else data.statistics(train_set)

    torch.manual_seed(config.seed)
    model = AcousticModel(acoustic_config)
    model.set_statistics(stats)
    aligner = Aligner(AlignerConfig(n_phones=len(phone_set), n_feats=acoustic_config.n_feats))
    if base:
        model.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in base.state_dict.items()})
        if base.aligner:
            aligner.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in base.aligner.items()})
    model.to(device)
    aligner.to(device)
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
    params = list(model.parameters()) + list(aligner.parameters())
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, betas=(0.9, 0.98), weight_decay=1e-2)

    checkpoint_path = workdir / "checkpoint.pt"
    step, best_score, best_state = 0, math.inf, None
    if resume and checkpoint_path.exists():
        step, best_score, best_state = _restore(
            checkpoint_path, model, averaged, aligner, optimizer, acoustic_config, device
        )

    lengths = [u.frames for u in train_set]
    batches_per_epoch = math.ceil(len(train_set) / config.batch_size)
    epoch_cache: dict[int, list[list[int]]] = {}
    run_started, run_first_step = time.monotonic(), step
    bin_start = int(config.binarization_start * config.steps)
    while step < config.steps:
        epoch, index = divmod(step, batches_per_epoch)
        if epoch not in epoch_cache:
            epoch_cache = {epoch: data.epoch_batches(lengths, config.batch_size, config.seed, epoch)}
        batch = data.collate(
            [train_set[i] for i in epoch_cache[epoch][index]], stats, acoustic_config.reduction
        )
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(step, config)
        model.train()
        aligner.train()
        bin_weight = min(1.0, max(0.0, (step - bin_start) / max(1, config.warmup_steps)))
        result = _losses(
            model, aligner, batch.to(device), bin_weight, config.mcep_weighting, config.frame_pitch_weight
        )
        optimizer.zero_grad(set_to_none=True)
        result.total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        averaged.update_parameters(model)
        step += 1

        info = {"step": step, "steps": config.steps, **{k: round(v, 4) for k, v in result.parts.items()}}
        if step % config.eval_every == 0 or step == config.steps:
            info["val"] = _validate(
                averaged.module, aligner, val_set, stats, acoustic_config.reduction, config.batch_size, device
            )
            if info["val"] < best_score:
                best_score = info["val"]
                best_state = {k: v.detach().cpu().clone() for k, v in averaged.module.state_dict().items()}
            _save_checkpoint(
                checkpoint_path, step, model, averaged, aligner, optimizer, best_score, best_state, acoustic_config
            )
        rate = (time.monotonic() - run_started) / (step - run_first_step)
        info["eta_s"] = round(rate * (config.steps - step))
        if progress:
            progress("train", step / config.steps, info)

    if best_state is None:  # resumed a run that had already finished
        best_state = averaged.module.state_dict()
    best_model = AcousticModel(acoustic_config).to(device)
    best_model.load_state_dict(best_state)
    # Every recording, not only the few held out: with 5–15 validation utterances the factor varied by
    # ±10 % from voice to voice, while on the training ones it matched what unseen sentences need
    # (docs/engine.md, "Speaking rate").
    scale = duration_scale(best_model, aligner, corpus, stats, config.batch_size, device)
    speaking_config = replace(acoustic_config, duration_scale=scale)
    if progress:
        progress("units", 0.0, {})
    units, backend_card = unit_training.build(
        aligner, best_state, speaking_config, corpus, val_set, stats, config.batch_size, device
    )
    card = {
        "utterances": len(corpus),
        "minutes": round(sum(u.frames for u in corpus) * FRAME_PERIOD_MS / 60_000, 1),
        "steps": config.steps,
        "validation_score": round(best_score, 4),
        "training_seconds": round(time.monotonic() - started),
        "seed": config.seed,
        "model_size": config.model_size,
        "duration_scale": round(scale, 4),
        **backend_card,
    }
    if base:
        card["continued_from"] = {"voice": Path(base_voice).name, "utterances": base.card.get("utterances")}
    from moksori.engine import voicefile

    voicefile.save(
        out_path,
        {"model": asdict(speaking_config), "language": config.language},
        best_state,
        phone_set,
        card,
        units,
        aligner=aligner.state_dict(),
    )
    if progress:
        progress("done", 1.0, {"path": str(out_path)})
    return out_path


@dataclass
class BaseVoice:
    """What continued training takes from an existing voice."""

    config: dict
    state_dict: dict[str, np.ndarray]
    aligner: dict[str, np.ndarray] | None
    card: dict


def _read_base_voice(path: Path, language: str) -> BaseVoice:
    from moksori.engine import voicefile
    from moksori.text.phoneset import PHONES

    try:
        contents = voicefile.load(path)
        aligner = voicefile.load_aligner(path)
    except voicefile.VoiceFileError as error:
        raise TrainingError(f"cannot continue from {path.name}: {error}") from error
    if contents.config.get("language") != language:
        raise TrainingError(
            f"cannot continue from {path.name}: it speaks {contents.config.get('language')!r}, "
            f"the recordings are {language!r}"
        )
    if contents.phone_set != list(PHONES):
        raise TrainingError(
            f"cannot continue from {path.name}: it was made with another phone set; train a new voice instead"
        )
    return BaseVoice(contents.config, contents.state_dict, aligner, contents.card)


def _base_config(base: BaseVoice, phone_set: list[str], sample_rate: int) -> AcousticConfig:
    """The base voice's model config (its calibration reset: the continued run sets its own)."""
    known = {f.name for f in fields(AcousticConfig)}
    config = AcousticConfig(**{k: v for k, v in base.config["model"].items() if k in known})
    if config.sample_rate != sample_rate or config.n_phones != len(phone_set):
        raise TrainingError("cannot continue: the voice was made with other audio or phone settings")
    return replace(config, duration_scale=1.0)


@torch.no_grad()
def duration_scale(
    model: AcousticModel, aligner: Aligner, utterances: list[data.Utterance], stats: dict, batch_size: int,
    device: torch.device,
) -> float:
    """The factor that makes the durations spoken for ``utterances`` add up to their aligned length.

    Applied to the predicted steps before rounding, exactly as ``inference.spoken_durations`` does.
    """
    model.eval()
    aligner.eval()
    predicted, aligned = [], 0
    for start in range(0, len(utterances), batch_size):
        batch = data.collate(utterances[start : start + batch_size], stats, model.config.reduction).to(device)
        phone_mask = batch.phones > 0
        log_attn = aligner(batch.phones, batch.coarse, phone_mask, batch.log_prior)
        durations = hard_durations(log_attn, batch.phone_lengths, batch.frame_lengths)
        log_dur = model.encode(batch.phones, phone_mask)[1].cpu().numpy()
        aligned += int(durations.sum())
        predicted += [log_dur[i, :n] for i, n in enumerate(batch.phone_lengths.tolist())]
    if not predicted:
        return 1.0
    scale = 1.0
    for _ in range(8):  # rounding and the one-step minimum make this a fixed point, not one division
        spoken = sum(int(spoken_durations(p, scale).sum()) for p in predicted)
        scale *= aligned / spoken
    return float(np.clip(scale, *DURATION_SCALE_RANGE))


def _prepare_recordings(source: Path, dest: Path, resume: bool, progress: Progress | None) -> Path:
    """Import (check, trim, normalise, resample) the recordings once per run; a resumed run reuses them."""
    from moksori.dataset import import_dataset

    if resume and (dest / "metadata.csv").exists():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    return import_dataset(source, dest, progress)


def _phone_table(language: str, cache: Path, resume: bool) -> tuple[list[str], Callable[[str], list[int]]]:
    """The phone set and a text → phone ids function, memoised in ``cache``.

    Pronunciation with morphological analysis takes a good fraction of a second per sentence, and a
    resumed run must see exactly the phones it started with, even if the front-end changed meanwhile.
    """
    from moksori.text import phonemes
    from moksori.text.phoneset import PHONES, phone_ids

    known: dict[str, list[int]] = json.loads(cache.read_text(encoding="utf-8")) if resume and cache.exists() else {}

    def to_ids(text: str) -> list[int]:
        if text not in known:
            known[text] = phone_ids(phonemes(text, language))
            _atomic_write_text(cache, json.dumps(known, ensure_ascii=False))
        return known[text]

    return list(PHONES), to_ids


def _sample_rate(recordings: Path) -> int:
    import soundfile

    first = next((recordings / "wavs").glob("*.wav"))
    return int(soundfile.info(str(first)).samplerate)


def _learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to a tenth."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` [B, L, ...] over the positions where ``mask`` [B, L] is true."""
    weights = mask.float().reshape(*mask.shape, *([1] * (values.dim() - mask.dim())))
    return (values * weights).sum() / (weights.sum() * values[0, 0].numel()).clamp(min=1)


def _phone_means(frames: torch.Tensor, attention: torch.Tensor, durations: torch.Tensor) -> torch.Tensor:
    """Average of a per-frame value [B, T] over each phone's frames → [B, N]."""
    return torch.einsum("bt,btn->bn", frames, attention) / durations.clamp(min=1)


def mcep_loss_weights(spread: torch.Tensor, weighting: float) -> torch.Tensor:
    """Per-coefficient weights (mean 1) of the normalised mcep error: ``spread ** weighting``.

    ``spread`` is each coefficient's standard deviation in the recordings. With ``weighting`` 1 the loss
    counts errors in the coefficients' own units, as mel-cepstral distortion does.
    """
    weights = spread**weighting
    return weights / weights.mean()


def _losses(
    model: AcousticModel,
    aligner: Aligner,
    batch: data.Batch,
    bin_weight: float,
    mcep_weighting: float,
    frame_pitch_weight: float,
) -> Step:
    phone_mask = batch.phones > 0
    log_attn = aligner(batch.phones, batch.coarse, phone_mask, batch.log_prior)
    durations = hard_durations(log_attn, batch.phone_lengths, batch.frame_lengths)  # [B, N] coarse frames
    attention = durations_to_attention(durations, batch.coarse.shape[1])  # [B, T, N]
    lf0_channel = MCEP_DIM + model.config.bap_dim
    pitch_target = _phone_means(batch.coarse[:, :, lf0_channel], attention, durations)
    energy_target = _phone_means(batch.energy, attention, durations)

    x, log_dur, pitch, energy = model.encode(batch.phones, phone_mask)
    coarse, refined = model.decode(x, phone_mask, durations, pitch_target, energy_target)
    r = model.config.reduction
    frame_mask = (
        torch.arange(batch.feats.shape[1], device=batch.feats.device)[None]
        < (batch.frame_lengths * r)[:, None]
    )
    target = batch.feats
    mcep_weights = mcep_loss_weights(model.feat_std[:MCEP_DIM], mcep_weighting)
    feature_loss = torch.zeros((), device=target.device)
    for prediction in (coarse, refined):
        # Each group counts once, so the 60 mcep channels do not drown pitch and aperiodicity.
        feature_loss = feature_loss + (
            _masked_mean((prediction[..., :MCEP_DIM] - target[..., :MCEP_DIM]).abs() * mcep_weights, frame_mask)
            + _masked_mean((prediction[..., MCEP_DIM:-1] - target[..., MCEP_DIM:-1]).abs(), frame_mask)
            + _masked_mean(
                F.binary_cross_entropy_with_logits(prediction[..., -1], target[..., -1], reduction="none"),
                frame_mask,
            )
        )
    duration_loss = _masked_mean((log_dur - torch.log1p(durations.float())) ** 2, phone_mask)
    pitch_loss = _masked_mean((pitch - pitch_target) ** 2, phone_mask)
    energy_loss = _masked_mean((energy - energy_target) ** 2, phone_mask)
    align_loss = forward_sum_loss(log_attn, batch.phone_lengths, batch.frame_lengths)
    bin_loss = binarization_loss(log_attn, attention)
    total = feature_loss + duration_loss + pitch_loss + energy_loss + align_loss + bin_weight * bin_loss
    if model.config.frame_pitch_layers:
        # The frame-level head's own loss: in the feature loss log-F0 is one of three channels of a group.
        frame_pitch_loss = _masked_mean((refined[..., -2] - target[..., -2]).abs(), frame_mask) + _masked_mean(
            F.binary_cross_entropy_with_logits(refined[..., -1], target[..., -1], reduction="none"), frame_mask
        )
        total = total + frame_pitch_weight * frame_pitch_loss
    parts = {
        "features": feature_loss.item() / 2,
        "duration": duration_loss.item(),
        "pitch": pitch_loss.item(),
        "align": align_loss.item(),
    }
    return Step(total, parts)


@torch.no_grad()
def _validate(model, aligner, val_set, stats, reduction: int, batch_size: int, device: torch.device) -> float:
    """Mean score over the held-out utterances (features after the postnet, durations)."""
    model.eval()
    aligner.eval()
    scores = []
    for start in range(0, len(val_set), batch_size):
        batch = data.collate(val_set[start : start + batch_size], stats, reduction).to(device)
        # Scored unweighted, so runs trained with different mcep weightings pick checkpoints alike.
        scores.append(_losses(model, aligner, batch, bin_weight=0.0, mcep_weighting=0.0, frame_pitch_weight=0.0).score)
    return float(np.mean(scores))


def _atomic_torch_save(obj: dict, path: Path) -> None:
    with atomic_write(path) as handle:
        torch.save(obj, handle)


def _atomic_write_text(path: Path, text: str) -> None:
    with atomic_write(path) as handle:
        handle.write(text.encode("utf-8"))


def _save_checkpoint(
    path, step, model, averaged, aligner, optimizer, best_score, best_state, acoustic_config
) -> None:
    _atomic_torch_save(
        {
            "step": step,
            "model": model.state_dict(),
            "averaged": averaged.state_dict(),
            "aligner": aligner.state_dict(),
            "optimizer": optimizer.state_dict(),
            "best_score": best_score,
            "best_state": best_state,
            "acoustic_config": asdict(acoustic_config),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
                "numpy": np.random.get_state(),
                "python": random.getstate(),
            },
        },
        path,
    )


def _restore(
    path, model, averaged, aligner, optimizer, acoustic_config, device
) -> tuple[int, float, dict | None]:
    try:
        saved = torch.load(path, map_location=device, weights_only=False)
    except Exception as error:  # a checkpoint is only ever replaced whole, so this means outside damage
        raise TrainingError(
            f"cannot resume: {path} is unreadable ({error}); start again without resume"
        ) from error
    if saved["acoustic_config"] != asdict(acoustic_config):
        changed = [
            f.name
            for f in fields(acoustic_config)
            if saved["acoustic_config"].get(f.name) != getattr(acoustic_config, f.name)
        ]
        raise TrainingError(f"cannot resume: the model settings changed ({', '.join(changed)})")
    model.load_state_dict(saved["model"])
    averaged.load_state_dict(saved["averaged"])
    aligner.load_state_dict(saved["aligner"])
    optimizer.load_state_dict(saved["optimizer"])
    rng = saved["rng"]
    torch.set_rng_state(rng["torch"].cpu())
    if rng["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    np.random.set_state(rng["numpy"])
    random.setstate(rng["python"])
    return saved["step"], saved["best_score"], saved["best_state"]
