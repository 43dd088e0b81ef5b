"""Private PostgreSQL and Redis servers for fault tests, which stop and restart them (the shared
services on the standard ports are never touched)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


@dataclass
class Server:
    url: str
    start_command: list[str]
    stop_command: list[str]
    ready: callable

    def start(self) -> None:
        subprocess.run(self.start_command, check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while not self.ready():
            assert time.monotonic() < deadline, f"{self.start_command[0]} did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run(self.stop_command, check=True, capture_output=True)


@contextmanager
def _running(server: Server, folder: Path) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        subprocess.run(server.stop_command, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_postgresql() -> Iterator[Server]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.fail("PostgreSQL is not installed (scripts/test-services.sh installs it)")
    bin_dir = Path(binaries[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="moksori-pg-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    cluster = folder / "cluster"
    subprocess.run([*_as_postgres(), str(bin_dir / "initdb"), "-D", str(cluster), "-U", "postgres", "-A", "trust"],
                   check=True, capture_output=True)
    ctl = [*_as_postgres(), str(bin_dir / "pg_ctl"), "-D", str(cluster), "-l", str(folder / "log")]
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"

    def ready() -> bool:
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0

    with _running(Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                         [*ctl, "-w", "-o", options, "start"], [*ctl, "-w", "-m", "fast", "stop"], ready),
                  folder) as server:
        yield server


@contextmanager
def private_redis() -> Iterator[Server]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (scripts/test-services.sh installs it)")
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="moksori-redis-"))
    start = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(folder), "--pidfile", str(folder / "pid")]

    def ready() -> bool:
        return subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
                              ).stdout.strip() == "PONG"

    with _running(Server(f"redis://127.0.0.1:{port}/0", start, ["redis-cli", "-p", str(port), "shutdown", "nosave"],
                         ready), folder) as server:
        yield server


@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (needs root; the test fails rather than skips)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
