"""Reference points for every Moksori voice, scored by the evaluation harness on ko_lmy.

* natural: the held-out recordings themselves (speaker similarity, CER, DNSMOS);
* WORLD copy: each recording analysed and resynthesised with WORLD (Harvest F0, 60-dim coded envelope,
  band aperiodicity, 5 ms) — the ceiling for any voice that uses WORLD as its vocoder;
* espeak-ng ``-v ko`` reading the same sentences — the naive baseline.

Held-out = the last 25 ids (sorted), speaker reference = the first 300. The CER reference is the
spelled-out transcript where ko_lmy has one (script_transcript_diff.csv), else the script.
Writes its section of docs/benchmarks.md; full reports go to --out, by default in the system temporary
folder (never the checkout: they hold ko_lmy text and audio, which are research-only).

    .venv/bin/python -m bench.world_copy [--out DIR] [--held 25]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from moksori.audio import load_audio, write_wav
from moksori.dataset import read_metadata
from moksori.paths import shared_data_dir

# Figures in the shared notes, measured with the same recipe; the harness must land within ±15 %.
EXPECTED = {"mcd_db": 2.87, "secs": 0.855, "natural_secs": 0.911, "dnsmos": 3.79, "error": 0.399, "natural_error": 0.355}
TOLERANCE = 0.15
CODED_ENVELOPE_DIM = 60


def world_copy(samples: np.ndarray, rate: int) -> np.ndarray:
    """Analyse with WORLD and resynthesise through the coded (60-dim) envelope and band aperiodicity."""
    import pyworld

    x = samples.astype(np.float64)
    f0, times = pyworld.harvest(x, rate, frame_period=5.0)
    fft_size = pyworld.get_cheaptrick_fft_size(rate)
    envelope = pyworld.cheaptrick(x, f0, times, rate, fft_size=fft_size)
    aperiodicity = pyworld.d4c(x, f0, times, rate, fft_size=fft_size)
    coded_env = pyworld.code_spectral_envelope(envelope, rate, CODED_ENVELOPE_DIM)
    coded_ap = pyworld.code_aperiodicity(aperiodicity, rate)
    y = pyworld.synthesize(
        f0,
        pyworld.decode_spectral_envelope(coded_env, rate, fft_size),
        pyworld.decode_aperiodicity(coded_ap, rate, fft_size),
        rate,
        5.0,
    )
    return y.astype(np.float32)


def _copy_file(args: tuple[Path, Path]) -> None:
    source, target = args
    samples, rate = load_audio(source)
    write_wav(target, world_copy(samples, rate), rate)


def spoken_texts(ko_lmy: Path) -> dict[str, str]:
    """Script text per id, replaced by the spelled-out transcript where the two differ."""
    texts = read_metadata(ko_lmy)
    with open(ko_lmy / "script_transcript_diff.csv", encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="|"):
            if len(row) == 3 and row[0] in texts:
                texts[row[0]] = row[2]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "moksori-bench" / "world_copy",
                        help="folder for full reports (kept outside the checkout: they hold ko_lmy text and audio)")
    parser.add_argument("--held", type=int, default=25, help="held-out utterances (last ids)")
    parser.add_argument("--refs", type=int, default=300, help="speaker reference utterances (first ids)")
    args = parser.parse_args()

    data = shared_data_dir()
    if data is None:
        sys.exit("shared data not found: set MOKSORI_DATA to the folder holding ko_lmy/")
    from moksori.evaluation import espeak_synthesizer, evaluate, write_report
    from moksori.evaluation.models import speaker_centroid

    ko_lmy = data / "ko_lmy"
    wavs = ko_lmy / "wavs"
    ids = sorted(p.stem for p in wavs.glob("*.flac"))
    held, refs = ids[-args.held :], ids[: args.refs]
    texts = spoken_texts(ko_lmy)

    started = time.perf_counter()
    copies = args.out / "world_copy_wavs"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_copy_file, [(wavs / f"{i}.flac", copies / f"{i}.wav") for i in held])
    copy_seconds = time.perf_counter() - started

    tic = time.perf_counter()
    centroid = speaker_centroid(wavs / f"{i}.flac" for i in refs)
    centroid_seconds = time.perf_counter() - tic

    tic = time.perf_counter()
    world = evaluate(copies, wavs, texts, centroid, "ko", ids=held, progress=_progress)
    world_wall = time.perf_counter() - tic
    tic = time.perf_counter()
    espeak = evaluate(None, wavs, texts, centroid, "ko", ids=held, synthesize=espeak_synthesizer("ko"),
                      score_natural=False, progress=_progress)
    espeak_wall = time.perf_counter() - tic
    write_report(world, args.out / "world", "WORLD copy of ko_lmy held-out recordings")
    write_report(espeak, args.out / "espeak", "espeak-ng -v ko on ko_lmy held-out sentences")

    body = _table(world.summary, espeak.summary) + _check(world.summary) + (
        f"\nHarness cost (2 processes: WORLD analysis in a worker beside the models): "
        f"natural + WORLD copy {world_wall / len(held):.1f} s wall and {world.summary['eval_seconds']:.1f} CPU s "
        f"per utterance (ASR, DNSMOS and speaker embedding on both signals); espeak alone "
        f"{espeak_wall / len(held):.1f} s wall, {espeak.summary['eval_seconds']:.1f} CPU s. "
        f"Speaker centroid of {len(refs)} recordings: {centroid_seconds:.0f} s. "
        f"WORLD copy resynthesis of {len(held)} files: {copy_seconds:.0f} s on 2 processes. "
        f"espeak-ng synthesis RTF {espeak.summary['rtf']:.3f}. "
        f"Load average over the last 15 minutes at the end: {os.getloadavg()[2]:.1f} (the cores are shared).\n"
    )
    from bench.report import write_section

    write_section(
        "world_copy",
        f"Reference points on ko_lmy: natural, WORLD copy, espeak-ng ({len(held)} held-out utterances)",
        "python -m bench.world_copy",
        body,
    )
    print(body)


def _progress(stage: str, fraction: float, info: dict) -> None:
    print(f"{stage} {fraction:4.0%} {info.get('id', '')}", file=sys.stderr, flush=True)


def _table(world: dict, espeak: dict) -> str:
    def f(value: float | None, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    rows = [
        ("natural recordings", None, None, None, None, world["natural_secs"], world["natural_error"], world["natural_dnsmos"]),
        ("WORLD copy", world["mcd_db"], world["f0_rmse_cents"], world["gpe"], world["vuv_error"], world["secs"], world["error"], world["dnsmos"]),
        ("espeak-ng -v ko", espeak["mcd_db"], espeak["f0_rmse_cents"], espeak["gpe"], espeak["vuv_error"], espeak["secs"], espeak["error"], espeak["dnsmos"]),
    ]
    lines = [
        "| speech | MCD dB | F0 RMSE cents | GPE | V/UV err | SECS | CER | DNSMOS P.808 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, mcd, cents, gpe, vuv, secs, cer, mos in rows:
        lines.append(
            f"| {name} | {f(mcd, 2)} | {f(cents, 0)} | {f(gpe)} | {f(vuv)} | {f(secs)} | {f(cer)} | {f(mos, 2)} |"
        )
    return "\n".join(lines) + "\n"


def _check(world: dict) -> str:
    """Each WORLD-copy and natural figure against the shared-notes value, within ±15 %."""
    parts = []
    for name, expected in EXPECTED.items():
        value = world[name]
        ok = value is not None and abs(value - expected) <= TOLERANCE * expected
        parts.append(f"{name} {value:.3f} vs {expected} {'ok' if ok else 'OUT OF RANGE'}")
    return "\nAgainst the reference measurements (±15 %): " + "; ".join(parts) + ".\n"


if __name__ == "__main__":
    main()
