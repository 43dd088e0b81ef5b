"""``write_report``: an evaluation as JSON plus a Markdown page with plots."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from moksori.evaluation.harness import EvaluationResult

# (field, natural field or None, label) for the summary table and the per-utterance bar plots.
METRICS = [
    ("mcd_db", None, "MCD (dB)"),
    ("f0_rmse_cents", None, "F0 RMSE (cents)"),
    ("gpe", None, "gross pitch error"),
    ("vuv_error", None, "V/UV error"),
    ("secs", "natural_secs", "speaker similarity"),
    ("error", "natural_error", "ASR error"),
    ("dnsmos", "natural_dnsmos", "DNSMOS P.808"),
]


def write_report(result: EvaluationResult, out_dir: str | Path, title: str = "Voice evaluation") -> Path:
    """Write ``result.json``, ``metrics.png``, ``f0.png`` and ``report.md`` into ``out_dir``; returns the page."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(result.to_json(), encoding="utf-8")
    _plot_metrics(result, out / "metrics.png")
    if result.f0_contours:
        _plot_f0(result, out / "f0.png")
    page = out / "report.md"
    page.write_text(markdown(result, title), encoding="utf-8")
    return page


def markdown(result: EvaluationResult, title: str = "Voice evaluation") -> str:
    """The report page: summary table, per-utterance table, plots."""
    s = result.summary
    error_label = result.error_metric.upper()
    lines = [f"# {title}", "", f"{s['utterances']} utterances, language `{result.lang}`.", ""]
    lines += ["| metric | synthesized | natural |", "|---|---|---|"]
    for name, natural, label in METRICS:
        label = label.replace("ASR error", error_label)
        lines.append(f"| {label} | {_fmt(s.get(name))} | {_fmt(s.get(natural)) if natural else '–'} |")
    lines += [
        "",
        f"{error_label} ratio synthesized/natural: {_fmt(s['error_ratio'])}; "
        f"speaker similarity ratio: {_fmt(s['secs_ratio'])}; synthesis RTF: {_fmt(s['rtf'])}; "
        f"harness CPU seconds per utterance: {_fmt(s['eval_seconds'])}.",
        "",
    ]
    if result.missing:
        lines += [f"No synthesized audio for: {', '.join(result.missing)}.", ""]
    lines += ["![per-utterance metrics](metrics.png)", ""]
    if result.f0_contours:
        lines += ["![F0 contours, synthesized vs natural](f0.png)", ""]
    header = ["id", "MCD", "F0 cents", "GPE", "V/UV", "SECS", error_label, f"natural {error_label}", "DNSMOS", "transcript"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for u in result.utterances:
        cells = [u.id, u.mcd_db, u.f0_rmse_cents, u.gpe, u.vuv_error, u.secs, u.error, u.natural_error, u.dnsmos]
        lines.append("| " + " | ".join(_fmt(c) if not isinstance(c, str) else c for c in cells) + f" | {u.transcript} |")
    return "\n".join(lines) + "\n"


def _plot_metrics(result: EvaluationResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = [u.id for u in result.utterances]
    x = np.arange(len(ids))
    fig, axes = plt.subplots(len(METRICS), 1, figsize=(max(6, 0.35 * len(ids) + 2), 2.2 * len(METRICS)), sharex=True)
    for ax, (name, natural, label) in zip(axes, METRICS, strict=True):
        synth = [_nan(getattr(u, name)) for u in result.utterances]
        if natural and any(getattr(u, natural) is not None for u in result.utterances):
            ax.bar(x - 0.2, synth, 0.4, label="synthesized")
            ax.bar(x + 0.2, [_nan(getattr(u, natural)) for u in result.utterances], 0.4, label="natural")
            ax.legend(fontsize=7)
        else:
            ax.bar(x, synth, 0.6)
        ax.set_ylabel(label.replace("ASR error", result.error_metric.upper()), fontsize=8)
    axes[-1].set_xticks(x, ids, rotation=90, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _plot_f0(result: EvaluationResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    contours = result.f0_contours
    fig, axes = plt.subplots(len(contours), 1, figsize=(8, 2.4 * len(contours)), squeeze=False)
    for ax, (utt_id, pair) in zip(axes[:, 0], contours.items(), strict=True):
        for key in ("natural", "synth"):
            f0 = np.array(pair[key], dtype=float)
            f0[f0 <= 0] = np.nan  # unvoiced frames leave gaps
            ax.plot(np.arange(len(f0)) * result.frame_period_ms / 1000, f0, label=key, lw=1)
        ax.set_title(utt_id, fontsize=9)
        ax.set_ylabel("F0 (Hz)", fontsize=8)
        ax.legend(fontsize=7)
    axes[-1, 0].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
