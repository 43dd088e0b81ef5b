"""Real SIP peers on loopback for the SIP tests: baresip (a phone that plays a WAV as its microphone and
records what it hears, scripted over ctrl_tcp), sipp (scenarios for answers a phone gives: busy) and kamailio
(a registrar with digest passwords that routes calls between the phones registered to it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import soundfile as sf

from moksori.calls.sip import SipPhone

from .doubles import tone

BARESIP_MODULES = Path("/usr/lib/baresip/modules")
# A far phone's microphone: quiet, a loud tone to be captioned, then quiet (baresip hangs up when its file ends).
FAR_MICROPHONE = np.concatenate([np.zeros(4000), tone(1.0, 330, 8000), np.zeros(8000 * 60)]).astype(np.float32)


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def have_baresip() -> bool:
    return shutil.which("baresip") is not None and (BARESIP_MODULES / "ctrl_tcp.so").exists()


class Baresip:
    """baresip as the far phone: ``sip:far@127.0.0.1:<port>``. Its microphone is ``microphone`` (8 kHz WAV);
    what it hears is dumped by the sndfile module to ``*-dec.wav`` in its folder."""

    def __init__(self, folder: Path, microphone: np.ndarray, answer: bool = True,
                 registrar: Kamailio | None = None) -> None:
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
        if registrar is None:
            account = "<sip:far@127.0.0.1>;regint=0"
        else:  # registered as "far" (password "farpw"): reachable as sip:far@<registrar>
            account = f"<sip:far@{registrar.address}>;auth_pass=farpw;regint=600"
        (folder / "accounts").write_text(f"{account};answermode={mode};audio_codecs=PCMU\n")
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

    async def wait_registered(self, timeout: float = 10.0) -> None:
        """Until the registrar accepted this phone (often before the control connection is up, so its log
        is read rather than the events)."""
        deadline = time.monotonic() + timeout
        while b"200 OK" not in (self.folder / "log.txt").read_bytes():
            if time.monotonic() > deadline:
                raise AssertionError(f"baresip did not register: {(self.folder / 'log.txt').read_text()[-1000:]}")
            await asyncio.sleep(0.05)

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
        stop_process(self._process)


@contextlib.asynccontextmanager
async def running(far: Baresip, phone: SipPhone) -> AsyncIterator[None]:
    """The far phone and ours started; on the way out, however it is left, ours is closed and the far one
    stopped (what the phone did, such as its ``returncode``, can be checked after the block)."""
    await far.start()
    await phone.start()
    try:
        yield
    finally:
        await phone.close()
        await far.stop()


def stop_process(process: subprocess.Popen | None) -> None:
    """Ask a peer to stop, and kill it if it has not within five seconds."""
    if process:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


KAMAILIO_CONFIG = """#!KAMAILIO
log_stderror=yes
children=1
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:{port}
alias="127.0.0.1:{port}"
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "auth.so"
modparam("usrloc", "db_mode", 0)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route() || is_method("ACK|BYE|INFO|UPDATE|PRACK")) {{ t_relay(); }}
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("REGISTER")) {{
        route(PASSWORD);
        if (!pv_auth_check("$td", "$var(password)", "0", "1")) {{ auth_challenge("$td", "0"); exit; }}
        consume_credentials();
        save("location");
        exit;
    }}
    # Only registered users place calls (digest checked against the caller's password): no open relay.
    if (is_method("INVITE")) {{
        $var(user) = $fU;
        route(PASSWORD);
        if (!pv_auth_check("$fd", "$var(password)", "0", "1")) {{ auth_challenge("$fd", "0"); exit; }}
        consume_credentials();
    }}
    record_route();
    if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
    t_relay();
}}

route[PASSWORD] {{
    if (is_method("REGISTER")) {{ $var(user) = $tU; }}
    $var(password) = "-";
{passwords}
}}
"""


def kamailio_binary() -> str | None:
    return shutil.which("kamailio", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


class Kamailio:
    """kamailio as a registrar on ``127.0.0.1:<port>``: users register with digest passwords (``passwords``);
    an INVITE to a registered user is forwarded to where it registered."""

    def __init__(self, folder: Path, passwords: dict[str, str]) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        lines = "\n".join(f'    if ($var(user) == "{user}") {{ $var(password) = "{password}"; }}'
                          for user, password in passwords.items())
        self.config = folder / "kamailio.cfg"
        self.config.write_text(KAMAILIO_CONFIG.format(port=self.port, passwords=lines))
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.folder / "kamailio.log", "wb") as log:
            self._process = subprocess.Popen(
                [kamailio_binary(), "-f", str(self.config), "-DD", "-E", "-m", "32", "-M", "8",
                 "-Y", str(self.folder), "-P", str(self.folder / "kamailio.pid")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self._bound():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"kamailio did not start: {(self.folder / 'kamailio.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def _bound(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                return True
            return False

    def stop(self) -> None:
        stop_process(self._process)
