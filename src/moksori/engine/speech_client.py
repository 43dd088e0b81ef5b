"""The client of ``moksori.engine.speech_server``: text on stdin, a WAV on stdout, as ``moksori say``
gives, but from the resident server, which it starts when none answers yet.

It uses the standard library only and is run as a file (``python -I -S speech_client.py ...``), so it
starts in milliseconds: it is what Speech Dispatcher runs for every sentence.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time

START_TIMEOUT_S = 120.0  # loading a voice on a busy machine


def ask(socket_path: str, request: dict) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(socket_path)
        connection.sendall(json.dumps(request, ensure_ascii=False).encode("utf-8"))
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def start_server(moksori: str, voice: str, socket_path: str) -> None:
    """A server in its own session, so it outlives this client and Speech Dispatcher's shell."""
    log = open(socket_path + ".log", "ab")  # noqa: SIM115 - handed to the child, which keeps it
    subprocess.Popen([moksori, "speech-server", "--voice", voice, "--socket", socket_path],
                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)


def speak(moksori: str, voice: str, socket_path: str, request: dict) -> bytes:
    try:
        return ask(socket_path, request)
    except (FileNotFoundError, ConnectionRefusedError):
        start_server(moksori, voice, socket_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            return ask(socket_path, request)
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description="Say stdin with a resident Moksori voice; a WAV on stdout.")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--voice", required=True)
    parser.add_argument("--moksori", default="moksori", help="the moksori command, to start the server")
    for name, default in (("rate", 1.0), ("pitch", 0.0), ("volume", 1.0)):
        parser.add_argument(f"--{name}", type=float, default=default)
    args = parser.parse_args()
    request = {"text": sys.stdin.read(), "rate": args.rate, "pitch": args.pitch, "volume": args.volume}
    try:
        audio = speak(args.moksori, os.path.abspath(args.voice), args.socket, request)
    except OSError as error:
        print(f"moksori speech client: no server at {args.socket} ({error})", file=sys.stderr)
        return 1
    if not audio:
        print("moksori speech client: the text has nothing that can be spoken", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(audio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
