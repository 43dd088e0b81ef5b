"""Speech Dispatcher latency: how long each sentence takes from the module's command starting to its
WAV being complete, the way ``sd_generic`` runs it (text on stdin, WAV on stdout), before and after
the resident server.

    nice -n 10 .venv/bin/python -m bench.speechd_latency [--voice V.voice] [--rounds 3]

Before: ``moksori say`` per sentence (a whole process, loading the text front-end and the voice each
time). After: the standard-library client (``python -I -S speech_client.py``) asking the resident
``moksori speech-server``; its first sentence starts the server and is reported apart. Without
``--voice`` the voice is an untrained model of the default size (bench.synthesis_speed's stand-in),
which costs what a trained one does. Everything runs on one core (bench.synthesis_speed pins it).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import write_section
from bench.synthesis_speed import stand_in_voice
from moksori.engine import speech_client, speech_server

# What a screen reader sends: short labels and sentences.
SENTENCES = ["파일 메뉴", "확인 버튼", "새 메시지가 도착했습니다.", "저장하시겠습니까?", "검색어를 입력하세요.",
             "목록, 항목 열 개", "오후 세 시 이십 분", "배터리 이십 퍼센트", "창 닫기", "다운로드가 끝났습니다."]
MOKSORI = str(Path(sys.executable).with_name("moksori"))


def timed(command: list[str], text: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, input=text.encode(), capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    assert done.stdout[:4] == b"RIFF", done.stderr
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="times each sentence is said per way")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="speechd-bench-") as tmp:
        voice = args.voice or stand_in_voice(Path(tmp) / "stand-in.voice")
        load_before = os.getloadavg()
        say = [MOKSORI, "say", "--voice", str(voice)]
        before = [timed(say, text) for _ in range(args.rounds) for text in SENTENCES]
        sock = Path(tmp) / "speech.sock"
        client = [sys.executable, "-I", "-S", speech_client.__file__, "--socket", str(sock), "--voice", str(voice),
                  "--moksori", MOKSORI]
        first = timed(client, SENTENCES[0])  # starts the server
        after = [timed(client, text) for _ in range(args.rounds) for text in SENTENCES]
        os.kill(int(speech_server.lock_path(sock).read_text()), signal.SIGTERM)
        load_after = os.getloadavg()

    def row(name: str, times: list[float]) -> str:
        return f"| {name} | {len(times)} | {np.median(times):.3f} s | {np.percentile(times, 90):.3f} s | {max(times):.3f} s |"

    body = "\n".join([
        "| per sentence | sentences | median | 90th percentile | slowest |", "|---|---|---|---|---|",
        row("`moksori say` per sentence (before)", before),
        row("client → resident server (after)", after),
        f"| after: the first sentence, which starts the server | 1 | {first:.3f} s | – | – |",
        "",
        f"{len(SENTENCES)} screen-reader texts (2–12 syllables), {args.rounds} rounds each way; wall clock from the "
        "command starting to its whole WAV on stdout, one core. Load average (1 min) "
        f"{load_before[0]:.2f} → {load_after[0]:.2f}: the machine was shared, so absolute times are high, the "
        "ratio is the point.",
    ])
    print(body)
    if not args.no_write:
        write_section("speechd_latency", "Speech Dispatcher latency: a resident server instead of a process "
                      "per sentence", "nice -n 10 .venv/bin/python -m bench.speechd_latency", body)


if __name__ == "__main__":
    main()
