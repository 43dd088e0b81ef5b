"""What a loaded voice costs a server process, for sizing ``MOKSORI_VOICE_CACHE_MB``: the memory
of the process before any voice, after the first voice (which also loads the shared text
front-end) and per further voice, against the size the voice cache counts for it (its arrays).

    .venv/bin/python -m bench.voice_memory [--voices 8]

Uses stand-in voices of the default model size (bench.synthesis_speed), each a separate file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import write_section
from bench.synthesis_speed import stand_in_voice

CHILD = """
import json, sys
from moksori.web.services import Services
from moksori.web.voice_cache import array_bytes
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) / 1024
services = Services()
steps = [rss()]
sizes = []
for path in sys.argv[1:]:
    voice = services.voice(path)
    voice.synthesize('안녕하세요. 오늘 날씨가 좋네요.')
    steps.append(rss())
    sizes.append(array_bytes(voice) / 2**20)
print(json.dumps({"rss": steps, "counted": sizes}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = [stand_in_voice(Path(tmp) / f"v{n}.voice") for n in range(args.voices)]
        file_mb = paths[0].stat().st_size / 2**20
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", CHILD, *map(str, paths)],
                             capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    rss, counted = result["rss"], result["counted"]
    further = [(b - a) for a, b in zip(rss[1:-1], rss[2:], strict=True)]
    per_voice = sorted(further)[len(further) // 2]
    body = f"""
One process (`moksori.web.services.Services`), {args.voices} different stand-in voices of the default
model size loaded one after another, each speaking one sentence. RSS in MiB.

| measure | value |
|---|---|
| process before any voice (web services imported) | {rss[0]:.0f} MiB |
| after the first voice (includes the shared Korean text front-end) | {rss[1]:.0f} MiB |
| each further voice, median of {len(further)} | **{per_voice:.1f} MiB** |
| what the cache counts per voice (its arrays) | {counted[0]:.1f} MiB |
| `.voice` file | {file_mb:.1f} MiB |

So `MOKSORI_VOICE_CACHE_MB` of 1024 keeps about {1024 / max(counted[0], 0.1):.0f} voices per process by the
cache's count; the process needs the first-voice figure once on top.
"""
    print(body)
    write_section("voice_memory", "Memory of loaded voices (voice cache sizing)", "python -m bench.voice_memory",
                  body)


if __name__ == "__main__":
    main()
