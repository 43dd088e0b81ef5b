"""Load test of speaking while a voice builds on the same machine, with locust (headless).

    .venv/bin/python -m bench.load_speak [--users 50] [--minutes 5] [--processes 2]

Sets up an instance on PostgreSQL (a throw-away database on the server in
MOKSORI_TEST_POSTGRES_URL), ``--users`` accounts each with its own voice (a stand-in of the
default model size, imported), starts ``moksori serve --workers N`` and a default-recipe build
(``moksori train``, niced as build workers are) on espeak-ng recordings, then runs locust for
``--minutes`` with one simulated user per account typing a sentence every 2–6 s. Loopback only.
"""

from __future__ import annotations

import argparse
import csv
import os
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


def make_accounts(url: str, count: int, voice: Path) -> None:
    for n in range(count):
        with httpx.Client(base_url=url, timeout=120) as client:
            client.get("/login")
            csrf = {"X-CSRF-Token": client.cookies["moksori_csrf"]}
            client.post("/signup", data={"email": f"load{n}@example.com", "password": PASSWORD, "language": "ko"},
                        headers=csrf)
            csrf = {"X-CSRF-Token": client.cookies["moksori_csrf"]}
            client.post("/consent", data={"agree": "yes"}, headers=csrf)
            response = client.post("/api/voices/import", files={"file": ("v.voice", voice.read_bytes())}, headers=csrf)
            response.raise_for_status()
            for _ in range(2):  # load the voice in (probably) both server processes before measuring
                client.post("/api/speak", json={"text": KO_SENTENCES[0]}, headers=csrf).raise_for_status()


def percentiles(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
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
                       MOKSORI_RUN_WORKER="false", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
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
            make_accounts(url, args.users, voice)
            dataset = make_speaker_dataset(tmp / "build-data", "ko_f", 20)
            processes.append(subprocess.Popen(
                ["nice", "-n", "10", sys.executable, "-m", "moksori.cli", "train", str(dataset), "--out",
                 str(tmp / "built.voice")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(20)  # the build is past its start-up
            load = os.getloadavg()[0]
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile_speak.py"), "--headless",
                 "-u", str(args.users), "-r", "10", "-t", f"{int(args.minutes * 60)}s", "--host", url,
                 "--csv", str(tmp / "locust"), "--only-summary"], env=env, check=True)
            build_running = processes[-1].poll() is None
            stats = percentiles(tmp / "locust_stats.csv")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    speak, first, total = stats["/api/speak"], stats["first chunk"], stats["total"]
    minutes = args.minutes
    body = f"""
{args.users} simulated users (locust, headless), each with its own account and voice (stand-in of the
default size), typing a sentence every 2–6 s to `/api/speak` for {minutes:g} minutes against
`moksori serve --workers {args.processes}` on PostgreSQL, while a default-recipe build (`moksori train`,
nice 10) ran on the same machine ({"still running at the end" if build_running else "it finished during the run"}).
Load average when locust started: {load:.1f} (the machine is shared with other work).

| measure | value |
|---|---|
| requests | {speak['Request Count']} ({float(speak['Requests/s']):.1f}/s sustained) |
| errors | {speak['Failure Count']} |
| first chunk P50 / P95 / P99 | {first['50%']} / **{first['95%']}** / {first['99%']} ms |
| whole sentence P50 / P95 / P99 | {total['50%']} / {total['95%']} / {total['99%']} ms |
"""
    print(body)
    write_section("load_speak", "Speaking under load while a voice builds",
                  f"python -m bench.load_speak --users {args.users} --minutes {minutes:g} "
                  f"--processes {args.processes}", body)


if __name__ == "__main__":
    main()
