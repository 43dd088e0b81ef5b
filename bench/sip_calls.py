"""SIP calls on loopback against baresip: call set-up time, typed text → first frame of the user's voice handed
to the SIP worker, frames late on the line, and the worker's memory over many calls (a leak shows as growth).

The voice is a tone stand-in (no synthesis time), so the figure is what the SIP path adds.

    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_calls --calls 50
    PYTHONPATH=src nice -n 10 .venv/bin/python -m bench.sip_calls --calls 50 --registrar

With ``--registrar`` both phones register with kamailio on loopback and every call goes through it (the INVITE
is challenged for the account's password, then forwarded to where the far phone registered).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from moksori.calls.session import CallSession
from moksori.calls.sip import SipPhone, SipSettings
from tests.calls.doubles import LoudnessRecognizer, ToneVoice, tone
from tests.calls.sip_peers import Baresip, Kamailio, running


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--registrar", action="store_true", help="register both phones with kamailio")
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.registrar))


if __name__ == "__main__":
    main()
