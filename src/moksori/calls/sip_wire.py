"""The message boundary between the app and the SIP worker process (``moksori.calls.sip_worker``).

One Unix stream socket carries two kinds of messages, each ``kind (1 byte) + length (4 bytes, big-endian) +
payload``:

- ``J``: a JSON object. App → worker: commands (``call``, ``answer``, ``hangup``, ``dtmf``, ``transfer``,
  ``counts``, ``quit``). Worker → app: events (``ready``, ``registration``, ``incoming``, ``state``, ``dtmf``,
  ``transfer``, ``counts``, ``problem``).
  ``{"op": "transfer", "id", "uri"}`` asks the far end of call ``id`` to call ``uri`` instead (a blind transfer,
  SIP REFER); ``{"event": "transfer", "id", "code", "reason", "final"}`` reports how that goes: the REFER's
  answer (202 accepted; 4xx-6xx refused, final), then the far end's new call (final 2xx: it connected; final
  4xx-6xx: it failed). Code 0: the worker could not send the REFER. A call's last ``state`` event
  (``ended``) adds ``missing``: the frames of the call the worker sent as silence because the app's frames had
  run out (gaps on the line; 0 on a call that never carried audio).
- ``A``: 20 ms of call audio: call id (4 bytes, big-endian) + 16-bit little-endian mono PCM at 8 kHz
  (320 bytes). App → worker: the user's voice; worker → app: what the far end sends.

Nothing but bytes crosses: the worker owns PJSIP entirely, and a crash there cannot take the web server with it.
"""

from __future__ import annotations

import json
import struct
from typing import Any

SIP_RATE = 8000
FRAME_BYTES = 320  # 20 ms of 16-bit PCM at 8 kHz
_HEADER = struct.Struct(">cI")
_CALL_ID = struct.Struct(">I")


def json_message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return _HEADER.pack(b"J", len(body)) + body


def audio_message(call_id: int, pcm: bytes) -> bytes:
    return _HEADER.pack(b"A", _CALL_ID.size + len(pcm)) + _CALL_ID.pack(call_id) + pcm


def split_audio(payload: bytes) -> tuple[int, bytes]:
    """``(call id, PCM)`` from the payload of an ``A`` message."""
    return _CALL_ID.unpack_from(payload)[0], payload[_CALL_ID.size:]


class MessageReader:
    """Cuts a byte stream into ``(kind, payload)`` messages, whatever sizes it arrives in."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= _HEADER.size:
            kind, length = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + length:
                break
            messages.append((kind, bytes(self._buffer[_HEADER.size:_HEADER.size + length])))
            del self._buffer[:_HEADER.size + length]
        return messages
