"""The web server under one user's flood: does everyone else keep their voice?

    nice -n 10 .venv/bin/python -m bench.server_load [--seconds 60] [--requests 500] [--streams 100]

Starts ``moksori serve`` on a free loopback port with a fresh data folder, signs up two users,
gives the second a voice (an untrained model of the default size, which costs the same to speak as
a trained one) and gives the first a running job. Then, for ``--seconds``, a separate process keeps
``--requests`` requests of the first user in flight (API reads and pages, sent again as soon as
each is answered, Retry-After ignored) and ``--streams`` progress streams open, while this process
measures the second user's ``GET /login`` and ``POST /api/speak`` one after the other. Reports
their P50/P95 and errors (any status but 200, any connection error or timeout), the server's peak
RSS, and how long after the flood both users are answered normally again.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.report import write_section
from moksori.web.settings import Settings

SENTENCE = "안녕하세요. 제 목소리로 말하고 있어요."
PASSWORD = "bench mark lantern"
FLOOD_PATHS = ("/api/phrases", "/api/progress", "/api/history", "/api/jobs", "/talk")
TIMEOUT_S = 30.0
LIMITS = {name: Settings.model_fields[name].default for name in ("max_requests_per_user", "max_streams_per_user")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def sign_up(base: str, email: str) -> tuple[dict[str, str], str]:
    """Cookies and CSRF token of a new, consented account, made through the pages."""
    with httpx.Client(base_url=base, follow_redirects=True, timeout=TIMEOUT_S) as client:
        page = client.post("/signup", data={"email": email, "password": PASSWORD,
                                            "csrf_token": page_token(client.get("/signup").text)})
        client.post("/consent", data={"agree": "yes", "csrf_token": page_token(page.text)})
        return dict(client.cookies), page_token(client.get("/talk").text)


def stand_in_voice(folder: Path) -> Path:
    """Made in a child process: bench.synthesis_speed pins its process to one core on import."""
    path = folder / "stand-in.voice"
    code = f"from pathlib import Path; from bench.synthesis_speed import stand_in_voice; stand_in_voice(Path({str(path)!r}))"
    subprocess.run([sys.executable, "-c", code], check=True)
    return path


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "MOKSORI_ASR_CHECK": "false", "MOKSORI_RUN_WORKER": "false"}
    server = subprocess.Popen([sys.executable, "-m", "moksori.cli", "serve", "--port", str(port), "--data-dir",
                               str(data_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start: " + server.stderr.read().decode()[-2000:])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _flood(base: str, cookies: dict[str, str], job_id: int, seconds: float, requests: int,
                 streams: int) -> Counter:
    counts: Counter = Counter()
    ends = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=requests + streams, max_keepalive_connections=requests + streams)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=TIMEOUT_S) as client:
        async def requester(n: int) -> None:
            while time.monotonic() < ends:
                try:
                    response = await client.get(FLOOD_PATHS[n % len(FLOOD_PATHS)])
                    counts[f"request {response.status_code}"] += 1
                except httpx.HTTPError as error:
                    counts[f"request {type(error).__name__}"] += 1

        async def watcher() -> None:
            while time.monotonic() < ends:
                try:
                    async with asyncio.timeout(max(0.0, ends - time.monotonic())), \
                            client.stream("GET", f"/api/jobs/{job_id}/events") as response:
                        counts[f"stream {response.status_code}"] += 1
                        if response.status_code == 200:
                            async for _line in response.aiter_lines():  # held open until the flood ends
                                pass
                        else:
                            await asyncio.sleep(0.05)  # a runaway tab, but not a busy loop
                except TimeoutError:
                    return
                except httpx.HTTPError as error:
                    counts[f"stream {type(error).__name__}"] += 1

        await asyncio.gather(*(requester(n) for n in range(requests)), *(watcher() for _ in range(streams)))
    return counts


def flood_process(base: str, cookies: dict[str, str], job_id: int, seconds: float, requests: int, streams: int,
                  results) -> None:
    results.put(asyncio.run(_flood(base, cookies, job_id, seconds, requests, streams)))


def timed(client: httpx.Client, method: str, path: str, **kwargs) -> tuple[float, str | None]:
    """Seconds until the whole answer has arrived, and what went wrong (None: a 200)."""
    started = time.monotonic()
    try:
        response = client.request(method, path, **kwargs)
        error = None if response.status_code == 200 else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return time.monotonic() - started, error


def measure(base: str, cookies: dict[str, str], token: str, stop: threading.Event) -> dict[str, list]:
    """The second user, one request at a time: the login page, then speaking a sentence."""
    samples: dict[str, list] = {"GET /login": [], "POST /api/speak": []}
    with httpx.Client(base_url=base, cookies=cookies, timeout=TIMEOUT_S) as client:
        while not stop.is_set():
            samples["GET /login"].append(timed(client, "GET", "/login"))
            samples["POST /api/speak"].append(timed(client, "POST", "/api/speak", json={"text": SENTENCE},
                                                    headers={"X-CSRF-Token": token}))
            stop.wait(0.2)
    return samples


def summary(samples: list[tuple[float, str | None]]) -> tuple[str, str, int, int]:
    times = sorted(seconds for seconds, _ in samples)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"{1000 * statistics.median(times):.0f} ms", f"{1000 * p95:.0f} ms", len(samples), sum(
        error is not None for _, error in samples)


def run_phase(base: str, bob: tuple[dict, str], seconds: float, server_pid: int, flood=None) -> tuple[dict, float]:
    stop = threading.Event()
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(measure(base, *bob, stop)))
    peak = rss_mb(server_pid)
    if flood:
        flood.start()
        time.sleep(1)  # let the flood build up before measuring
    thread.start()
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        peak = max(peak, rss_mb(server_pid))
        time.sleep(0.5)
    stop.set()
    thread.join()
    return result, peak


def recovery_seconds(base: str, alice: tuple[dict, str], bob: tuple[dict, str]) -> float:
    """From the flood's end until the flooding user and the other one are both answered 200 within a second."""
    started = time.monotonic()
    with httpx.Client(base_url=base, cookies=alice[0], timeout=TIMEOUT_S) as a, \
            httpx.Client(base_url=base, cookies=bob[0], timeout=TIMEOUT_S) as b:
        while time.monotonic() - started < 120:
            first, error_a = timed(a, "GET", "/api/phrases")
            second, error_b = timed(b, "GET", "/login")
            if error_a is None and error_b is None and max(first, second) < 1.0:
                return time.monotonic() - started
            time.sleep(0.1)
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing docs/benchmarks.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="moksori-load-") as tmp:
        folder = Path(tmp)
        voice = stand_in_voice(folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(folder / "data", port)
        try:
            alice, bob = sign_up(base, "alice@example.com"), sign_up(base, "bob@example.com")
            with httpx.Client(base_url=base, cookies=bob[0], timeout=120) as client:
                imported = client.post("/api/voices/import", headers={"X-CSRF-Token": bob[1]},
                                       files={"file": ("stand-in.voice", voice.read_bytes())})
                imported.raise_for_status()
            with sqlite3.connect(folder / "data" / "moksori.db") as db:  # a build that runs all along
                job_id = db.execute("INSERT INTO jobs (user_id, kind, status, stage, fraction, message, preset, "
                                    "take_count, resume, created_at) SELECT id, 'build', 'running', 'train', 0.5, '', "
                                    "'default', 0, 0, datetime('now') FROM users WHERE email = 'alice@example.com'"
                                    ).lastrowid
            quiet, quiet_peak = run_phase(base, bob, 15, server.pid)
            results = multiprocessing.Queue()
            flood = multiprocessing.Process(target=flood_process, args=(base, alice[0], job_id, args.seconds,
                                                                        args.requests, args.streams, results))
            loaded, loaded_peak = run_phase(base, bob, args.seconds - 2, server.pid, flood)
            counts = results.get(timeout=120)
            flood.join(60)
            recovery = recovery_seconds(base, alice, bob)
            load_average = os.getloadavg()[0]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
    rows = []
    for phase, samples in (("idle", quiet), (f"flood ({args.requests} requests + {args.streams} streams)", loaded)):
        for name, values in samples.items():
            median, p95, count, errors = summary(values)
            rows.append(f"| {phase} | `{name}` | {median} | {p95} | {count} | {errors} |")
    cores = len(os.sched_getaffinity(0))
    busy = (f"The machine ({cores} cores) was shared with other work and busy (load average above the core count): "
            "every figure includes waiting for a core, and the flooding client, itself starved of CPU, sent fewer "
            "requests than an idle machine would allow.\n\n") if max(load_before, load_average) > cores else ""
    flood_lines = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
    body = f"""The second user's requests, one at a time (login page, then speaking a {len(SENTENCE)}-character
sentence with a voice of the default size), while the first user floods the server for {args.seconds:.0f} s.
Loopback, no worker process (`MOKSORI_RUN_WORKER=false`), no ASR check.

| phase | request | median | P95 | count | errors |
|---|---|---|---|---|---|
{chr(10).join(rows)}

| measure | value | target |
|---|---|---|
| server peak RSS, idle / under the flood | {quiet_peak:.0f} MB / {loaded_peak:.0f} MB | ≤ 1.5 GB |
| recovery after the flood (both users answered 200 within 1 s) | {recovery:.1f} s | ≤ 5 s |
| 1-minute load average before / at the end | {load_before:.1f} / {load_average:.1f} | |

{busy}The flooding user's answers in {args.seconds:.0f} s ({flood_lines}): everything beyond their
share of requests ({LIMITS["max_requests_per_user"]}) and of streams ({LIMITS["max_streams_per_user"]}) is answered 429 with Retry-After at once, which the flood ignores.
"""
    if args.no_write:
        print(body)
    else:
        command = "nice -n 10 .venv/bin/python -m bench.server_load" + (
            f" --seconds {args.seconds:g}" if args.seconds != 60 else "")
        print(write_section("server_load", "Web server under one user's flood", command, body))
        print(body)


if __name__ == "__main__":
    main()
