"""A conversation or call: the other person's audio in → live captions; typed text → the user's own voice out.

``CallSession`` knows nothing of networks: a transport (``moksori.calls.webrtc``, ``moksori.calls.pcm_socket``,
later SIP) gives it the far end's audio with ``hear`` and takes the user's voice with ``next_frame``, one
20 ms frame at a time at ``OUT_RATE``, at the pace of the line. Everything else happens here:

- **Speaking.** ``say`` queues a sentence (typing ahead queues more); a task on the event loop asks
  ``voice.stream`` for chunk after chunk in a thread pool (synthesis is CPU work and never runs on the loop),
  resamples them as one stream (``StreamResampler``: no clicks where chunks meet) and cuts them into frames.
  ``stop`` empties the queue and fades the current sentence out over one frame.
- **Captions.** Far-end audio is resampled to 16 kHz (``recogniser_input``: a phone line's 8 kHz audio also
  gets a 4–8 kHz band predicted from it) and fed to a ``StreamingRecognizer`` in a thread of its own; partial and
  final results come back as events, finals also as transcript lines.
- **Gating** (face to face, where the microphone also hears the user's own synthesized voice): from the
  first frame of a sentence until ``echo_tail_s`` after its last, the recogniser is fed silence instead of the
  microphone. Feeding silence rather than nothing keeps caption times aligned with the conversation and lets
  the endpointer close a line the other person was in the middle of.
- **Transcript.** Every line (speaker, text, start, end, final) is kept in ``transcript`` and announced as an
  event, so a listener can store it at once: nothing is lost when either side drops.

Events are plain dicts (JSON-ready) given to every function passed to ``subscribe``, on the event loop:

| type | fields | when |
|---|---|---|
| ``caption`` | ``speaker`` ("them"), ``text``, ``start``, ``end``, ``final``; finals also ``words`` ([text, start, end]) | a partial (replaces the previous one) or a final line |
| ``speaking`` | ``text``, ``start`` | the first frame of one of the user's sentences leaves |
| ``line`` | ``speaker``, ``text``, ``start``, ``end``, ``final`` | a transcript line is complete (a final caption, a sentence said or cut off) |
| ``queue`` | ``waiting`` (texts not heard yet) | a sentence was queued, began to be heard, or was stopped |
| ``problem`` | ``code`` (a ``moksori.calls.call_problems`` code), ``params``, ``message`` (plain English) | something the user should know (captions unavailable) |
| ``ended`` | ``reason`` (a ``moksori.calls.endings`` code), ``unsaid`` (texts never spoken) | the session closed |

Transports and the app add their own through ``announce`` (the web app: ``joined`` when the far end connects).

Times are seconds since the session started.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import queue
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from moksori.asr.offline import ASR_RATE
from moksori.asr.streaming import Recognition, RecognizerUnavailable, StreamingRecognizer, recogniser_input
from moksori.audio.bandwidth import NarrowbandToWideband
from moksori.audio.framing import FrameBuffer, StreamResampler, frame_samples
from moksori.calls.call_problems import CAPTIONS_UNAVAILABLE, CallEnded, nothing_to_say, problem_event
from moksori.calls.endings import HUNG_UP

OUT_RATE = 48000  # WebRTC's Opus runs at 48 kHz; other transports resample from here
ME, THEM = "me", "them"
# Between two queued sentences, as between sentences of one text (engine.voice.DEFAULT_PAUSE_MS).
SENTENCE_GAP_S = 0.25
ECHO_TAIL_S = 0.3
# Far-end audio reaches the recogniser in blocks this long: a tenth of a second adds at most that to a
# caption's delay and saves most of the per-frame overhead (bench/calls_latency.py, docs/benchmarks.md).
RECOGNITION_BLOCK_S = 0.1

Event = dict[str, Any]


class SpeakingVoice(Protocol):
    sample_rate: int

    def stream(self, text: str) -> Iterator[np.ndarray]: ...


@dataclass
class TranscriptLine:
    speaker: str  # ME or THEM
    text: str
    start: float
    end: float
    final: bool = True  # False: a caption never confirmed, or a sentence cut off by stop or hang-up

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Sentence:
    text: str
    queued_at: float
    first_frame_at: float | None = None
    made: bool = False  # synthesis finished: its last frame is queued
    cancelled: bool = False


@dataclass
class SessionStats:
    """What a benchmark or a health page wants to know about the audio path."""

    frames_sent: int = 0  # speech frames handed to the transport
    late_frames: int = 0  # frames asked for mid-sentence while synthesis had none ready (a gap on the line)
    first_frame_delays: list[float] = field(default_factory=list)  # say() → first frame handed out, seconds
    gated_s: float = 0.0  # microphone audio replaced by silence while the user's voice played
    heard_s: float = 0.0


# One lock per voice: a Voice serves one caller at a time, and several sessions may share one.
_voice_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_voice_locks_guard = threading.Lock()


def _voice_lock(voice: SpeakingVoice) -> threading.Lock:
    with _voice_locks_guard:
        return _voice_locks.setdefault(voice, threading.Lock())


_shared_executor: ThreadPoolExecutor | None = None


def shared_executor() -> ThreadPoolExecutor:
    """The default pool for synthesis: two threads (the machine's cores), shared by every session."""
    global _shared_executor
    if _shared_executor is None:
        _shared_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="moksori-speech")
    return _shared_executor


class CallSession:
    """One call or face-to-face conversation. Create it, ``await start()``, then connect a transport."""

    def __init__(
        self,
        voice: SpeakingVoice,
        *,
        lang: str = "ko",
        gate_own_voice: bool = False,
        recognizer_factory: Callable[[], StreamingRecognizer] | None = None,
        executor: Executor | None = None,
        echo_tail_s: float = ECHO_TAIL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.voice = voice
        self.lang = lang
        self.gate_own_voice = gate_own_voice
        self.echo_tail_s = echo_tail_s
        self.transcript: list[TranscriptLine] = []
        self.stats = SessionStats()
        self.captions_available = False
        self.closed = False
        self.muted = False
        self._clock = clock
        self._started = clock()
        self._recognizer_factory = recognizer_factory if recognizer_factory is not None else (
            lambda: StreamingRecognizer(lang))
        self._executor = executor or shared_executor()
        self._listeners: list[Callable[[Event], None]] = []
        self._far_end_listeners: list[Callable[[np.ndarray, int], None]] = []
        self._waiting: deque[_Sentence] = deque()
        self._frames: deque[tuple[_Sentence, np.ndarray, bool]] = deque()  # (sentence, frame, is its last)
        self._current: _Sentence | None = None  # being made or played
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._speaker: asyncio.Task | None = None
        self._gate_until = -1.0
        self._to_16k: StreamResampler | NarrowbandToWideband | None = None
        self._in_rate = 0
        self.audio_origin: float | None = None  # session time of the first far-end sample (caption times count from it)
        self._heard: queue.Queue[np.ndarray | None] = queue.Queue()
        self._block: list[np.ndarray] = []  # far-end audio at its own rate, not yet resampled
        self._block_samples = 0
        self._listener_thread: threading.Thread | None = None
        self._kept: deque[np.ndarray] = deque()  # the last of what the recogniser heard (``keep_heard``)
        self._kept_s = 0.0
        self._kept_from = 0  # recogniser sample index of the first kept sample
        self._recognised_samples = 0

    # --- life -------------------------------------------------------------------------------------------

    @property
    def started_at(self) -> float:
        """When the session started, on its clock (``time.monotonic()`` unless another was given)."""
        return self._started

    def now(self) -> float:
        """Seconds since the session started."""
        return self._clock() - self._started

    async def start(self, listen: bool = True) -> None:
        """Start speaking, and captions when ``listen`` (an unavailable recogniser becomes a ``problem`` event)."""
        self._loop = asyncio.get_running_loop()
        # Both directions are resampled on the event loop (``StreamResampler``), which imports scipy.signal on
        # first use: 0.6 s of CPU, 1.4 s on a busy machine, that held up the loop (the far end's first audio
        # and its captions) at the start of a call. Loaded here, off the loop, before any audio flows.
        await self._loop.run_in_executor(self._executor, importlib.import_module, "scipy.signal")
        self._speaker = asyncio.create_task(self._speak_queue())
        if listen:
            try:
                recognizer = await self._loop.run_in_executor(self._executor, self._recognizer_factory)
            except RecognizerUnavailable as error:
                self._emit(problem_event(CAPTIONS_UNAVAILABLE, str(error)))
            else:
                self.captions_available = True
                self._listener_thread = threading.Thread(target=self._recognise, args=(recognizer,),
                                                         name="moksori-captions", daemon=True)
                self._listener_thread.start()

    async def close(self, reason: str = HUNG_UP) -> None:
        """End the session: the sentence being spoken is kept as a cut-off line, an utterance being
        recognised becomes its last caption, and ``ended`` is announced. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        # Never spoken: queued, or already made (the voice runs ahead of the line) but not started.
        unsaid = self.waiting
        if self._speaker:
            self._speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._speaker
        self._cut_off_current()
        self._waiting.clear()
        self._frames.clear()
        if self._listener_thread:
            self._send_block()
            self._heard.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._listener_thread.join)
            # The thread's last results were scheduled on the loop; let them run before "ended".
            await asyncio.sleep(0)
        self._emit({"type": "ended", "reason": reason, "unsaid": unsaid})

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener(event)`` for every event from now on; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def announce(self, event: Event) -> None:
        """Pass an event of the transport or the app (e.g. ``{"type": "joined"}``) to the same listeners."""
        self._emit(event)

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- speaking ---------------------------------------------------------------------------------------

    def say(self, text: str, first: bool = False) -> int:
        """Queue ``text`` to be spoken (at the front with ``first``, e.g. the call notice); returns how many
        sentences now wait. Empty text is refused with ``ValueError``, any text once the session closed with
        ``RuntimeError`` (both with their ``moksori.calls.call_problems`` code)."""
        text = " ".join(text.split())
        if not text:
            raise nothing_to_say()
        if self.closed:
            raise CallEnded()
        sentence = _Sentence(text, self._clock())
        if first:
            self._waiting.extendleft(reversed([sentence, *self._unstart()]))
        else:
            self._waiting.append(sentence)
        self._wake.set()
        self._emit_queue()
        return len(self._waiting)

    def _unstart(self) -> list[_Sentence]:
        """Take back sentences made but not yet heard (their frames, or their synthesis), to be made again
        after a sentence that must come first."""
        taken: dict[int, _Sentence] = {}
        kept = deque()
        for item in self._frames:
            if item[0].first_frame_at is None:
                taken.setdefault(id(item[0]), item[0])
            else:
                kept.append(item)
        self._frames = kept
        if self._current is not None and self._current.first_frame_at is None:
            taken.setdefault(id(self._current), self._current)
            self._current.cancelled = True
        return [_Sentence(s.text, s.queued_at) for s in taken.values()]

    def stop(self) -> None:
        """Stop speaking now and forget what was waiting; the sentence cut off is kept as a line."""
        self._waiting.clear()
        head = self._frames[0] if self._frames else None
        self._frames.clear()
        if self._current is not None:
            self._current.cancelled = True
        if head is not None and head[0].first_frame_at is not None:
            # One frame fading to silence instead of a hard cut, which would click; the line ends with it.
            sentence, frame, _ = head
            sentence.cancelled = True
            self._frames.append((sentence, frame * np.linspace(1.0, 0.0, frame.size, dtype=np.float32), True))
        elif self._current is not None and self._current.first_frame_at is not None:
            self._finish_sentence(self._current, final=False)
        self._emit_queue()

    def set_muted(self, muted: bool) -> None:
        """While muted the far end hears silence; sentences wait (nothing typed is lost)."""
        self.muted = muted

    @property
    def waiting(self) -> list[str]:
        """Sentences not heard yet, in order: made and waiting for the line, being made, or queued."""
        unheard: dict[int, _Sentence] = {}
        for sentence, _, _ in self._frames:
            if sentence.first_frame_at is None:
                unheard.setdefault(id(sentence), sentence)
        current = self._current
        if current is not None and current.first_frame_at is None and not current.cancelled:
            unheard.setdefault(id(current), current)
        return [s.text for s in [*unheard.values(), *self._waiting]]

    @property
    def speaking(self) -> bool:
        return self._current is not None or bool(self._frames)

    def next_frame(self) -> np.ndarray | None:
        """The next 20 ms of the user's voice at ``OUT_RATE``, or None when there is nothing to send
        (the transport sends silence). Called by the transport at the line's pace."""
        if self.muted or not self._frames:
            current = self._current
            if not self.muted and current and current.first_frame_at is not None and not current.made:
                self.stats.late_frames += 1
            return None
        sentence, frame, last = self._frames.popleft()
        now = self._clock()
        if sentence.first_frame_at is None:
            sentence.first_frame_at = now
            self.stats.first_frame_delays.append(now - sentence.queued_at)
            self._emit({"type": "speaking", "text": sentence.text, "start": self.now()})
            self._emit_queue()
        self.stats.frames_sent += 1
        self._gate_until = now + frame.size / OUT_RATE + self.echo_tail_s
        if last:
            self._finish_sentence(sentence, final=not sentence.cancelled)
        return frame

    async def _speak_queue(self) -> None:
        loop = asyncio.get_running_loop()
        gap = np.zeros(int(OUT_RATE * SENTENCE_GAP_S), dtype=np.float32)
        while True:
            while not self._waiting:
                self._wake.clear()
                await self._wake.wait()
            sentence = self._waiting.popleft()
            self._current = sentence
            framer = FrameBuffer(OUT_RATE)
            resampler = StreamResampler(self.voice.sample_rate, OUT_RATE)
            chunks = self.voice.stream(sentence.text)
            lock = _voice_lock(self.voice)
            if self._frames:  # still playing the previous sentence: leave a pause, as between sentences
                self._frames.extend((sentence, frame, False) for frame in framer.push(gap))
            while not sentence.cancelled:
                chunk = await loop.run_in_executor(self._executor, _next_chunk, chunks, lock)
                if sentence.cancelled:
                    break
                if chunk is None:
                    frames = framer.push(resampler.flush())
                    tail = framer.flush()
                    frames += [tail] if tail is not None else []
                    if not frames:  # nothing pronounceable at all
                        frames = [np.zeros(frame_samples(OUT_RATE), dtype=np.float32)]
                    self._frames.extend((sentence, frame, i == len(frames) - 1) for i, frame in enumerate(frames))
                    sentence.made = True
                    break
                self._frames.extend((sentence, frame, False) for frame in framer.push(resampler.push(chunk)))
            if hasattr(chunks, "close"):
                chunks.close()
            # A sentence stopped before a sound was made was never said; one that is made is finished by
            # ``next_frame`` when its last frame leaves. Either way the next sentence may be made now.
            if self._current is sentence and (sentence.made or sentence.first_frame_at is None):
                self._current = None

    def _finish_sentence(self, sentence: _Sentence, final: bool) -> None:
        start = sentence.first_frame_at - self._started if sentence.first_frame_at is not None else self.now()
        self._add_line(TranscriptLine(ME, sentence.text, round(start, 3), round(self.now(), 3), final))
        if self._current is sentence:
            self._current = None

    def _cut_off_current(self) -> None:
        """At close: a sentence whose sound had started is a line, marked not final."""
        started = {id(s): s for s, _, _ in self._frames if s.first_frame_at is not None}
        if self._current is not None and self._current.first_frame_at is not None:
            started[id(self._current)] = self._current
        for sentence in started.values():
            self._finish_sentence(sentence, final=False)
        self._current = None

    def _emit_queue(self) -> None:
        self._emit({"type": "queue", "waiting": self.waiting})

    def _add_line(self, line: TranscriptLine) -> None:
        self.transcript.append(line)
        self._emit({"type": "line", **line.as_dict()})

    # --- captions ---------------------------------------------------------------------------------------

    def listen_to_far_end(self, listener: Callable[[np.ndarray, int], None]) -> Callable[[], None]:
        """Pass every piece of the far end's audio (mono float, its rate) to ``listener`` as it is heard,
        e.g. to play it on the user's own page; returns the function that stops it."""
        self._far_end_listeners.append(listener)
        return lambda: self._far_end_listeners.remove(listener) if listener in self._far_end_listeners else None

    def hear(self, samples: np.ndarray, rate: int) -> None:
        """The far end's audio (mono float at ``rate``), as it arrives. Call from the event loop's thread.

        Frames are collected into blocks of ``RECOGNITION_BLOCK_S`` before they are resampled and handed to
        the recogniser: per 20 ms frame, the Python around resampling, queueing and waking the captions thread
        cost more than the work itself.
        """
        if self.closed:
            return
        for listener in list(self._far_end_listeners):
            listener(samples, rate)
        if not self.captions_available:
            return
        if self._to_16k is None or rate != self._in_rate:
            self._send_block()
            self._to_16k, self._in_rate = recogniser_input(rate), rate
        if self.audio_origin is None:
            self.audio_origin = self.now() - len(samples) / rate
        self.stats.heard_s += len(samples) / rate
        if self.gate_own_voice and self._clock() < self._gate_until:
            self.stats.gated_s += len(samples) / rate
            samples = np.zeros(len(samples), dtype=np.float32)
        self._block.append(samples)
        self._block_samples += len(samples)
        if self._block_samples >= RECOGNITION_BLOCK_S * rate:
            self._send_block()

    def keep_heard(self, seconds: float) -> None:
        """Keep the last ``seconds`` of the far end's audio as the recogniser heard it, for :meth:`heard_between`
        (e.g. to recognise an answer again under a restricted grammar)."""
        self._kept_s = max(self._kept_s, seconds)

    def heard_between(self, start: float, end: float) -> np.ndarray:
        """The far end's audio between two session times (a caption's ``start`` and ``end``), at 16 kHz as the
        recogniser heard it; only what :meth:`keep_heard` kept, so possibly shorter or empty."""
        if not self._kept or self.audio_origin is None:
            return np.zeros(0, dtype=np.float32)
        kept = np.concatenate(self._kept)
        first = max(0, round((start - self.audio_origin) * ASR_RATE) - self._kept_from)
        last = max(first, round((end - self.audio_origin) * ASR_RATE) - self._kept_from)
        return kept[first:last]

    def _keep(self, block: np.ndarray) -> None:
        at = self._recognised_samples
        self._recognised_samples += block.size
        if self._kept_s <= 0:
            return
        if not self._kept:
            self._kept_from = at
        self._kept.append(block)
        limit = round(self._kept_s * ASR_RATE)
        while self._kept and self._recognised_samples - self._kept_from - self._kept[0].size >= limit:
            self._kept_from += self._kept.popleft().size

    @property
    def captions_behind_s(self) -> float:
        """Far-end audio waiting for the recogniser, in seconds (about): how far captions lag on a busy machine."""
        return self._heard.qsize() * RECOGNITION_BLOCK_S

    def _send_block(self) -> None:
        if self._block:
            block = self._to_16k.push(np.concatenate(self._block))
            self._keep(block)
            self._heard.put(block)
        self._block, self._block_samples = [], 0

    def _recognise(self, recognizer: StreamingRecognizer) -> None:
        """The captions thread: feeds each block as it arrives, posts results to the loop, and ends the last
        utterance when the session closes.

        Blocks that waited (a busy machine) are still fed one by one: vosk looks for the end of an utterance
        only at the end of what it is given, so feeding them as one piece ran sentences said seconds apart into
        one line.
        """
        while (block := self._heard.get()) is not None:
            for result in recognizer.accept(block):
                self._loop.call_soon_threadsafe(self._on_recognition, result)
        if last := recognizer.finish():
            self._loop.call_soon_threadsafe(self._on_recognition, last)

    def _on_recognition(self, result: Recognition) -> None:
        origin = self.audio_origin or 0.0
        start, end = round(origin + result.start, 3), round(origin + result.end, 3)
        event = {"type": "caption", "speaker": THEM, "text": result.text, "start": start, "end": end,
                 "final": result.final}
        if result.final:
            event["words"] = [[w.text, round(origin + w.start, 3), round(origin + w.end, 3)] for w in result.words]
        self._emit(event)
        if result.final:
            self._add_line(TranscriptLine(THEM, result.text, start, end, True))


def _next_chunk(chunks: Iterator[np.ndarray], lock: threading.Lock) -> np.ndarray | None:
    with lock:
        return next(chunks, None)
