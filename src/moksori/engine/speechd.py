"""Speech Dispatcher with a Moksori voice, so Linux screen readers (Orca) and any Speech Dispatcher
client (``spd-say``) speak with it: a module configuration for ``sd_generic``, and its installation
into the user's Speech Dispatcher configuration.

``sd_generic`` runs a command per message. That command is the small client of a resident speaking
process (``moksori.engine.speech_client``, standard library only, started in milliseconds), which
starts the server with the voice loaded on the first message and reuses it for the next ones, so
only the first sentence pays the ~1.5 s start-up of ``moksori say`` (docs/benchmarks.md,
"Speech Dispatcher latency").

Installed by ``moksori speech-dispatcher --voice me.voice``; then ``spd-say -o moksori 안녕하세요``
speaks, and Orca offers "moksori" as a speech synthesizer.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from moksori.engine import speech_client

MODULE = "moksori"
MODULE_CONFIG = f"{MODULE}-generic.conf"
SYSTEM_CONFIG = Path("/etc/speech-dispatcher/speechd.conf")
# sd_generic passes rate, pitch and volume from -100..100 as value * multiply + add: these map them
# onto `moksori say` (rate 0.5..1.5 around 1, pitch ±4 semitones, volume 0.5..1.5).
SCALES = {"Rate": (0.005, 1.0), "Pitch": (0.04, 0.0), "Volume": (0.005, 1.0)}


def user_config_dir() -> Path:
    return Path.home() / ".config" / "speech-dispatcher"


def default_socket(voice: Path) -> Path:
    """Where the resident server of ``voice`` listens: the user's runtime folder, one socket per voice."""
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR") or Path(tempfile.gettempdir()) / f"moksori-{os.getuid()}")
    digest = hashlib.sha256(str(voice.resolve()).encode()).hexdigest()[:12]
    return runtime / f"moksori-speech-{digest}.sock"


def module_config(voice: Path, moksori: str, player: str = "$PLAY_COMMAND", socket: Path | None = None,
                  python: str = sys.executable) -> str:
    """The sd_generic configuration: text on stdin of the resident server's client, a WAV to ``player``
    (``$PLAY_COMMAND`` is the player Speech Dispatcher picks for its audio output: paplay, aplay or play)."""
    voice = voice.resolve()
    client = " ".join(shlex.quote(part) for part in (
        python, "-I", "-S", speech_client.__file__, "--socket", str(socket or default_socket(voice)),
        "--voice", str(voice), "--moksori", moksori))
    # sd_generic runs this through sh with $DATA already quoted for single quotes.
    command = f"printf %s \\'$DATA\\' | {client} --rate $RATE --pitch $PITCH --volume $VOLUME | {player}"
    lines = [
        "# Moksori: speak with a personal voice (written by `moksori speech-dispatcher`).",
        "Debug 0",
        f'GenericExecuteSynth "{command}"',
        f'GenericCmdDependency "{moksori}"',
        *[f"Generic{name}Multiply {multiply}\nGeneric{name}Add {add}" for name, (multiply, add) in SCALES.items()],
        # Text arrives in UTF-8 for these; "c" is what clients with no locale send (spd-say under LANG=C),
        # and any other language would be recoded to Latin-1, which turns Hangul into question marks.
        'GenericLanguage "ko" "ko" "utf-8"',
        'GenericLanguage "en" "en" "utf-8"',
        'GenericLanguage "c" "c" "utf-8"',
        'AddVoice "ko" "FEMALE1" "moksori"',
        'AddVoice "en" "FEMALE1" "moksori"',
        'DefaultVoice "moksori"',
    ]
    return "\n".join(lines) + "\n"


def install(voice: Path, config_dir: Path | None = None, player: str = "$PLAY_COMMAND",
            moksori: str | None = None, socket: Path | None = None) -> Path:
    """Write the module's configuration and load it from ``speechd.conf`` in ``config_dir`` (the
    user's own configuration by default; started from the system's when there is none yet)."""
    config_dir = config_dir or user_config_dir()
    moksori = moksori or shutil.which("moksori") or "moksori"
    (config_dir / "modules").mkdir(parents=True, exist_ok=True)
    (config_dir / "modules" / MODULE_CONFIG).write_text(module_config(voice, moksori, player, socket),
                                                        encoding="utf-8")
    main = config_dir / "speechd.conf"
    if not main.exists():
        main.write_text(SYSTEM_CONFIG.read_text(encoding="utf-8") if SYSTEM_CONFIG.exists() else "",
                        encoding="utf-8")
    text = main.read_text(encoding="utf-8")
    line = f'AddModule "{MODULE}" "sd_generic" "{MODULE_CONFIG}"'
    if line not in text:
        main.write_text(text.rstrip("\n") + f"\n\n# Moksori\n{line}\n", encoding="utf-8")
    return config_dir / "modules" / MODULE_CONFIG
