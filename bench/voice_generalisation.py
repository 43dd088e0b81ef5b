"""Generalisation benchmark: one recipe trained and scored on several voices, in one table.

    nice .venv/bin/python -m bench.voice_generalisation                       # the default set below
    nice .venv/bin/python -m bench.voice_generalisation --voices ko_lmy:100,standin:100 --label calibrated
    nice .venv/bin/python -m bench.voice_generalisation --voices ko_lmy:100 --score-only --no-calibration \\
        --label "calibration off"        # re-score the voice already trained, speaking rate uncalibrated

A voice is ``DATASET:TRAIN[:TEST]``: train on the first TRAIN ids (sorted) of ``MOKSORI_DATA/DATASET``,
score the last TEST (25 for Korean, 20 for English). With ``--dev N`` a voice is scored instead on the N ids
that follow its training ids (never the test set), so settings can be tuned there and then checked once on
the test sets; its rows are kept under ``DATASET:TRAIN dev N``. ``standin`` is not a real person: it is ``ko_lmy``
resynthesised with WORLD, F0 scaled down 5 semitones and the spectral envelope warped so formants sit
12 % lower — a stand-in for a male Korean speaker, made here into the work folder (never the checkout:
it is derived from ko_lmy, which is research-only) and reported separately.

Each voice gets its espeak-ng and WORLD-copy rows (computed once per voice and test set, then cached).
Rows accumulate in ``WORKDIR/results.json`` under ``--label``, so recipes can be compared side by side;
the section of docs/benchmarks.md shows every label measured so far.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.report import write_section
from bench.voice_quality import subset, train_voice
from moksori.engine import voicefile
from moksori.engine.unit_select import Costs
from moksori.paths import shared_data_dir

DEFAULT_VOICES = "ko_lmy:100,standin:100,ko_lmy:300,en_pmatthes:121"
STANDIN_SEMITONES = -5.0
STANDIN_FORMANT_SCALE = 0.88  # formants move to 88 % of their frequency
COLUMNS = [("mcd_db", "MCD dB", 2), ("f0_rmse_cents", "F0 RMSE ¢", 0), ("gpe", "GPE", 3), ("vuv_error", "V/UV", 3),
           ("secs", "sim.", 3), ("error", "CER/WER", 3), ("error_ratio", "ratio", 2), ("dnsmos", "DNSMOS", 2),
           ("active_ratio", "active span", 2), ("train_minutes", "train min", 1), ("peak_rss_gb", "RSS GB", 2)]


@dataclass
class VoiceSpec:
    dataset: str  # a folder of MOKSORI_DATA, or "standin"
    train: int
    test: int
    dev: int = 0  # > 0: score the `dev` ids after the training ids instead of the test set

    @property
    def name(self) -> str:
        return f"{self.dataset}:{self.train}" + (f" dev {self.dev}" if self.dev else "")

    @property
    def references_file(self) -> str:
        """Cache of the reference rows (natural, WORLD copy, espeak-ng) of the scored ids."""
        return f"references_dev{self.train}_{self.dev}.json" if self.dev else f"references_{self.test}.json"

    def split(self, ids: list[str]) -> tuple[list[str], list[str]]:
        """(training ids, scored ids)."""
        if self.dev:
            if self.train + self.dev > len(ids) - self.test:
                raise SystemExit(f"{self.name}: the development ids would reach into the last {self.test} (the test set)")
            return ids[: self.train], ids[self.train : self.train + self.dev]
        return ids[: self.train], ids[-self.test :]

    @property
    def lang(self) -> str:
        return "en" if self.dataset.startswith("en_") else "ko"

    @classmethod
    def parse(cls, text: str) -> VoiceSpec:
        parts = text.split(":")
        dataset, train = parts[0], int(parts[1])
        test = int(parts[2]) if len(parts) > 2 else (20 if dataset.startswith("en_") else 25)
        return cls(dataset, train, test)


def warp_envelope(envelope: np.ndarray, scale: float) -> np.ndarray:
    """Move every spectral feature of ``envelope`` [T, bins] to ``scale`` times its frequency."""
    bins = envelope.shape[1]
    source = np.minimum(np.arange(bins) / scale, bins - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, bins - 1)
    weight = source - low
    return envelope[:, low] * (1 - weight) + envelope[:, high] * weight


def standin_copy(args: tuple[Path, Path]) -> None:
    """One recording of the stand-in speaker: WORLD analysis, F0 and formants lowered, resynthesis."""
    import pyworld

    from moksori.audio import load_audio, write_wav

    source, target = args
    samples, rate = load_audio(source)
    x = samples.astype(np.float64)
    f0, times = pyworld.harvest(x, rate, frame_period=5.0)
    fft_size = pyworld.get_cheaptrick_fft_size(rate)
    envelope = pyworld.cheaptrick(x, f0, times, rate, fft_size=fft_size)
    aperiodicity = pyworld.d4c(x, f0, times, rate, fft_size=fft_size)
    y = pyworld.synthesize(
        f0 * 2 ** (STANDIN_SEMITONES / 12),
        np.ascontiguousarray(warp_envelope(envelope, STANDIN_FORMANT_SCALE)),
        np.ascontiguousarray(warp_envelope(aperiodicity, STANDIN_FORMANT_SCALE)),
        rate,
        5.0,
    )
    peak = np.max(np.abs(y)) or 1.0
    write_wav(target, (y / max(peak, 1.0)).astype(np.float32), rate)


def make_standin(ko_lmy: Path, ids: list[str], dest: Path) -> Path:
    """The stand-in speaker's recordings of ``ids`` (made once, then reused)."""
    (dest / "wavs").mkdir(parents=True, exist_ok=True)
    todo = [(next((ko_lmy / "wavs").glob(f"{uid}.*")), dest / "wavs" / f"{uid}.wav") for uid in ids]
    todo = [(source, target) for source, target in todo if not target.exists()]
    if todo:
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            pool.map(standin_copy, todo)
    rows = dict(line.split("|", 1) for line in (ko_lmy / "metadata.csv").read_text(encoding="utf-8").splitlines())
    all_ids = sorted(p.stem for p in (dest / "wavs").glob("*.wav"))
    (dest / "metadata.csv").write_text("".join(f"{uid}|{rows[uid]}\n" for uid in all_ids), encoding="utf-8")
    return dest


def world_copies(data: Path, ids: list[str], dest: Path) -> Path:
    from bench.world_copy import _copy_file

    dest.mkdir(parents=True, exist_ok=True)
    todo = [(next((data / "wavs").glob(f"{uid}.*")), dest / f"{uid}.wav") for uid in ids]
    todo = [(source, target) for source, target in todo if not target.exists()]
    if todo:
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            pool.map(_copy_file, todo)
    return dest


def unit_costs(settings: list[str]) -> Costs:
    """The hybrid back-end's ``Costs`` with ``FIELD=VALUE`` overrides (values typed as the field's default)."""
    base = Costs()
    changes = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        if not hasattr(base, name):
            raise SystemExit(f"--costs: no setting {name!r} in unit_select.Costs")
        changes[name] = type(getattr(base, name))(value)
    return dataclasses.replace(base, **changes)


def score_voice(voice_path: Path, data: Path, test_ids: list[str], train_ids: list[str], lang: str, out_dir: Path,
                natural: dict | None, calibrated: bool = True, backend: str | None = None,
                costs: list[str] | None = None) -> dict:
    """The voice's scores with ``backend`` (default: the one it chose) and the hybrid back-end's ``costs``
    overrides; the natural recordings' own (ASR error, DNSMOS) come from the reference rows when they are there,
    else they are measured here."""
    from moksori.engine.voice import Voice
    from moksori.evaluation import evaluate, write_report

    voice = Voice.load(voice_path, backend=backend)
    voice.unit_costs = unit_costs(costs or [])
    if not calibrated:
        voice.model.config.duration_scale = 1.0

    def synthesize(text: str):
        return voice.synthesize(text), voice.sample_rate

    train_refs = [next((data / "wavs").glob(f"{uid}.*")) for uid in train_ids]
    result = evaluate(out_dir / "wavs", data / "wavs", data / "metadata.csv", train_refs, lang,
                      synthesize=synthesize, ids=test_ids, workers=2, score_natural=natural is None)
    write_report(result, out_dir)
    summary = dict(result.summary)
    if natural is not None:
        summary["error_ratio"] = summary["error"] / natural["error"] if natural["error"] else None
    return summary


def speaking_rate(voice_path: Path, data: Path, test_ids: list[str], calibrated: bool) -> float:
    """Median synthesized/natural span of detected speech over ``test_ids`` (the `active span` column alone)."""
    from moksori.audio import load_audio
    from moksori.engine.voice import Voice
    from moksori.evaluation.harness import active_seconds

    voice = Voice.load(voice_path)
    if not calibrated:
        voice.model.config.duration_scale = 1.0
    texts = dict(line.split("|", 1) for line in (data / "metadata.csv").read_text(encoding="utf-8").splitlines())
    ratios = []
    for uid in test_ids:
        natural, rate = load_audio(next((data / "wavs").glob(f"{uid}.*")))
        ratios.append(active_seconds(voice.synthesize(texts[uid].split("|")[-1]), voice.sample_rate)
                      / active_seconds(natural, rate))
    return float(np.median(ratios))


def reference_rows(spec: VoiceSpec, data: Path, test_ids: list[str], train_ids: list[str], work: Path) -> dict:
    """espeak-ng and WORLD-copy scores on the voice's test set (cached: they do not depend on the recipe)."""
    from moksori.evaluation import espeak_synthesizer, evaluate

    # One per data set and test set: the speaker centroid for similarity is that of the first voice of the
    # data set scored (ko_lmy's 100 and 300 share their 25 test sentences; the centroids differ little).
    cache = work / spec.references_file
    if cache.exists():
        return json.loads(cache.read_text())
    train_refs = [next((data / "wavs").glob(f"{uid}.*")) for uid in train_ids]
    copies = world_copies(data, test_ids, work / "world_copy")
    rows = {
        "natural": None,
        "WORLD copy": evaluate(copies, data / "wavs", data / "metadata.csv", train_refs, spec.lang, ids=test_ids,
                               workers=2).summary,
        "espeak-ng": evaluate(None, data / "wavs", data / "metadata.csv", train_refs, spec.lang, ids=test_ids,
                              synthesize=espeak_synthesizer(spec.lang), score_natural=False, workers=2).summary,
    }
    world = rows["WORLD copy"]
    rows["natural"] = {"secs": world["natural_secs"], "error": world["natural_error"],
                       "dnsmos": world["natural_dnsmos"], "active_ratio": 1.0}
    cache.write_text(json.dumps(rows, indent=1))
    return rows


def _cell(value, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def results_table(results: dict[str, dict[str, dict]], references: dict[str, dict[str, dict]], dev: bool = False) -> str:
    """One table per voice: natural, WORLD copy, espeak-ng, then each recipe label; the voices scored on their
    development sentences when ``dev``, else those scored on their test sets."""
    parts = []
    voices = list(references) + [v for by_voice in results.values() for v in by_voice if v not in references]
    for voice in dict.fromkeys(v for v in voices if (" dev " in v) == dev):
        refs = references.get(voice, {})
        title = voice + (" (stand-in: ko_lmy resynthesised lower, not a real speaker)" if voice.startswith("standin")
                         else "")
        lines = [f"**{title}**", "", "| speech | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
                 "|---" * (len(COLUMNS) + 1) + "|"]
        rows = {**refs, **{label: by_voice[voice] for label, by_voice in results.items() if voice in by_voice}}
        for name, summary in rows.items():
            lines.append(f"| {name} | " + " | ".join(_cell(summary.get(key), d) for key, _, d in COLUMNS) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


CURVE_PANELS = [("mcd_db", "MCD dB (lower is better)", (6.0, 5.0)), ("error_ratio", "CER ratio (lower is better)", (1.6, 1.25)),
                ("secs", "speaker similarity", (0.80, 0.85)), ("dnsmos", "DNSMOS P.808", (3.4, 3.6))]


def plot_curve(results: dict[str, dict], labels: list[str], dataset: str, path: Path) -> Path | None:
    """The learning curve of each recipe row in ``labels`` on one data set: each metric against the number of
    recordings, one line per row (e.g. the parametric and the hybrid back-end)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # A back-end's rows are one curve whether or not each voice chose it ("default (hybrid*)" marks the choice).
    by_curve: dict[str, dict[int, dict]] = {}
    for label in labels:
        for name, summary in results.get(label, {}).items():
            if name.split(":")[0] == dataset:
                by_curve.setdefault(label.replace("*", ""), {})[int(name.split(":")[1])] = summary
    curves = {label: sorted(points.items()) for label, points in by_curve.items() if len(points) >= 2}
    if not curves:
        return None
    figure, axes = plt.subplots(1, len(CURVE_PANELS), figsize=(4 * len(CURVE_PANELS), 3.2))
    for axis, (key, title, (target_100, target_300)) in zip(axes, CURVE_PANELS, strict=True):
        for label, points in curves.items():
            axis.plot([n for n, _ in points], [s.get(key) for _, s in points], "o-", label=label)
        axis.axhline(target_100, color="tab:orange", linestyle=":", label="target at 100")
        axis.axhline(target_300, color="tab:green", linestyle="--", label="target at 300")
        axis.set_title(title)
        axis.set_xlabel("recordings (sentences)")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    figure.suptitle(f"{dataset}: learning curve")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", default=DEFAULT_VOICES, help="comma-separated DATASET:TRAIN[:TEST]")
    parser.add_argument("--label", default="Moksori", help="name of this recipe's rows")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=None, help="training threads (default: moksori train's)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        help="recipe override passed to moksori train, e.g. frame_pitch_layers=2")
    parser.add_argument("--no-references", action="store_true",
                        help="skip the espeak-ng and WORLD-copy rows not yet cached (the natural error is then "
                             "measured with the voice)")
    parser.add_argument("--rate-only", action="store_true",
                        help="only the speaking rate of the voices already trained, with and without calibration")
    parser.add_argument("--score-only", action="store_true", help="score the voices trained by an earlier run")
    parser.add_argument("--no-calibration", action="store_true", help="speak without the duration calibration")
    parser.add_argument("--backends", default=None,
                        help="score each of these back-ends (e.g. parametric,hybrid) as rows 'LABEL (BACKEND)', "
                             "the one the voice chose marked *; default: only the voice's own choice")
    parser.add_argument("--costs", action="append", default=[],
                        help="hybrid back-end setting FIELD=VALUE of unit_select.Costs for scoring, e.g. "
                             "model_spectrum=0.5 (with --score-only and --voice-label: the same voice, new rows)")
    parser.add_argument("--voice-label", default=None,
                        help="the label whose trained voices are scored (default: --label)")
    parser.add_argument("--from", dest="base", type=Path, default=None,
                        help="continue from this .voice (moksori train --from) instead of a fresh build")
    parser.add_argument("--dev", type=int, default=0,
                        help="score the N ids after each voice's training ids instead of its test set (for tuning)")
    parser.add_argument("--section", default="voice_generalisation")
    parser.add_argument("--plot", type=Path, default=None,
                        help="also plot the label's ko_lmy learning curve to this PNG (e.g. docs/learning_curve.png)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "moksori-bench" / "general")
    args = parser.parse_args()

    root = shared_data_dir()
    if root is None:
        sys.exit("shared data not found: set MOKSORI_DATA")
    args.workdir.mkdir(parents=True, exist_ok=True)
    saved = args.workdir / "results.json"
    stored = json.loads(saved.read_text()) if saved.exists() else {"results": {}, "references": {}}
    for spec in map(VoiceSpec.parse, args.voices.split(",")):
        source = root / ("ko_lmy" if spec.dataset == "standin" else spec.dataset)
        ids = sorted(line.split("|", 1)[0] for line in (source / "metadata.csv").read_text(encoding="utf-8").splitlines())
        spec.dev = args.dev
        train_ids, test_ids = spec.split(ids)
        work = args.workdir / spec.dataset
        data = make_standin(source, train_ids + test_ids, work / "recordings") if spec.dataset == "standin" else source
        if not args.no_references or (work / spec.references_file).exists():
            stored["references"][spec.name] = reference_rows(spec, data, test_ids, train_ids, work)
        voice_label = args.voice_label or args.label
        voice_path = work / f"voice{spec.train}_{voice_label.replace(' ', '_')}.voice"
        if args.rate_only:
            entry = stored["results"].setdefault(args.label, {}).setdefault(spec.name, {})
            entry["active_ratio_calibrated"] = speaking_rate(voice_path, data, test_ids, True)
            entry["active_ratio_uncalibrated"] = speaking_rate(voice_path, data, test_ids, False)
            entry["duration_scale"] = voicefile.read_card(voice_path).get("duration_scale")
            saved.write_text(json.dumps(stored, indent=1))
            print(spec.name, {k: entry[k] for k in ("active_ratio_calibrated", "active_ratio_uncalibrated",
                                                    "duration_scale")}, flush=True)
            continue
        timing = stored["results"].get(voice_label, {}).get(spec.name, {})
        if not args.score_only:
            timing = train_voice(subset(data, train_ids, work / f"train{spec.train}"), voice_path, spec.lang,
                                 args.steps, args.seed, threads=args.threads, settings=args.settings, base=args.base)
        timing = {k: timing[k] for k in ("train_minutes", "peak_rss_gb", "cpu_minutes") if k in timing}
        chosen = voicefile.read_card(voice_path).get("backend", "parametric")
        for backend in args.backends.split(",") if args.backends else [None]:
            row = args.label if backend is None else f"{args.label} ({backend}{'*' if backend == chosen else ''})"
            folder = re.sub(r"[^\w.-]+", "_", row).strip("_")
            summary = score_voice(voice_path, data, test_ids, train_ids, spec.lang, work / f"eval{spec.train}_{folder}",
                                  stored["references"].get(spec.name, {}).get("natural"), not args.no_calibration,
                                  backend, args.costs)
            if spec.name not in stored["references"]:  # keep the recordings' own scores for later labels
                stored["references"][spec.name] = {"natural": {
                    "secs": summary["natural_secs"], "error": summary["natural_error"],
                    "dnsmos": summary["natural_dnsmos"], "active_ratio": 1.0}}
            stored["results"].setdefault(row, {})[spec.name] = {**summary, **timing}
        saved.write_text(json.dumps(stored, indent=1))
        print(results_table(stored["results"], stored["references"], bool(args.dev)), flush=True)

    scored = (f"the {args.dev} ids after the training ids (development sentences: settings are tuned on these, never "
              "on the test sets)" if args.dev else "the last 25 (Korean) or 20 (English)")
    body = (
        "Each recipe (row label) trained with `moksori train` on the first N ids of each data set and scored on "
        f"{scored} by `moksori.evaluation.evaluate`: speaker similarity against the "
        "training recordings, CER by vosk (Korean) or WER by pocketsphinx (English), `active span` = median over "
        "the test sentences of the synthesized/natural span of detected speech (1.0 = the speaker's own rate). "
        f"Load average over the last 15 minutes at the end: {os.getloadavg()[2]:.1f} (the 2 cores are shared "
        f"with other work, so training minutes are upper bounds).\n\n"
        + results_table(stored["results"], stored["references"], bool(args.dev))
    )
    rows = [row for row in stored["results"] if row == args.label or row.startswith(f"{args.label} (")]
    if args.plot and plot_curve(stored["results"], rows, "ko_lmy", args.plot):
        body += f"\nLearning curve of `{args.label}` on ko_lmy: ![learning curve]({args.plot.name})\n"
    title = "Voice settings on development sentences" if args.dev else "Voice quality across voices (generalisation set)"
    write_section(args.section, title,
                  "nice .venv/bin/python -m bench.voice_generalisation " + " ".join(sys.argv[1:]), body)


if __name__ == "__main__":
    main()
