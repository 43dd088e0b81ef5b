"""G.711 μ-law: the 8 kHz, 8-bit codec of telephone calls (ITU-T G.711, table form)."""

from __future__ import annotations

import numpy as np

_BIAS = 0x84


def mulaw_encode(samples: np.ndarray) -> bytes:
    """μ-law bytes from float samples in [-1, 1] (clipped)."""
    pcm = np.clip(samples, -1.0, 1.0 - 1 / 32768) * 32768
    pcm = pcm.astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(pcm) + _BIAS, 0x7FFF)
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def _decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return (np.where(codes & 0x80, -magnitude, magnitude) / 32768.0).astype(np.float32)


# 256 entries: decoding is one table look-up per byte.
_DECODED = _decode_table()


def mulaw_decode(data: bytes) -> np.ndarray:
    """Float32 samples in [-1, 1] from μ-law bytes."""
    return _DECODED[np.frombuffer(data, dtype=np.uint8)]
