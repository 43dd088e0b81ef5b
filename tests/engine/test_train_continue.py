"""Improving a voice later: ``train(..., base_voice=...)`` (``moksori train --from``) on espeak-ng speakers,
and the speaking-rate calibration every trained voice carries."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from moksori.engine import voicefile
from moksori.engine.inference import BUFFERS
from moksori.engine.training import DURATION_SCALE_RANGE, TrainConfig, TrainingError, train, with_settings
from moksori.engine.voice import Voice

pytestmark = pytest.mark.filterwarnings("ignore:only .* usable utterances")

TINY = dict(steps=16, batch_size=4, model_size="tiny", eval_every=8, threads=1, workers=2)


def first_utterances(source: Path, count: int, dest: Path) -> Path:
    """An LJSpeech-style copy of the first ``count`` rows of ``source``."""
    rows = (source / "metadata.csv").read_text(encoding="utf-8").splitlines()[:count]
    (dest / "wavs").mkdir(parents=True)
    for row in rows:
        uid = row.split("|", 1)[0]
        shutil.copy(source / "wavs" / f"{uid}.wav", dest / "wavs" / f"{uid}.wav")
    (dest / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return dest


@pytest.mark.slow
def test_a_voice_continues_training_with_more_recordings(synthetic_speaker, tmp_path):
    everything = synthetic_speaker("ko_f", 12)
    # With the frame-level pitch head, so its training and speaking paths run too.
    base = train(first_utterances(everything, 8, tmp_path / "first8"), tmp_path / "base.voice",
                 TrainConfig(**TINY, frame_pitch_layers=1))
    assert voicefile.load_aligner(base) is not None
    assert voicefile.load(base).config["model"]["frame_pitch_layers"] == 1

    steps: list[int] = []
    more = train(everything, tmp_path / "more.voice", TrainConfig(**TINY, continue_steps=6), base_voice=base,
                 progress=lambda stage, _, info: steps.append(info["step"]) if stage == "train" else None)
    assert steps == list(range(1, 7))  # the continuation's own, shorter run
    voice = Voice.load(more)
    assert voice.card["utterances"] == 12
    assert voice.card["continued_from"] == {"voice": "base.voice", "utterances": 8}
    before, after = voicefile.load(base).state_dict, voicefile.load(more).state_dict
    # Same normalisation (the weights were learned in its units), new weights.
    assert all(np.array_equal(before[name], after[name]) for name in BUFFERS)
    assert not np.array_equal(before["decoder.blocks.0.conv.weight"], after["decoder.blocks.0.conv.weight"])
    audio = voice.synthesize("안녕하세요.")
    assert audio.size > 0 and np.isfinite(audio).all()

    # Every voice carries its speaking-rate calibration, in the model config that speaking reads.
    for path in (base, more):
        contents = voicefile.load(path)
        scale = contents.config["model"]["duration_scale"]
        assert DURATION_SCALE_RANGE[0] <= scale <= DURATION_SCALE_RANGE[1]
        assert scale == pytest.approx(contents.card["duration_scale"], abs=1e-4)


@pytest.mark.slow
def test_continuing_refuses_a_voice_of_another_language(synthetic_speaker, tmp_path):
    dataset = synthetic_speaker("ko_f", 12)
    base = train(dataset, tmp_path / "base.voice", TrainConfig(**{**TINY, "steps": 2}))
    with pytest.raises(TrainingError, match="speaks 'ko'"):
        train(dataset, tmp_path / "en.voice", TrainConfig(**TINY, language="en"), base_voice=base)
    assert not (tmp_path / "en.voice").exists()


def test_continuing_from_a_damaged_voice_says_so(synthetic_speaker, tmp_path):
    broken = tmp_path / "broken.voice"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TrainingError, match="cannot continue from broken.voice"):
        train(tmp_path / "nowhere", tmp_path / "out.voice", TrainConfig(**TINY), base_voice=broken)


def test_recipe_settings_are_read_as_their_fields_types():
    config = with_settings(TrainConfig(), ["frame_pitch_layers=2", "learning_rate=1e-3", "model_size=small"])
    assert (config.frame_pitch_layers, config.learning_rate, config.model_size) == (2, 1e-3, "small")
    with pytest.raises(ValueError, match="NAME one of"):
        with_settings(TrainConfig(), ["no_such_field=1"])
    with pytest.raises(ValueError, match="not a valid int"):
        with_settings(TrainConfig(), ["steps=many"])
