"""Does a build that was killed mid-way and resumed end like one that ran straight through?

    nice -n 10 .venv/bin/python -m bench.resume_equality [--sentences 12] [--steps 60] [--size small]

Trains the same espeak-ng dataset with ``moksori train`` three times: straight through with seed 1;
with seed 1 again, SIGKILLed (its whole process group) right after its first checkpoint and run
again with ``--resume`` in a fresh work folder holding only the files a worker uploads
(``checkpoint.pt``, ``phones.json``), which is what a ``moksori worker`` taking over a dead worker's
job has after downloading them (it prepares the recordings again); and straight through with seed 2,
whose distance from the first run is the noise a different seed alone causes. Compares the
cards' figures and the audio of one sentence each voice says.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import write_section
from moksori.dataset.synthetic import make_speaker_dataset
from moksori.web.jobs.remote import CHECKPOINT_FILES

SENTENCE = "오늘은 날씨가 정말 좋네요."
FIGURES = ("utterances", "minutes", "steps", "validation_score", "duration_scale", "backend")


def train(dataset: Path, out: Path, workdir: Path, seed: int, args, resume: bool = False) -> subprocess.Popen:
    command = [sys.executable, "-m", "moksori.cli", "train", str(dataset), "--out", str(out), "--workdir", str(workdir),
               "--steps", str(args.steps), "--seed", str(seed), "--size", args.size, "--threads", "1",
               "--set", f"eval_every={args.steps // 3}"]
    return subprocess.Popen(command + (["--resume"] if resume else []), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def finished(process: subprocess.Popen, what: str) -> None:
    if process.wait() != 0:
        raise SystemExit(f"{what} failed (exit {process.returncode})")


def killed_and_resumed(dataset: Path, out: Path, workdir: Path, args) -> float:
    """Train, SIGKILL after the first checkpoint, resume elsewhere from what a worker uploads; returns
    the seconds it had run when killed."""
    started = time.monotonic()
    process = train(dataset, out, workdir, 1, args)
    while not (workdir / "checkpoint.pt").exists():
        if process.poll() is not None:
            raise SystemExit("the run ended before its first checkpoint")
        time.sleep(0.05)
    time.sleep(0.5)  # the checkpoint is written atomically; let the run go on a little past it
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    ran = time.monotonic() - started
    takeover = workdir.with_name(workdir.name + ".takeover")
    takeover.mkdir()
    for name in CHECKPOINT_FILES:
        shutil.copy2(workdir / name, takeover / name)
    finished(train(dataset, out, takeover, 1, args, resume=True), "the resumed run")
    return ran


def said(path: Path) -> np.ndarray:
    from moksori.engine.voice import Voice

    return Voice.load(path).synthesize(SENTENCE)


def audio_distance(a: np.ndarray, b: np.ndarray) -> float:
    """RMS of the difference over the RMS of ``a``, on the common length (0: identical)."""
    n = min(a.size, b.size)
    return float(np.sqrt(np.mean((a[:n] - b[:n]) ** 2)) / np.sqrt(np.mean(a[:n] ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--size", default="small")
    args = parser.parse_args()
    from moksori.engine.voicefile import load

    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dataset = make_speaker_dataset(tmp / "data", "ko_f", args.sentences)
        straight = train(dataset, tmp / "straight.voice", tmp / "straight.work", 1, args)
        finished(straight, "the uninterrupted run")
        killed_after = killed_and_resumed(dataset, tmp / "resumed.voice", tmp / "resumed.work", args)
        finished(train(dataset, tmp / "other-seed.voice", tmp / "other-seed.work", 2, args), "the seed-2 run")
        names = ("straight", "resumed", "other-seed")
        cards = {name: load(tmp / f"{name}.voice").card for name in names}
        audio = {name: said(tmp / f"{name}.voice") for name in names}
    rows = [f"| {figure} | " + " | ".join(str(cards[name].get(figure, "–")) for name in names) + " |"
            for figure in FIGURES]
    rows.append("| audio of one sentence vs the uninterrupted run (relative RMS difference) | 0 | "
                f"{audio_distance(audio['straight'], audio['resumed']):.3f} | "
                f"{audio_distance(audio['straight'], audio['other-seed']):.3f} |")
    body = "\n".join([
        f"The same {args.sentences} espeak-ng sentences (`ko_f`), model size `{args.size}`, {args.steps} steps, a "
        f"checkpoint every {args.steps // 3}, one training thread. The resumed run was SIGKILLed "
        f"{killed_after:.0f} s after it started (right after its first checkpoint) and run again with `--resume` in "
        "a fresh work folder holding only the checkpoint files a worker uploads, as a worker taking over has "
        "(the recordings are prepared again). The seed-2 run shows how far a different seed alone moves the "
        "figures. "
        f"Load average when it started: {load_average:.1f} on 2 cores (the machine was shared).",
        "",
        "| figure | uninterrupted (seed 1) | killed and resumed (seed 1) | uninterrupted (seed 2) |",
        "|---|---|---|---|",
        *rows,
    ])
    print(body)
    write_section("resume_equality", "A killed and resumed build against an uninterrupted one",
                  f"nice -n 10 python -m bench.resume_equality --sentences {args.sentences} --steps {args.steps} "
                  f"--size {args.size}", body)


if __name__ == "__main__":
    main()
