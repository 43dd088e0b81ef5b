"""Training end to end on a 12-utterance espeak-ng speaker: build, load and speak; reproducibility;
kill-and-resume; refusing data that cannot make a voice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from moksori.engine import voicefile
from moksori.engine.training import TrainConfig, TrainingError, train
from moksori.engine.voice import Voice

# The 12-utterance fixture always draws the little-data warning; the first test checks it.
pytestmark = pytest.mark.filterwarnings("ignore:only 12 usable utterances")

# Small enough for seconds per run; checkpoints often so a killed run has one to resume from.
TINY = dict(steps=24, batch_size=4, model_size="tiny", eval_every=6, threads=1, workers=2)


def weights(path: Path) -> dict[str, np.ndarray]:
    return voicefile.load(path).state_dict


@pytest.mark.slow
def test_train_builds_a_voice_that_speaks_and_warns_about_little_data(synthetic_speaker, tmp_path):
    dataset = synthetic_speaker("ko_f", 12)
    seen: list[tuple[str, float, dict]] = []
    with pytest.warns(UserWarning, match="quality will be poor"):
        out = train(dataset, tmp_path / "ko_f.voice", TrainConfig(**TINY), progress=lambda *a: seen.append(a))
    stages = [stage for stage, _, _ in seen]
    assert {"import", "features", "train", "done"} <= set(stages)
    last_train = [info for stage, _, info in seen if stage == "train"][-1]
    assert last_train["step"] == TINY["steps"] and last_train["eta_s"] == 0 and "val" in last_train

    voice = Voice.load(out)
    assert voice.card["utterances"] == 12 and voice.card["steps"] == TINY["steps"]
    audio = voice.synthesize("안녕하세요, 반갑습니다.")
    assert audio.ndim == 1 and audio.size > 0.2 * voice.sample_rate and np.isfinite(audio).all()
    assert np.abs(audio).max() > 1e-3


@pytest.mark.slow
def test_same_seed_gives_the_same_voice_and_another_seed_does_not(synthetic_speaker, tmp_path):
    dataset = synthetic_speaker("ko_f", 12)
    config = TrainConfig(**{**TINY, "steps": 8})
    # One work folder: the second and third runs also reuse the cached features.
    first = weights(train(dataset, tmp_path / "a.voice", config, workdir=tmp_path / "work"))
    second = weights(train(dataset, tmp_path / "b.voice", config, workdir=tmp_path / "work"))
    other = weights(train(dataset, tmp_path / "c.voice", TrainConfig(**{**TINY, "steps": 8, "seed": 7}),
                          workdir=tmp_path / "work"))
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert not all(np.array_equal(first[k], other[k]) for k in first)


RUN_IN_CHILD = """
import sys
from moksori.engine.training import TrainConfig, train
train(sys.argv[1], sys.argv[2], TrainConfig(**eval(sys.argv[3])), workdir=sys.argv[4])
"""


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_one(synthetic_speaker, tmp_path):
    dataset = synthetic_speaker("ko_f", 12)
    work = tmp_path / "work"
    child = subprocess.Popen(
        [sys.executable, "-c", RUN_IN_CHILD, str(dataset), str(tmp_path / "killed.voice"), repr(TINY), str(work)],
        start_new_session=True,
    )
    checkpoint = work / "checkpoint.pt"
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)  # the feature workers too, as a killed job worker would lose them
    child.wait()
    assert checkpoint.exists(), "the child never wrote a checkpoint"
    saved_step = torch.load(checkpoint, weights_only=False)["step"]
    assert 0 < saved_step < TINY["steps"], "the run finished before it could be killed"
    assert not (tmp_path / "killed.voice").exists()

    steps: list[int] = []
    resumed = train(dataset, tmp_path / "killed.voice", TrainConfig(**TINY), resume=True, workdir=work,
                    progress=lambda stage, _, info: steps.append(info["step"]) if stage == "train" else None)
    assert steps[0] == saved_step + 1 and steps[-1] == TINY["steps"]

    straight = train(dataset, tmp_path / "straight.voice", TrainConfig(**TINY), workdir=tmp_path / "work2")
    a, b = weights(resumed), weights(straight)
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.slow
def test_too_little_data_is_refused_with_a_clear_message(synthetic_speaker, tmp_path):
    one = tmp_path / "one"
    (one / "wavs").mkdir(parents=True)
    source = synthetic_speaker("ko_f", 12)
    first_id, text = (source / "metadata.csv").read_text(encoding="utf-8").splitlines()[0].split("|")
    (one / "wavs" / f"{first_id}.wav").write_bytes((source / "wavs" / f"{first_id}.wav").read_bytes())
    (one / "metadata.csv").write_text(f"{first_id}|{text}\n", encoding="utf-8")
    with pytest.raises(TrainingError, match="at least 2"):
        train(one, tmp_path / "one.voice", TrainConfig(**TINY))
    assert not (tmp_path / "one.voice").exists()
