"""Voice quality benchmark: train a voice on the first N utterances of a data set, score the held-out ones.

    nice .venv/bin/python -m bench.voice_quality                      # ko_lmy 300 → last 25, and espeak-ng
    nice .venv/bin/python -m bench.voice_quality --dataset en_pmatthes --train 121 --test 20 --lang en
    nice .venv/bin/python -m bench.voice_quality --curve 50,100,200 --curve-only   # learning curve
    nice .venv/bin/python -m bench.voice_quality --steps 2400 --resume --section voice_quality_2400
        # continues the last run's checkpoint to 2400 steps; the time covers only the continuation
    nice .venv/bin/python -m bench.voice_quality --train 100 --backend both --no-espeak
        # one voice, scored with each back-end (and the one it chose); --reuse scores an existing voice again

Training runs as ``moksori train`` in a child process, so its wall-clock time and peak memory are measured
as a user would see them. Voices and work folders go to a temporary folder outside the repository: voices
trained on research-only data must never be shipped.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from moksori.paths import shared_data_dir

TARGETS = {"mcd_db": 5.0, "secs": 0.80, "error_ratio": 1.25, "dnsmos": 3.6}
TRAIN_TARGET_MINUTES, RSS_TARGET_GB = 20.0, 4.0


def subset(source: Path, ids: list[str], dest: Path) -> Path:
    """An LJSpeech-style folder of the rows ``ids`` of ``source``, linking (not copying) the audio."""
    rows = dict(line.split("|", 1) for line in (source / "metadata.csv").read_text(encoding="utf-8").splitlines())
    (dest / "wavs").mkdir(parents=True, exist_ok=True)
    for uid in ids:
        audio = next((source / "wavs").glob(f"{uid}.*"))
        link = dest / "wavs" / audio.name
        if not link.exists():
            link.symlink_to(audio)
    (dest / "metadata.csv").write_text("".join(f"{uid}|{rows[uid]}\n" for uid in ids), encoding="utf-8")
    return dest


def train_voice(dataset: Path, out: Path, lang: str, steps: int | None, seed: int, resume: bool = False,
                threads: int | None = None, settings: list[str] = (), base: Path | None = None) -> dict:
    """Run ``moksori train`` in a child process (continuing from the voice ``base`` if given); wall-clock
    minutes and the child's peak RSS."""
    command = [sys.executable, "-m", "moksori.cli", "train", str(dataset), "--out", str(out), "--lang", lang,
               "--seed", str(seed)]
    if steps:
        command += ["--steps", str(steps)]
    if threads:
        command += ["--threads", str(threads)]
    if resume:
        command.append("--resume")
    if base:
        command += ["--from", str(base)]
    for setting in settings:
        command += ["--set", setting]
    started = time.monotonic()
    subprocess.run(command, check=True)
    minutes = (time.monotonic() - started) / 60
    # ru_maxrss of waited-for children is the largest single process (KiB on Linux).
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"train_minutes": minutes, "peak_rss_gb": usage.ru_maxrss / 2**20,
            "cpu_minutes": (usage.ru_utime + usage.ru_stime) / 60}


def score(voice_path: Path | None, data: Path, test_ids: list[str], train_ids: list[str], lang: str, out_dir: Path,
          backend: str | None = None):
    """Evaluate a voice (or espeak-ng when ``voice_path`` is None) on ``test_ids``, with ``backend`` (default:
    the voice's own choice)."""
    from moksori.engine.voice import Voice
    from moksori.evaluation import espeak_synthesizer, evaluate, write_report

    if voice_path is None:
        synthesize = espeak_synthesizer(lang)
    else:
        voice = Voice.load(voice_path, backend=backend)

        def synthesize(text: str):
            return voice.synthesize(text), voice.sample_rate

    train_refs = [next((data / "wavs").glob(f"{uid}.*")) for uid in train_ids]
    result = evaluate(out_dir / "wavs", data / "wavs", data / "metadata.csv", train_refs, lang,
                      synthesize=synthesize, ids=test_ids, workers=2)
    write_report(result, out_dir)
    return result.summary


def table(rows: dict[str, dict]) -> str:
    columns = ["mcd_db", "f0_rmse_cents", "vuv_error", "secs", "error", "natural_error", "error_ratio", "dnsmos",
               "rtf"]
    lines = ["| voice | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, summary in rows.items():
        cells = [f"{summary[c]:.3f}" if isinstance(summary.get(c), float) else "–" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def curve_table(curve: dict[int, dict], lang: str) -> str:
    metric = "CER" if lang == "ko" else "WER"
    lines = [f"| utterances | MCD dB | F0 RMSE cents | SECS | {metric} ratio | DNSMOS | train min | CPU min |",
             "|---|---|---|---|---|---|---|---|"]
    for size, s in curve.items():
        lines.append(f"| {size} | {s['mcd_db']:.2f} | {s['f0_rmse_cents']:.0f} | {s['secs']:.3f} | "
                     f"{s['error_ratio']:.2f} | {s['dnsmos']:.2f} | {s['train_minutes']:.1f} | {s['cpu_minutes']:.1f} |")
    return "\n".join(lines) + "\n"


def card_note(card: dict) -> str:
    """The voice's own choice of back-end and the validation figures it chose by."""
    if "backends" not in card:
        return "The voice has no recorded units (parametric only)."
    figures = "; ".join(f"{name}: MCD {f['mcd_db']:.2f}, F0 {f['f0_rmse_cents']:.0f} cents, V/UV {f['vuv_error']:.3f}, "
                        f"score {f['score']:.2f}" for name, f in card["backends"].items())
    units = card.get("units", {})
    return (f"Voice card: back-end **{card['backend']}** chosen on its validation sentences ({figures}); "
            f"{units.get('half_phones')} half-phone units, {units.get('megabytes')} MB.")


def verdict(summary: dict, timing: dict | None, lang: str) -> str:
    checks = [
        ("MCD ≤ 5.0 dB", summary["mcd_db"], summary["mcd_db"] <= TARGETS["mcd_db"]),
        ("speaker similarity ≥ 0.80", summary["secs"], summary["secs"] >= TARGETS["secs"]),
        (f"{'CER' if lang == 'ko' else 'WER'} ratio ≤ 1.25", summary["error_ratio"], summary["error_ratio"] <= TARGETS["error_ratio"]),
        ("DNSMOS ≥ 3.6", summary["dnsmos"], summary["dnsmos"] >= TARGETS["dnsmos"]),
    ]
    if timing:
        checks += [
            ("training ≤ 20 min", timing["train_minutes"], timing["train_minutes"] <= TRAIN_TARGET_MINUTES),
            ("peak RSS ≤ 4 GB", timing["peak_rss_gb"], timing["peak_rss_gb"] <= RSS_TARGET_GB),
        ]
    return "\n".join(f"- {name}: {value:.3f} — {'met' if ok else '**missed**'}" for name, value, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="ko_lmy")
    parser.add_argument("--lang", default="ko")
    parser.add_argument("--train", type=int, default=300, help="train on the first N ids (sorted)")
    parser.add_argument("--test", type=int, default=25, help="score the last N ids")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--curve", default="", help="also train on these first-N sizes, e.g. 50,100,200")
    parser.add_argument("--curve-steps", type=int, default=None, help="step budget of the learning-curve runs")
    parser.add_argument("--curve-only", action="store_true", help="only the learning curve (with --curve)")
    parser.add_argument("--threads", type=int, default=None, help="training threads (default: moksori train's)")
    parser.add_argument("--no-espeak", action="store_true")
    parser.add_argument("--backend", choices=("parametric", "hybrid", "both", "voice"), default="both",
                        help="back-end(s) to score the voice with (voice: the one it chose)")
    parser.add_argument("--reuse", action="store_true", help="score the voice left by an earlier run, no training")
    parser.add_argument("--resume", action="store_true", help="continue the previous run's checkpoint")
    parser.add_argument("--section", default=None, help="docs/benchmarks.md section name")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "moksori-bench")
    args = parser.parse_args()

    root = shared_data_dir()
    if root is None:
        sys.exit("shared data not found: set MOKSORI_DATA")
    data = root / args.dataset
    ids = sorted(line.split("|", 1)[0] for line in (data / "metadata.csv").read_text(encoding="utf-8").splitlines())
    test_ids = ids[-args.test :]
    train_ids = ids[: args.train]
    work = args.workdir / args.dataset
    work.mkdir(parents=True, exist_ok=True)

    command = "nice .venv/bin/python -m bench.voice_quality " + " ".join(sys.argv[1:])
    curve = {}
    for size in [int(n) for n in args.curve.split(",") if n]:
        curve_timing = train_voice(subset(data, ids[:size], work / f"train{size}"), work / f"voice{size}.voice",
                                   args.lang, args.curve_steps, args.seed, threads=args.threads)
        curve[size] = {**score(work / f"voice{size}.voice", data, test_ids, ids[:size], args.lang,
                               work / f"eval{size}"), **curve_timing}
    if args.curve_only:
        # Sizes may run as separate processes side by side; each adds its rows to the ones already measured.
        saved = work / "curve.json"
        earlier = {int(k): v for k, v in json.loads(saved.read_text()).items()} if saved.exists() else {}
        curve = dict(sorted({**earlier, **curve}.items()))
        saved.write_text(json.dumps(curve, indent=1))
        body = (f"Train on the first N ids of `{args.dataset}` (sorted), {args.curve_steps or 'default'} steps each, "
                f"score the last {args.test}. Sizes measured so far: {', '.join(map(str, curve))} (each size may be "
                f"its own process with `--curve N`; wall-clock minutes then include the others' load, CPU minutes "
                f"do not).\n\n{curve_table(curve, args.lang)}")
        write_section(args.section or f"voice_quality_curve_{args.dataset}", f"Learning curve: {args.dataset}",
                      command, body)
        return

    voice_path = work / f"voice{args.train}.voice"
    summary_path = work / f"summary{args.train}.json"
    if args.reuse:  # training figures only if an earlier run of this script trained the voice
        timing = json.loads(summary_path.read_text())["timing"] if summary_path.exists() else None
    else:
        timing = train_voice(subset(data, train_ids, work / f"train{args.train}"), voice_path,
                             args.lang, args.steps, args.seed, args.resume, args.threads)
    from moksori.engine import voicefile

    card = voicefile.read_card(voice_path)
    backends = {"both": ["parametric", "hybrid"], "voice": [None]}.get(args.backend, [args.backend])
    rows = {}
    for backend in backends:
        name = f"Moksori {backend or card.get('backend', 'parametric')}, {args.train} utterances"
        rows[name] = score(voice_path, data, test_ids, train_ids, args.lang,
                           work / f"eval{args.train}_{backend or 'voice'}", backend)
    if not args.no_espeak:
        rows["espeak-ng"] = score(None, data, test_ids, train_ids, args.lang, work / "eval_espeak")
    chosen = f"Moksori {card.get('backend', 'parametric')}, {args.train} utterances"
    main_summary = rows.get(chosen, next(iter(rows.values())))
    summary_path.write_text(json.dumps({"rows": rows, "timing": timing, "curve": curve, "card": card}, indent=1))

    body = (
        f"Train on the first {args.train} ids of `{args.dataset}` (sorted), score the last {args.test} "
        f"(`moksori.evaluation.evaluate`; speaker similarity against the training recordings).\n\n"
        + (f"Training: {timing['train_minutes']:.1f} min wall-clock "
           f"({'continuing the previous run to ' if args.resume else 'import, WORLD analysis, '}"
           f"{args.steps or 'default'} steps, saving), {timing['cpu_minutes']:.1f} CPU-minutes, "
           f"peak RSS {timing['peak_rss_gb']:.2f} GB." if timing else
           f"Voice `{voice_path.name}` made beforehand ({card.get('steps')} steps); training not timed here.")
        + f"\n\n{table(rows)}\n\n"
        f"{card_note(card)}\n\nTargets (the back-end the voice chose):\n\n"
        f"{verdict(main_summary, timing, args.lang)}\n"
    )
    if curve:
        body += f"\nLearning curve ({args.curve_steps or 'default'} steps each):\n\n{curve_table(curve, args.lang)}"
    name = args.section or ("voice_quality" if args.dataset == "ko_lmy" else f"voice_quality_{args.dataset}")
    write_section(name, f"Voice quality: {args.dataset}", command, body)


if __name__ == "__main__":
    main()
