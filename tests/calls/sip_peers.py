"""Real SIP peers on loopback for the SIP tests: baresip (a phone that plays a WAV as its microphone and
records what it hears, scripted over ctrl_tcp) and sipp (scenarios for answers a phone gives: busy)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile as sf

BARESIP_MODULES = Path("/usr/lib/baresip/modules")


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def have_baresip() -> bool:
    return shutil.which("baresip") is not None and (BARESIP_MODULES / "ctrl_tcp.so").exists()


class Baresip:
    """baresip as the far phone: ``sip:far@127.0.0.1:<port>``. Its microphone is ``microphone`` (8 kHz WAV);
    what it hears is dumped by the sndfile module to ``*-dec.wav`` in its folder."""

    def __init__(self, folder: Path, microphone: np.ndarray, answer: bool = True) -> None:
        self.folder = folder
        self.port = free_port()
        self.ctrl_port = free_port(socket.SOCK_STREAM)
        self.uri = f"sip:far@127.0.0.1:{self.port}"
        sf.write(folder / "microphone.wav", microphone, 8000, subtype="PCM_16")
        (folder / "config").write_text("\n".join([
            f"sip_listen 127.0.0.1:{self.port}",
            "audio_player aubridge,nowhere",  # nothing to play to; received audio is recorded by sndfile
            f"audio_source aufile,{folder / 'microphone.wav'}",
            "audio_alert aubridge,nowhere",
            f"module_path {BARESIP_MODULES}",
            *[f"module {name}.so" for name in ("g711", "aufile", "aubridge", "sndfile", "ctrl_tcp", "menu")],
            "module_app account.so",
            f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
            f"snd_path {folder}",
            "",
        ]))
        mode = "auto" if answer else "manual"
        (folder / "accounts").write_text(f"<sip:far@127.0.0.1>;regint=0;answermode={mode};audio_codecs=PCMU\n")
        self.events: list[dict] = []
        self._process: subprocess.Popen | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        with open(self.folder / "log.txt", "wb") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(["baresip", "-f", str(self.folder)], stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.ctrl_port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        buffer = b""
        while data := await self._reader.read(4096):
            buffer += data
            while b":" in buffer:
                length, rest = buffer.split(b":", 1)
                if len(rest) < int(length) + 1:
                    break
                self.events.append(json.loads(rest[: int(length)]))
                buffer = rest[int(length) + 1:]

    def command(self, command: str, params: str = "") -> None:
        body = json.dumps({"command": command, "params": params, "token": "t"}).encode()
        self._writer.write(str(len(body)).encode() + b":" + body + b",")

    async def wait_event(self, kind: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("type") == kind:
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"baresip sent no {kind} event; it sent {[e.get('type') for e in self.events]}")

    def heard(self) -> np.ndarray:
        """Everything baresip received in its calls so far (8 kHz), in order."""
        files = sorted(self.folder.glob("dump-*-dec.wav"))
        return np.concatenate([sf.read(f, dtype="float32")[0] for f in files]) if files else np.zeros(0)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._writer:
            self._writer.close()
        if self._process:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()


BUSY_SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>
"""


class SippBusy:
    """sipp answering every INVITE with 486 Busy Here."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.uri = f"sip:far@127.0.0.1:{self.port}"
        self.scenario = folder / "busy.xml"
        self.scenario.write_text(BUSY_SCENARIO)
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["sipp", "-sf", str(self.scenario), "-i", "127.0.0.1", "-p", str(self.port), "-nostdin",
             "-m", "100"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self._process:
            self._process.kill()
            self._process.wait()
