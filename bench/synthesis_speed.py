"""Synthesis speed of a voice on one CPU core, first-chunk latency of ``Voice.stream``, memory of a loaded
voice, and the fast vocoder's copy-synthesis quality against WORLD's own synthesis.

    .venv/bin/python -m bench.synthesis_speed [--voice V.voice] [--backend hybrid] [--quality-utterances 25]

Without ``--voice`` it measures an untrained model of the default ("base") size whose duration head is
set to 75 ms per phone, which costs the same as a trained one of that size; the section says which.
"""

from __future__ import annotations

import os

# One core, one thread everywhere (set before numpy/torch load their thread pools).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.report import write_section  # noqa: E402
from moksori.dataset.synthetic import KO_SENTENCES  # noqa: E402
from moksori.engine import features, unit_select, voicefile  # noqa: E402
from moksori.engine.voice import Voice  # noqa: E402

# 30 syllables, one phrase break in the middle, and the same sentence without it.
LONG_SENTENCE = "오늘은 날씨가 좋아서, 친구들과 함께 공원에 가서 산책을 하고 밥을 먹었죠."
LONG_SENTENCE_NO_BREAK = LONG_SENTENCE.replace(",", "")
PHONE_MS = 75.0


def syllables(text: str) -> int:
    return sum(0xAC00 <= ord(c) <= 0xD7A3 for c in text)


def stand_in_voice(path: Path) -> Path:
    """An untrained acoustic model of the default size, speaking at a typical 75 ms per phone."""
    from moksori.engine.acoustic import AcousticConfig, AcousticModel
    from moksori.engine.training import MODEL_SIZES, TrainConfig
    from moksori.text.phoneset import PHONES

    torch.manual_seed(0)
    rate = 22050
    config = AcousticConfig(
        n_phones=len(PHONES), bap_dim=features.bap_dim(rate), sample_rate=rate,
        **MODEL_SIZES[TrainConfig().model_size],
    )  # fmt: skip
    model = AcousticModel(config)
    t = np.arange(rate) / rate
    vowel = sum(np.sin(2 * np.pi * k * 150 * t) / k for k in range(1, 30)).astype(np.float32) * 0.1
    real = features.analyze(vowel, rate)
    std = np.full(config.n_feats, 0.05)
    std[-1] = 1.0
    model.set_statistics(
        {
            "feat_mean": np.concatenate([real.mcep.mean(0), real.bap.mean(0), [math.log(150.0), 0.0]]),
            "feat_std": std,
        }
    )
    with torch.no_grad():
        model.duration.head.weight.zero_()
        model.duration.head.bias.fill_(math.log1p(PHONE_MS / features.FRAME_PERIOD_MS / config.reduction))
    return voicefile.save(
        path, {"model": asdict(config), "language": "ko"}, model.state_dict(), list(PHONES), {}
    )


def median_time(fn, repeats: int) -> float:
    """Median CPU seconds of ``fn`` (this process, one thread): unlike wall time, it does not count
    waiting for a core that other work on the machine holds."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return float(np.median(times))


def median_wall(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def speed(voice: Voice, repeats: int) -> dict:
    """Seconds spent per second of audio: whole pipeline (CPU and wall), and text / model / vocoder apart."""
    texts = KO_SENTENCES[:20]
    voice.synthesize(texts[0])  # warm-up (lazy imports, caches)
    audio_s = sum(len(voice.synthesize(t, pause_ms=0)) for t in texts) / voice.sample_rate
    everything = lambda: [voice.synthesize(t, pause_ms=0) for t in texts]  # noqa: E731
    total, wall = median_time(everything, repeats), median_wall(everything, repeats)
    ids = [voice.phone_ids(t) for t in texts]
    text_s = median_time(lambda: [voice.phone_ids(t) for t in texts], repeats)

    def model_pass():
        return [voice.model.generate(s)[0] for sentence in ids for s in sentence]

    model_s = median_time(model_pass, repeats)
    feats = model_pass()
    vocoder_s = median_time(lambda: [features.synthesize(f) for f in feats], repeats)
    world_s = median_time(lambda: [features.synthesize_world(f) for f in feats], repeats)
    units_s = 0.0
    if voice.backend == "hybrid":
        flat = [s for sentence in ids for s in sentence]
        predicted = [voice.model.generate(s) for s in flat]
        units_s = median_time(lambda: [unit_select.speak(voice.units, f, np.asarray(s), d)
                                       for (f, d), s in zip(predicted, flat, strict=True)], repeats)
    return {
        "audio_s": audio_s,
        "rtf": total / audio_s,
        "rtf_wall": wall / audio_s,
        "text": text_s / audio_s,
        "model": model_s / audio_s,
        "vocoder": vocoder_s / audio_s,
        "world_vocoder": world_s / audio_s,
        "unit_search": units_s / audio_s,
    }


def first_chunk(voice: Voice, text: str, repeats: int) -> dict:
    """Time until ``stream`` yields its first chunk (CPU and wall), that chunk's length, the chunk count."""
    chunks = list(voice.stream(text))
    first = lambda: next(iter(voice.stream(text)))  # noqa: E731
    return {
        "cpu_s": median_time(first, repeats),
        "wall_s": median_wall(first, repeats),
        "chunk_s": len(chunks[0]) / voice.sample_rate,
        "chunks": len(chunks),
        "audio_s": sum(map(len, chunks)) / voice.sample_rate,
    }


def memory_mb(voice_path: Path, backend: str | None) -> dict[str, float]:
    """Peak RSS (VmHWM, MB) of a fresh process at each step of getting a voice to speak."""
    code = (
        "import json, sys\n"
        "def peak():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024\n"
        "steps = {'python': peak()}\n"
        "from moksori.engine.voice import Voice\n"
        "steps['engine imported'] = peak()\n"
        "from moksori.engine.voice import WARM_UP_TEXT\n"
        "from moksori.text import phonemes\n"
        "phonemes(WARM_UP_TEXT['ko'], 'ko')\n"
        "steps['text front-end loaded (morpheme analyser)'] = peak()\n"
        "v = Voice.load(sys.argv[1], backend=sys.argv[3] or None)\n"
        "steps['voice loaded'] = peak()\n"
        "v.synthesize(sys.argv[2])\n"
        "steps['one sentence spoken'] = peak()\n"
        "print(json.dumps(steps))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code, str(voice_path), LONG_SENTENCE, backend or ""],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def copy_synthesis_quality(count: int) -> dict | None:
    """Natural vs WORLD-copy vs fast-vocoder-copy of the held-out ko_lmy utterances (last ``count``)."""
    from moksori.audio import ENGINE_SAMPLE_RATE, load_audio
    from moksori.evaluation.metrics import analyse, compare
    from moksori.evaluation.models import dnsmos_p808
    from moksori.paths import shared_data_dir

    data = shared_data_dir()
    if data is None or not (data / "ko_lmy" / "wavs").is_dir():
        return None
    wavs = sorted((data / "ko_lmy" / "wavs").glob("*.flac"))[-count:]
    rows: dict[str, list] = {"natural": [], "world": [], "fast": [], "fast_dio": []}
    for wav in wavs:
        natural, rate = load_audio(wav, ENGINE_SAMPLE_RATE)
        feats = features.analyze(natural, rate)
        reference = analyse(natural, rate)
        rows["natural"].append((None, dnsmos_p808(natural, rate)))
        outputs = {
            "world": features.synthesize_world(feats),
            "fast": features.synthesize(feats),
            "fast_dio": features.synthesize(features.analyze(natural, rate, f0_method="dio")),
        }
        for name, audio in outputs.items():
            rows[name].append((compare(reference, analyse(audio, rate)), dnsmos_p808(audio, rate)))
    summary = {}
    for name, items in rows.items():
        scores = [s for s, _ in items if s is not None]
        summary[name] = {
            "dnsmos": float(np.mean([m for _, m in items])),
            **(
                {
                    "mcd": float(np.mean([s.mcd_db for s in scores])),
                    "f0_cents": float(np.nanmean([s.f0_rmse_cents for s in scores])),
                    "gpe": float(np.nanmean([s.gpe for s in scores])),
                    "vuv": float(np.mean([s.vuv_error for s in scores])),
                }
                if scores
                else {}
            ),
        }
    summary["utterances"] = len(wavs)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", type=Path, help="a trained .voice (default: an untrained stand-in)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quality-utterances", type=int, default=25, help="0 skips the quality check")
    parser.add_argument("--backend", choices=("parametric", "hybrid"), help="default: the voice's own choice")
    parser.add_argument("--no-write", action="store_true", help="print, do not update docs/benchmarks.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        voice_path = args.voice or stand_in_voice(Path(tmp) / "stand-in.voice")
        voice = Voice.load(voice_path, backend=args.backend)
        which = (
            f"trained voice `{voice_path.name}` ({voice.card.get('model_size', '?')} model, "
            f"{voice.card.get('utterances', '?')} utterances, {voice.card.get('minutes', '?')} min of data, "
            f"{voice.card.get('steps', '?')} steps), {voice.backend} back-end"
            if args.voice
            else "untrained stand-in of the default model size (no trained voice given)"
        )
        params = voice.model.n_parameters
        result = speed(voice, args.repeats)
        latency = first_chunk(voice, LONG_SENTENCE, args.repeats)
        latency_nb = first_chunk(voice, LONG_SENTENCE_NO_BREAK, args.repeats)
        memory = memory_mb(voice_path, args.backend)
    quality = copy_synthesis_quality(args.quality_utterances) if args.quality_utterances else None

    figures = {"voice": which, "parameters": params, **result, "first_chunk": latency,
               "first_chunk_no_break": latency_nb, "peak_rss_mb": memory,
               "quality": quality}  # fmt: skip
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.no_write:
        return
    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    body = f"""
Voice: {which}, {params / 1e6:.2f} M parameters. One core (affinity pinned, one thread), median of {args.repeats} runs,
{len(KO_SENTENCES[:20])} Korean sentences, {result["audio_s"]:.1f} s of audio. CPU time of the process and wall
time are both given, each the median of separate runs: the machine is shared (1-minute load average
{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end), which stretches wall time and, through busy
sibling hyperthreads, CPU time too, so the two can disagree either way.

| measure | value | target |
|---|---|---|
| synthesis RTF, text → audio (CPU time) | {result["rtf"]:.4f} (wall {result["rtf_wall"]:.4f}) | ≤ 0.02 {ok(result["rtf"] <= 0.02)} |
| — text front-end | {result["text"]:.4f} | |
| — acoustic model | {result["model"]:.4f} | |
| — unit search and joining (hybrid back-end) | {result["unit_search"]:.4f} | |
| — vocoder (`features.synthesize`, ours) | {result["vocoder"]:.4f} | |
| — for comparison: `pyworld.synthesize` with decoding | {result["world_vocoder"]:.4f} | |
"""
    for label, figure in (("with a comma", latency), ("without the comma", latency_nb)):
        body += (
            f"| first `stream` chunk, {syllables(LONG_SENTENCE)}-syllable sentence {label} "
            f"({figure['audio_s']:.1f} s of audio) | {figure['cpu_s'] * 1000:.0f} ms CPU, "
            f"{figure['wall_s'] * 1000:.0f} ms wall (chunk of {figure['chunk_s']:.2f} s, {figure['chunks']} chunks) "
            f"| ≤ 100 ms {ok(figure['cpu_s'] <= 0.1)} |\n"
        )
    spoken = memory["one sentence spoken"]
    for step, mb in memory.items():
        target = f"≤ 400 MB {ok(spoken <= 400)}" if step == "one sentence spoken" else ""
        body += f"| peak RSS of a fresh process: {step} | {mb:.0f} MB | {target} |\n"
    if quality:
        body += f"""
Vocoder copy-synthesis quality (analysis → synthesis of the last {quality["utterances"]} `ko_lmy` utterances;
metrics from `moksori.evaluation`: MCD and F0 along a DTW path against the natural recording, DNSMOS P.808):

| speech | MCD dB | F0 RMSE cents | GPE | V/UV err | DNSMOS |
|---|---|---|---|---|---|
| natural | – | – | – | – | {quality["natural"]["dnsmos"]:.2f} |
"""
        for name, label in (
            ("world", "WORLD synthesis (`pyworld.synthesize`)"),
            ("fast", "our vocoder"),
            ("fast_dio", "our vocoder, F0 analysed with DIO + StoneMask instead of Harvest"),
        ):
            q = quality[name]
            body += (
                f"| {label} | {q['mcd']:.2f} | {q['f0_cents']:.0f} | {q['gpe']:.3f} | {q['vuv']:.3f} "
                f"| {q['dnsmos']:.2f} |\n"
            )
    command = "python -m bench.synthesis_speed" + (f" --voice {args.voice}" if args.voice else "")
    command += f" --backend {args.backend}" if args.backend else ""
    name = "synthesis_speed" + (f"_{args.backend}" if args.backend == "hybrid" else "")
    write_section(name, f"Synthesis speed (voice engine{', hybrid back-end' if name != 'synthesis_speed' else ''})",
                  command, body)


if __name__ == "__main__":
    main()
