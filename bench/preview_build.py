"""How long the quick preview voice takes to build: the web app's own build (``Services.train`` with the
``preview`` preset, the threads the web worker uses) on the first 30 sentences of a data set, the
number of good takes after which the app offers a preview.

    nice -n 10 .venv/bin/python -m bench.preview_build [--dataset ko_lmy] [--takes 30]

Reports wall-clock and CPU minutes, the steps and model size of the preset, and the load average
before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from bench.voice_quality import subset
from moksori.engine.presets import TRAIN_PRESETS
from moksori.paths import shared_data_dir
from moksori.web.services import Services
from moksori.web.settings import Settings


def cpu_seconds() -> float:
    """CPU time of this process's threads and of its finished child processes (feature extraction)."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (resource.getrusage(resource.RUSAGE_SELF),
                                                              resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ko_lmy")
    parser.add_argument("--takes", type=int, default=Settings().min_takes_for_preview)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None or not (data / args.dataset).is_dir():
        raise SystemExit(f"no data set {args.dataset}: set MOKSORI_DATA")
    source = data / args.dataset
    ids = sorted(line.split("|", 1)[0] for line in (source / "metadata.csv").read_text(encoding="utf-8").splitlines())
    stages: dict[str, float] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        dataset = subset(source, ids[: args.takes], Path(tmp) / "takes")
        started = time.monotonic()
        cpu_before = cpu_seconds()

        def progress(stage: str, fraction: float, info: dict) -> None:
            stages.setdefault(stage, time.monotonic() - started)

        Services().train(dataset, Path(tmp) / "preview.voice", "preview", "ko" if args.dataset.startswith("ko")
                         else "en", progress, resume=False, workdir=Path(tmp) / "work")
        wall = time.monotonic() - started
        cpu = cpu_seconds() - cpu_before
    load_after = os.getloadavg()
    preset = TRAIN_PRESETS["preview"]
    starts = ", ".join(f"{stage} at {seconds:.0f} s" for stage, seconds in stages.items())
    body = f"""
| takes | preset | wall clock | CPU time | load average before → after (1 min) |
|---|---|---|---|---|
| {args.takes} ({args.dataset}) | preview: {preset['model_size']} model, {preset['steps']} steps | \
{wall / 60:.1f} min | {cpu / 60:.1f} min | {load_before[0]:.2f} → {load_after[0]:.2f} |

Stages began: {starts}. The web worker runs the same call (`Services.train`, torch on half the
cores by the library's default), so on an otherwise idle server a person waits about the wall-clock time
after pressing "Make a quick preview voice". The load column says how shared this machine was: with a
load above its core count, the wall clock overstates the wait and the CPU time is the better guide.
"""
    print(body)
    if not args.no_write:
        write_section("preview_build", "Preview voice build time", "nice -n 10 .venv/bin/python -m bench.preview_build",
                      body)


if __name__ == "__main__":
    main()
