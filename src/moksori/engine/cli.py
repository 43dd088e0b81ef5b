"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path

import typer

TELEPHONE_RATE = 8000


class Backend(enum.StrEnum):
    parametric = "parametric"
    hybrid = "hybrid"


class AudioFormat(enum.StrEnum):
    wav = "wav"
    mulaw = "mulaw"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"moksori say: {message}", err=True)
    return typer.Exit(2)


def say(
    text: str = typer.Argument(None, help="What to say; read from stdin when left out."),
    voice: Path = typer.Option(..., "--voice", "-v", help="The .voice file to speak with."),
    output: Path = typer.Option(None, "--output", "-o", help="Output file; stdout when left out."),
    rate: float = typer.Option(1.0, help="Speaking rate: 2 is twice as fast, 0.5 half as fast."),
    pitch: float = typer.Option(0.0, help="Pitch shift in semitones."),
    volume: float = typer.Option(1.0, help="Level multiplier."),
    pause: float = typer.Option(None, help="Silence between sentences, in ms."),
    sample_rate: int = typer.Option(None, "--sample-rate", help="Output sample rate (default: the voice's)."),
    audio_format: AudioFormat = typer.Option(
        AudioFormat.wav, "--format", help="wav (16-bit PCM) or mulaw (raw 8 kHz G.711 μ-law, for telephony)."
    ),
    backend: Backend = typer.Option(
        None, help="parametric (the model's frames) or hybrid (your recorded sounds); default: the voice's choice."
    ),
) -> None:
    """Say TEXT with a trained voice: `moksori say -v me.voice "안녕하세요" -o hello.wav`, or pipe it:
    `echo 안녕하세요 | moksori say -v me.voice > hello.wav`."""
    if text is None:
        if sys.stdin.isatty():
            raise _fail("give the text as an argument or pipe it on stdin")
        text = sys.stdin.read()
    if not text.strip():
        raise _fail("there is no text to say")
    if audio_format is AudioFormat.mulaw and sample_rate not in (None, TELEPHONE_RATE):
        raise _fail(f"μ-law output is always {TELEPHONE_RATE} Hz")
    if output is None and sys.stdout.isatty():
        raise _fail("audio is binary: give -o FILE or redirect stdout (> out.wav)")
    if (
        rate <= 0
        or volume < 0
        or (pause is not None and pause < 0)
        or (sample_rate is not None and sample_rate <= 0)
    ):
        raise _fail("--rate and --sample-rate must be positive, --volume and --pause not negative")

    from moksori.audio import mulaw_encode, resample, write_wav
    from moksori.engine.voice import DEFAULT_PAUSE_MS, Voice
    from moksori.engine.voicefile import VoiceFileError

    try:
        speaker = Voice.load(voice, backend=backend.value if backend else None)
    except (VoiceFileError, ValueError) as error:
        raise _fail(str(error)) from None
    out_rate = TELEPHONE_RATE if audio_format is AudioFormat.mulaw else sample_rate or speaker.sample_rate
    options = dict(
        rate=rate, pitch=pitch, volume=volume, pause_ms=DEFAULT_PAUSE_MS if pause is None else pause
    )
    if audio_format is AudioFormat.mulaw and output is None:
        # Raw μ-law has no header, so it goes out phrase by phrase, as a telephony pipe expects.
        for chunk in speaker.stream(text, **options):
            sys.stdout.buffer.write(mulaw_encode(resample(chunk, speaker.sample_rate, out_rate)))
            sys.stdout.buffer.flush()
        return
    audio = speaker.synthesize(text, **options)
    if audio.size == 0:
        raise _fail("the text has nothing that can be spoken")
    audio = resample(audio, speaker.sample_rate, out_rate)
    if audio_format is AudioFormat.mulaw:
        from moksori.files import atomic_write

        with atomic_write(output) as handle:
            handle.write(mulaw_encode(audio))
    elif output is not None:
        write_wav(output, audio, out_rate)
    else:
        import io

        import soundfile

        buffer = io.BytesIO()
        soundfile.write(buffer, audio, out_rate, subtype="PCM_16", format="WAV")
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()


def train(
    dataset: Path = typer.Argument(..., help="LJSpeech-style folder or zip: metadata.csv (id|text) and wavs/."),
    out: Path = typer.Option(..., "--out", "-o", help="The .voice file to write."),
    steps: int = typer.Option(None, help="Training steps (default: the standard recipe's)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from its last checkpoint."),
    seed: int = typer.Option(None, help="Random seed; the same seed and data give the same voice."),
    workdir: Path = typer.Option(None, help="Work folder for the prepared data and checkpoints (default: OUT.work)."),
    lang: str = typer.Option("ko", "--lang", help="Language of the recordings: ko or en."),
    size: str = typer.Option(None, "--size", help="Model size: tiny, small, base or large (default base; large is for a GPU)."),
    threads: int = typer.Option(
        None, help="CPU threads for training (default: every core, at most 4; fewer leaves room for other work)."
    ),
    base_voice: Path = typer.Option(
        None, "--from", help="Improve this voice: continue its training with DATASET (all your recordings, old and new)."
    ),
    settings: list[str] = typer.Option(
        None, "--set", help="Override a recipe setting (a TrainConfig field), e.g. --set frame_pitch_layers=2; repeatable."
    ),
) -> None:
    """Train a voice from your recordings: `moksori train my_recordings/ --out me.voice`; improve it later
    with more recordings: `moksori train all_recordings/ --from me.voice --out me2.voice`."""
    import warnings

    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    from moksori.console import console as make_console
    from moksori.dataset import DatasetError
    from moksori.engine.training import TrainConfig, TrainingError, with_settings
    from moksori.engine.training import train as run_training

    if lang not in ("ko", "en"):
        raise typer.BadParameter("--lang must be ko or en")
    if threads is not None and threads < 1:
        raise typer.BadParameter("--threads must be at least 1")
    # Run from a terminal, training is the machine's main job: use its cores. (The library's default of
    # half the cores is for the web app, where the server shares them.)
    threads = threads or min(4, len(os.sched_getaffinity(0)))
    if base_voice is not None and not base_voice.is_file():
        raise typer.BadParameter(f"no voice file at {base_voice}", param_hint="--from")
    step_option = "continue_steps" if base_voice is not None else "steps"
    options = {step_option: steps, "seed": seed, "model_size": size, "language": lang, "threads": threads}
    config = TrainConfig(**{key: value for key, value in options.items() if value is not None})
    try:
        config = with_settings(config, settings or [])
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--set") from None
    console = make_console(stderr=True)
    columns = (TextColumn("{task.description:<9}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
               TextColumn("{task.fields[losses]}"))
    with Progress(*columns, console=console) as bar, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        task = bar.add_task("prepare", total=1.0, losses="")

        def progress(stage: str, fraction: float, info: dict) -> None:
            losses = " ".join(f"{k} {info[k]:.3f}" for k in ("features", "duration", "align", "val") if k in info)
            bar.update(task, description=stage, completed=fraction, losses=losses or bar.tasks[0].fields["losses"])

        try:
            path = run_training(
                dataset, out, config, progress=progress, resume=resume, workdir=workdir, base_voice=base_voice
            )
        except (TrainingError, DatasetError) as error:
            typer.echo(f"moksori train: {error}", err=True)
            raise typer.Exit(2) from None
    for warning in caught:
        console.print(f"[yellow]warning:[/yellow] {warning.message}")
    console.print(f"voice written to {path}")


def wyoming(
    voice: Path = typer.Option(..., "--voice", "-v", help="The .voice file to speak with."),
    uri: str = typer.Option(
        "tcp://127.0.0.1:10200", help="Where to listen; tcp://0.0.0.0:10200 lets Home Assistant on another machine in."
    ),
    name: str = typer.Option("moksori", help="The voice's name as Home Assistant lists it."),
) -> None:
    """Serve VOICE to Home Assistant (and any Wyoming client) as a text-to-speech service."""
    import asyncio

    from moksori.engine.voicefile import VoiceFileError
    from moksori.engine.wyoming import serve

    typer.echo(f"moksori wyoming: serving {voice.name} as {name!r} on {uri}", err=True)
    try:
        asyncio.run(serve(voice, uri, name))
    except VoiceFileError as error:
        typer.echo(f"moksori wyoming: {error}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


def speech_server(
    voice: Path = typer.Option(..., "--voice", "-v", help="The .voice file to speak with."),
    socket: Path = typer.Option(None, help="The Unix socket to answer on (default: the one Speech Dispatcher uses)."),
    idle_exit: float = typer.Option(1800.0, help="Leave after this many seconds without a request."),
) -> None:
    """Keep VOICE loaded and speak what comes on a Unix socket (started by the Speech Dispatcher module
    on its first message; ``moksori.engine.speech_client`` is its client)."""
    import signal

    from moksori.engine.speech_server import serve
    from moksori.engine.speechd import default_socket
    from moksori.engine.voicefile import VoiceFileError

    # Started from Speech Dispatcher's module, which blocks most signals: the mask is inherited across
    # exec, and the server must still stop when asked.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    try:
        serve(voice, socket or default_socket(voice), idle_exit)
    except VoiceFileError as error:
        typer.echo(f"moksori speech-server: {error}", err=True)
        raise typer.Exit(2) from None


def speech_dispatcher(
    voice: Path = typer.Option(..., "--voice", "-v", help="The .voice file to speak with."),
    config_dir: Path = typer.Option(None, help="Speech Dispatcher's configuration folder (default: yours)."),
    player: str = typer.Option("$PLAY_COMMAND", help="The command that plays a WAV from stdin."),
) -> None:
    """Let Speech Dispatcher (Orca, spd-say) speak with VOICE: writes the module configuration."""
    from moksori.engine.speechd import MODULE, install

    if not voice.is_file():
        typer.echo(f"moksori speech-dispatcher: {voice} does not exist", err=True)
        raise typer.Exit(2)
    written = install(voice, config_dir, player)
    typer.echo(f"wrote {written}; restart Speech Dispatcher (pkill -x speech-dispatcher), then try: "
               f"spd-say -o {MODULE} 안녕하세요")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("say")(say)
    app.command("train")(train)
    app.command("wyoming")(wyoming)
    app.command("speech-dispatcher")(speech_dispatcher)
    app.command("speech-server")(speech_server)
