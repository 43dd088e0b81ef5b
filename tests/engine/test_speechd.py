"""Speech Dispatcher speaking with a Moksori voice: the module configuration, its installation, and
``spd-say`` through a real daemon (audio goes to a file instead of a sound card)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from moksori.engine.speechd import MODULE, MODULE_CONFIG, install, module_config

MODULES_DIR = Path("/usr/lib/speech-dispatcher-modules")
LIBAO_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/speech-dispatcher/spd_libao.so")


def test_the_module_runs_moksori_say_with_the_voice(tmp_path):
    voice = tmp_path / "my voice's.voice"
    text = module_config(voice, "/opt/moksori/bin/moksori")
    command = next(line for line in text.splitlines() if line.startswith("GenericExecuteSynth"))
    assert "/opt/moksori/bin/moksori say --voice" in command and "'\"'\"'" in command  # the quote is escaped
    assert "--rate $RATE --pitch $PITCH --volume $VOLUME | $PLAY_COMMAND" in command
    assert 'GenericLanguage "ko" "ko" "utf-8"' in text and 'GenericLanguage "c" "c" "utf-8"' in text


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
    moksori = str(Path(sys.executable).with_name("moksori"))
    install(voice_path, config, player=f"cat > {out}", moksori=moksori)
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
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.1)
        said = subprocess.run(["spd-say", "-w", "-o", MODULE, "안녕하세요. 반갑습니다."], env=env, timeout=120,
                              capture_output=True, text=True)
        assert said.returncode == 0, said.stderr
        samples, rate = sf.read(io.BytesIO(out.read_bytes()))
        assert rate == 22050 and samples.size > rate // 2 and abs(samples).max() > 0.01
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
