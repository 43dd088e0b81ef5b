"""Speech Dispatcher speaking with a Moksori voice: the module configuration, its installation, the
resident speaking server and its client, and ``spd-say`` through a real daemon (audio goes to a file
instead of a sound card)."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import soundfile as sf

from moksori.engine import speech_client, speech_server
from moksori.engine.speechd import MODULE, MODULE_CONFIG, install, module_config
from moksori.engine.voice import Voice

MODULES_DIR = Path("/usr/lib/speech-dispatcher-modules")
LIBAO_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/speech-dispatcher/spd_libao.so")


def test_the_module_runs_the_resident_servers_client_with_the_voice(tmp_path):
    voice = tmp_path / "my voice's.voice"
    text = module_config(voice, "/opt/moksori/bin/moksori", socket=tmp_path / "s.sock", python="/usr/bin/python3")
    command = next(line for line in text.splitlines() if line.startswith("GenericExecuteSynth"))
    client = f"/usr/bin/python3 -I -S {speech_client.__file__} --socket {tmp_path / 's.sock'} --voice"
    assert client in command and "'\"'\"'" in command  # the quote in the voice's name is escaped
    assert "--moksori /opt/moksori/bin/moksori --rate $RATE --pitch $PITCH --volume $VOLUME | $PLAY_COMMAND" in command
    assert 'GenericLanguage "ko" "ko" "utf-8"' in text and 'GenericLanguage "c" "c" "utf-8"' in text


def test_the_server_keeps_one_voice_loaded_and_the_client_gets_wavs(tmp_path, voice_path, monkeypatch):
    loads = []
    load = Voice.load
    monkeypatch.setattr(Voice, "load", classmethod(lambda cls, path, backend=None: loads.append(path) or load(path)))
    sock, ready = tmp_path / "speech.sock", threading.Event()
    server = threading.Thread(target=speech_server.serve, args=(voice_path, sock, 3.0, ready), daemon=True)
    server.start()
    assert ready.wait(60)
    assert speech_server.serve(voice_path, sock) is None and len(loads) == 1  # a second server leaves at once
    lengths = []
    for text, rate in [("안녕하세요.", 1.0), ("안녕하세요.", 2.0), ("확인 버튼", 1.0)]:
        audio = speech_client.ask(str(sock), {"text": text, "rate": rate, "pitch": 0, "volume": 1})
        samples, sample_rate = sf.read(io.BytesIO(audio))
        assert sample_rate == 22050 and abs(samples).max() > 0.01
        lengths.append(samples.size)
    assert abs(lengths[1] / lengths[0] - 0.5) < 0.1  # the rate is honoured
    assert speech_client.ask(str(sock), {"text": "...!?"}) == b""  # nothing to say: nothing comes back
    assert speech_client.ask(str(sock), {"no": "text"}) == b""  # a broken request does not stop the server
    assert speech_client.ask(str(sock), {"text": "네"})
    assert len(loads) == 1  # loaded once for every request
    server.join(timeout=10)  # idle for 3 s: it leaves, and takes its socket with it
    assert not server.is_alive() and not sock.exists()


def test_install_adds_the_module_once(tmp_path):
    voice = tmp_path / "me.voice"
    voice.write_bytes(b"x")
    config = tmp_path / "speech-dispatcher"
    for _ in range(2):
        written = install(voice, config, moksori="moksori")
    assert written == config / "modules" / MODULE_CONFIG and written.exists()
    assert (config / "speechd.conf").read_text().count(f'AddModule "{MODULE}" "sd_generic"') == 1


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("spd-say") and shutil.which("speech-dispatcher") and LIBAO_PLUGIN.exists()),
                    reason="speech-dispatcher and its audio plugins are not installed")
def test_spd_say_speaks_with_the_voice(tmp_path, voice_path):
    out = tmp_path / "said.wav"
    config = tmp_path / "config"
    sock = tmp_path / "speech.sock"
    moksori = str(Path(sys.executable).with_name("moksori"))
    install(voice_path, config, player=f"cat > {shlex.quote(str(out))}", moksori=moksori, socket=sock)
    # No sound card here: libao's null driver satisfies the daemon; the module's player writes the file.
    with (config / "speechd.conf").open("a") as conf:
        conf.write('AudioOutputMethod "libao"\n')
    home = tmp_path / "home"
    home.mkdir()
    (home / ".libao").write_text("default_driver=null\n")
    socket = tmp_path / "speechd.sock"
    env = dict(os.environ, HOME=str(home), SPEECHD_ADDRESS=f"unix_socket:{socket}")
    daemon = subprocess.Popen(["speech-dispatcher", "-s", "-t", "0", "-C", str(config), "-m", str(MODULES_DIR),
                               "-c", "unix_socket", "-S", str(socket), "-L", str(tmp_path)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers = []
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.1)
        for text in ("안녕하세요. 반갑습니다.", "확인 버튼"):
            out.unlink(missing_ok=True)
            said = subprocess.run(["spd-say", "-w", "-o", MODULE, text], env=env, timeout=180,
                                  capture_output=True, text=True)
            assert said.returncode == 0, said.stderr
            samples, rate = sf.read(io.BytesIO(out.read_bytes()))
            assert rate == 22050 and samples.size > rate // 4 and abs(samples).max() > 0.01
            servers.append(int(speech_server.lock_path(sock).read_text()))
        # The first message started the resident server; the second was spoken by the same process.
        assert servers[0] == servers[1] and sock.exists()
        os.kill(servers[0], 0)  # still there for the next message
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        for pid in set(servers):
            os.kill(pid, signal.SIGTERM)
    for _ in range(100):  # it stops when asked, though started from a module that blocks signals
        try:
            os.kill(servers[0], 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the speech server did not stop on SIGTERM")
