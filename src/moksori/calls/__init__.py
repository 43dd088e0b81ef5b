"""Conversations and calls: the other person's speech as live captions, the user's typed text in their own
voice, a transcript of both; transports for browser calls (WebRTC) and face-to-face conversation
(16-bit PCM over a WebSocket). No web framework in here: the web app only adds routes and pages.

Exports load on first use (aiortc and vosk are heavy).
"""

from __future__ import annotations

from moksori.lazy import lazy_exports

_EXPORTS = {
    **{name: "moksori.calls.session"
       for name in ("CallSession", "TranscriptLine", "SessionStats", "OUT_RATE", "ME", "THEM", "shared_executor")},
    **{name: "moksori.calls.notice" for name in ("CALL_NOTICE", "ONE_MOMENT", "call_notice")},
    "WebRtcLink": "moksori.calls.webrtc",
    "PcmSocketLink": "moksori.calls.pcm_socket",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
