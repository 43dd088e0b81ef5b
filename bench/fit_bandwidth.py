"""Refit the bandwidth extension's map (``src/moksori/audio/high_band.json``) from shippable wideband speech.

    PYTHONPATH=src MOKSORI_DATA=../shared/data nice -n 19 .venv/bin/python -m bench.fit_bandwidth

Fit data: ``en_lj32`` (LJ Speech, public domain) and ``en_libri10`` (LibriSpeech test-other, CC BY 4.0:
"LibriSpeech ASR corpus, (c) 2014 Vassil Panayotov"), resampled to 16 kHz; each clip twice as the telephone
band would give it: band-limited alone (→ 8 kHz → 16 kHz), and over the line as ``bench.narrowband_steps``
simulates it (noise at -60 dBFS, μ-law). Never ``ko_lmy``: it is for measuring only, and nothing derived from
it may ship. The fit is deterministic. ``--check`` prints, for one LibriSpeech speaker and the last four LJ
clips left out of the fit, how much of the high band's log power the map explains.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.narrowband_steps import over_the_line
from moksori.audio import load_audio, resample
from moksori.audio.bandwidth import COEFFICIENTS, HighBandModel, envelopes, fit_high_band, high_band_file
from moksori.paths import shared_data_dir

SOURCE = (
    "en_lj32 (LJ Speech 1.1, public domain) and en_libri10 (LibriSpeech ASR corpus, (c) 2014 Vassil "
    "Panayotov, CC BY 4.0), each clip band-limited and over a simulated G.711 line; bench.fit_bandwidth"
)
HELD_OUT_SPEAKER = "3331"


def clips(data: Path) -> list[Path]:
    return sorted((data / "en_lj32" / "wavs").glob("*.flac")) + sorted((data / "en_libri10").glob("*/*.flac"))


def pairs(paths: list[Path]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(narrowband at 16 kHz, wideband at 16 kHz) for each clip, band-limited alone and over the line."""
    out = []
    for seed, path in enumerate(paths):
        wide = load_audio(path, 16000)[0]
        narrow = resample(wide, 16000, 8000)
        for heard in (narrow, over_the_line(narrow, seed)):
            out.append((resample(heard, 8000, 16000)[: wide.size], wide))
    return out


def explained(model: HighBandModel, held_out: list[tuple[np.ndarray, np.ndarray]]) -> str:
    errors, spread = [], []
    for narrow, wide in held_out:
        features, truth = envelopes(narrow, wide)
        errors.append(truth - model.predict(features))
        spread.append(truth)
    error, truth = np.concatenate(errors), np.concatenate(spread)
    return (
        f"held out: {truth.shape[0]} frames; RMS error {10 * np.sqrt(np.mean(error**2)):.2f} dB; "
        f"explained variance {1 - error.var(axis=0).sum() / truth.var(axis=0).sum():.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ridge", type=float, default=0.01)
    parser.add_argument("--check", action="store_true", help="fit without the held-out clips and score them")
    args = parser.parse_args()
    paths = clips(shared_data_dir())
    if args.check:
        held = [p for p in paths if p.parent.name == HELD_OUT_SPEAKER] + [p for p in paths if "LJ" in p.name][
            -4:
        ]
        model = HighBandModel(fit_high_band(pairs([p for p in paths if p not in held]), args.ridge))
        print(explained(model, pairs(held)))
        return
    COEFFICIENTS.write_text(high_band_file(fit_high_band(pairs(paths), args.ridge), SOURCE), encoding="utf-8")
    print(f"wrote {COEFFICIENTS} from {len(paths)} clips")


if __name__ == "__main__":
    main()
