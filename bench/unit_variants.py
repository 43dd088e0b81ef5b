"""Hybrid back-end settings compared on held-out recordings, in the WORLD feature domain (no audio, no
recognisers): the same MCD / F0 RMSE / V/UV error and score the trainer chooses a back-end by
(``moksori.engine.unit_training``), for the parametric frames and for the unit search with each setting.

    nice .venv/bin/python -m bench.unit_variants --voice /tmp/units-bench/ko_lmy/voice100.voice
    nice .venv/bin/python -m bench.unit_variants --voice V.voice --dataset en_pmatthes --test 20 --lang en

The voice's unit index holds only its training recordings, so the held-out sentences (the last ``--test``
ids) are never spoken with their own recordings. Prints a table; ``--section`` also writes it to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.report import write_section
from moksori.paths import shared_data_dir

VARIANTS: dict[str, dict] = {
    "default": {},
    "F0 from the model": {"f0": "model"},
    "no F0 smoothing": {"f0_smoothing": 1},
    "no cross-fade": {"crossfade": 0},
    "cross-fade 6 frames": {"crossfade": 6},
    "8 candidates": {"candidates": 8},
    "64 candidates": {"candidates": 64},
    "no context cost": {"context": 0.0},
    "context cost 1.5": {"context": 1.5},
    "no join penalty": {"join_penalty": 0.0},
    "join penalty 1": {"join_penalty": 1.0},
    "pitch costs × 3": {"pitch": 6.0, "join_pitch": 6.0},
    "fallback cost 1.5": {"fallback": 1.5},
    "never fall back": {"fallback": 1e9},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voice", type=Path, required=True)
    parser.add_argument("--dataset", default="ko_lmy")
    parser.add_argument("--lang", default="ko")
    parser.add_argument("--test", type=int, default=25)
    parser.add_argument("--section", default=None)
    args = parser.parse_args()

    from moksori.audio import ENGINE_SAMPLE_RATE, load_audio
    from moksori.engine import data, features
    from moksori.engine.unit_select import FALLBACK, Costs, speak
    from moksori.engine.unit_training import feature_distance, score
    from moksori.engine.voice import Voice
    from moksori.text import phonemes
    from moksori.text.phoneset import phone_ids

    root = shared_data_dir()
    folder = root / args.dataset
    rows = sorted(line.split("|") for line in (folder / "metadata.csv").read_text(encoding="utf-8").splitlines())
    voice = Voice.load(args.voice, backend="hybrid")
    held_out = []
    for row in rows[-args.test :]:
        samples, rate = load_audio(next((folder / "wavs").glob(f"{row[0]}.*")), ENGINE_SAMPLE_RATE)
        analysis = features.analyze(samples, rate)
        held_out.append((np.asarray(phone_ids(phonemes(row[-1], args.lang))), data.feature_matrix(analysis)))

    predicted = [voice.model.generate(ids) for ids, _ in held_out]
    results: dict[str, dict] = {}
    parametric = [feature_distance(p, natural) for (p, _), (_, natural) in zip(predicted, held_out, strict=True)]
    results["parametric"] = {key: float(np.mean([r[key] for r in parametric])) for key in parametric[0]}
    for name, change in VARIANTS.items():
        costs = replace(Costs(), **change)
        started = time.process_time()
        spoken = [speak(voice.units, p, ids, d, costs=costs) for (p, d), (ids, _) in zip(predicted, held_out,
                                                                                      strict=True)]
        seconds = time.process_time() - started
        figures = [feature_distance(s, natural) for (s, _, _), (_, natural) in zip(spoken, held_out, strict=True)]
        fallback = np.mean(np.concatenate([chosen == FALLBACK for _, chosen, _ in spoken]))
        audio_s = sum(p.frames for p, _ in predicted) * features.FRAME_PERIOD_MS / 1000
        results[f"hybrid, {name}"] = {**{key: float(np.mean([r[key] for r in figures])) for key in figures[0]},
                                      "fallback": float(fallback), "search_rtf": seconds / audio_s}
    lines = ["| back-end | MCD dB | F0 RMSE cents | V/UV err | score | half-phones from the model | search CPU s per audio s |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        extra = f"{r['fallback']:.3f} | {r['search_rtf']:.4f}" if "fallback" in r else "– | –"
        lines.append(f"| {name} | {r['mcd_db']:.2f} | {r['f0_rmse_cents']:.0f} | {r['vuv_error']:.3f} | "
                     f"{score(r):.2f} | {extra} |")
    table = "\n".join(lines)
    print(table)
    if args.section:
        body = (f"Voice `{args.voice.name}` ({voice.card.get('utterances')} utterances of `{args.dataset}`), the last "
                f"{args.test} ids held out; feature-domain figures as the trainer's back-end choice computes them "
                f"(`moksori.engine.unit_training`; coded-envelope MCD, not `moksori eval`'s).\n\n{table}\n")
        command = f"nice .venv/bin/python -m bench.unit_variants --voice {args.voice} --dataset {args.dataset} --test {args.test}"
        write_section(args.section, f"Hybrid back-end settings: {args.dataset}", command, body)


if __name__ == "__main__":
    main()
