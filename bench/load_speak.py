"""Load test of speaking while a voice builds on the same machine, with locust (headless).

    .venv/bin/python -m bench.load_speak [--users 5,20,50] [--pauses 2-6,10-20] [--minutes 5] [--processes 2]

Sets up an instance on PostgreSQL (a throw-away database on the server in
MOKSORI_TEST_POSTGRES_URL), ``--users`` accounts each with its own voice (a stand-in of the
default model size, imported), starts ``moksori serve --workers N`` and a default-recipe build
(``moksori train``, niced as build workers are) on espeak-ng recordings, then runs locust for
``--minutes`` per number of users and typing pause, one simulated user per account typing a
sentence, then pausing for a random time in the pause range before the next. Loopback only.
Errors are listed by kind (locust's failure table), so a refused or dropped connection is told
apart from an HTTP error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.report import write_section
from bench.synthesis_speed import stand_in_voice
from moksori.dataset.synthetic import KO_SENTENCES, make_speaker_dataset

ADMIN_URL = os.environ.get("MOKSORI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "load test password"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin(sql: str) -> None:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


def page_csrf_token(client: httpx.Client) -> str:
    """The token a logged-in page's scripts send (bound to the session), from its ``<meta>``."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/account", follow_redirects=True).text)
    if not match:
        raise RuntimeError("the page carries no CSRF token")
    return match.group(1)


def make_accounts(url: str, count: int, voice: Path) -> list[dict]:
    """``count`` accounts with a voice each; returns their logged-in cookies and CSRF tokens."""
    sessions = []
    for n in range(count):
        with httpx.Client(base_url=url, timeout=300) as client:
            client.get("/login")
            client.post("/signup", data={"email": f"load{n}@example.com", "password": PASSWORD, "language": "ko"},
                        headers={"X-CSRF-Token": client.cookies["moksori_csrf"]})
            csrf = {"X-CSRF-Token": page_csrf_token(client)}
            client.post("/consent", data={"agree": "yes"}, headers=csrf)
            response = client.post("/api/voices/import", files={"file": ("v.voice", voice.read_bytes())}, headers=csrf)
            response.raise_for_status()
            for _ in range(2):  # load the voice in (probably) both server processes before measuring
                client.post("/api/speak", json={"text": KO_SENTENCES[0]}, headers=csrf).raise_for_status()
            sessions.append({"cookies": dict(client.cookies), "csrf": csrf["X-CSRF-Token"]})
    return sessions


def percentiles(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def failure_kinds(path: Path) -> str:
    """The errors of a run by kind (speak requests only; the extra entries repeat them)."""
    with path.open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] == "/api/speak"]
    return "; ".join(f"{row['Occurrences']}× {row['Error'][:80]}" for row in rows) or "–"


def run_locust(url: str, users: int, pause: str, minutes: float, env: dict, folder: Path) -> dict:
    """One locust run; its figures, with the load average when it started."""
    load = os.getloadavg()[0]
    prefix = folder / f"locust{users}-{pause}"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile_speak.py"), "--headless",
         "-u", str(users), "-r", "10", "-t", f"{int(minutes * 60)}s", "--host", url, "--csv", str(prefix),
         "--only-summary", "--exit-code-on-error", "0"], env=env | {"MOKSORI_BENCH_PAUSE": pause.replace("-", ",")},
        check=True)
    stats = percentiles(prefix.with_name(prefix.name + "_stats.csv"))
    return {"users": users, "pause": pause, "load": load, "speak": stats["/api/speak"], "first": stats["first chunk"],
            "total": stats["total"], "errors": failure_kinds(prefix.with_name(prefix.name + "_failures.csv"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="50", help="simulated users; several (5,20,50) run one after another")
    parser.add_argument("--pauses", default="2-6", help="seconds between sentences, min-max; several (10-20,5-10) "
                                                         "run one after another")
    parser.add_argument("--minutes", type=float, default=5, help="per run")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    database = f"moksori_bench_{secrets.token_hex(4)}"
    admin(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = dict(os.environ, MOKSORI_DATABASE_URL=make_url(ADMIN_URL).set(database=database)
                       .render_as_string(hide_password=False), MOKSORI_ASR_CHECK="false",
                       MOKSORI_RUN_WORKER="false", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
                       MOKSORI_BENCH_SESSIONS=str(tmp / "sessions.json"))
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "moksori.cli", "serve", "--port", str(port), "--workers", str(args.processes),
                 "--data-dir", str(tmp / "data")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for _ in range(240):
                try:
                    if httpx.get(f"{url}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            voice = stand_in_voice(tmp / "stand-in.voice")
            sessions = make_accounts(url, max(levels), voice)
            (tmp / "sessions.json").write_text(json.dumps(sessions), encoding="utf-8")
            dataset = make_speaker_dataset(tmp / "build-data", "ko_f", 20)
            processes.append(subprocess.Popen(
                ["nice", "-n", "10", sys.executable, "-m", "moksori.cli", "train", str(dataset), "--out",
                 str(tmp / "built.voice")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(20)  # the build is past its start-up
            runs = [run_locust(url, users, pause, args.minutes, env, tmp) for users in levels
                    for pause in args.pauses.split(",")]
            build_running = processes[-1].poll() is None
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    rows = [
        f"| {r['users']} | {r['pause']} | {r['load']:.1f} | {float(r['speak']['Requests/s']):.2f} "
        f"| {r['speak']['Request Count']} | {r['speak']['Failure Count']} | {r['errors']} "
        f"| {r['first']['50%']} / **{r['first']['95%']}** | {r['total']['50%']} / {r['total']['95%']} |"
        for r in runs
    ]
    body = "\n".join([
        "Simulated users (locust, headless), each with its own account and voice (a stand-in of the default",
        "size) and an already logged-in session, typing a sentence to `/api/speak`, then pausing for a",
        "random time in the row's range (s) before the next, for",
        f"{args.minutes:g} minutes per row, against `moksori serve --workers {args.processes}` on PostgreSQL, while a",
        f"default-recipe build (`moksori train`, nice 10) ran on the same machine"
        f" ({'still running at the end' if build_running else 'it finished before the end'}).",
        "The machine is shared with other work: its load average when each row started is given.",
        "",
        "| users | pause (s) | load avg | speak/s | requests | errors | error kinds | first chunk P50 / P95 (ms) "
        "| whole sentence P50 / P95 (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
    ])
    print(body)
    write_section("load_speak", "Speaking under load while a voice builds",
                  f"python -m bench.load_speak --users {args.users} --pauses {args.pauses} --minutes {args.minutes:g} "
                  f"--processes {args.processes}", body)


if __name__ == "__main__":
    main()
