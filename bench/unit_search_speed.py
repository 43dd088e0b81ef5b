"""CPU time of the hybrid back-end's unit search and joining, against the size of the unit index.

    nice .venv/bin/python -m bench.unit_search_speed [--sentences 40] [--copies 1,4,8]

Builds indexes from espeak-ng recordings (``moksori.dataset.synthetic``, WORLD-analysed, phones split
evenly over each recording), repeated ``copies`` times so the index reaches the size of a real voice's
(8 copies of 40 sentences ≈ 320 sentences, ~24,000 half-phones), and times ``unit_select.speak`` on every
sentence with its own features as the targets (one thread, CPU time). No trained voice or shared data needed.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from bench.report import write_section  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--copies", default="1,4,8")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from moksori.audio import load_audio
    from moksori.dataset.synthetic import make_speaker_dataset
    from moksori.engine import data, features
    from moksori.engine.unit_select import FALLBACK, speak
    from moksori.engine.units import build_index
    from moksori.text import phonemes
    from moksori.text.phoneset import phone_ids

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_speaker_dataset(Path(tmp), "ko_f", args.sentences)
        corpus = []
        for uid, text in data.read_rows(folder):
            samples, rate = load_audio(folder / "wavs" / f"{uid}.wav")
            analysis = features.analyze(samples, rate)
            frames = analysis.frames // 2 * 2
            phones = np.asarray(phone_ids(phonemes(text, "ko")))
            edges = np.round(np.linspace(0, frames // 2, len(phones) + 1)).astype(int)
            targets = features.Features(lf0=analysis.lf0[:frames], vuv=analysis.vuv[:frames],
                                        mcep=analysis.mcep[:frames], bap=analysis.bap[:frames],
                                        energy=analysis.energy[:frames], sample_rate=rate)
            corpus.append((phones, data.feature_matrix(analysis)[:frames], analysis.energy[:frames],
                           np.diff(edges) * 2, targets))
    audio_s = sum(t.frames for *_, t in corpus) * features.FRAME_PERIOD_MS / 1000
    rows = []
    for copies in [int(n) for n in args.copies.split(",")]:
        items = corpus * copies
        index = build_index(*([item[k] for item in items] for k in range(4)))
        speak(index, corpus[0][4], corpus[0][0], corpus[0][3])  # warm-up
        started = time.process_time()
        chosen = [speak(index, t, phones, durations)[1] for phones, _, _, durations, t in corpus]
        seconds = time.process_time() - started
        fallback = float(np.mean(np.concatenate(chosen) == FALLBACK))
        rows.append(f"| {len(items)} | {len(index)} | {index.frames.nbytes / 1e6:.1f} | {seconds / audio_s:.4f} | "
                    f"{fallback:.3f} |")
    table = "\n".join(["| sentences indexed | half-phone units | frames MB (float16) | CPU s per audio s | "
                       "half-phones from the model |", "|---|---|---|---|---|", *rows])
    print(table)
    if args.no_write:
        return
    body = (f"{args.sentences} espeak-ng `ko_f` sentences ({audio_s:.1f} s of audio) spoken from indexes of their own "
            f"recordings repeated to the sizes below; one thread, CPU time of `unit_select.speak` (search, "
            f"stretching, cross-fades; not the model or the vocoder). 1-minute load average {load_before:.1f} at the "
            f"start, {os.getloadavg()[0]:.1f} at the end: on a shared machine, CPU time is stretched too.\n\n{table}\n")
    write_section("unit_search_speed", "Hybrid back-end: unit search speed", "nice .venv/bin/python -m "
                  f"bench.unit_search_speed --sentences {args.sentences} --copies {args.copies}", body)


if __name__ == "__main__":
    main()
