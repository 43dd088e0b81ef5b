"""One frame every 20 ms on an absolute schedule, for the transports that send audio themselves."""

from __future__ import annotations

import asyncio
import time

from moksori.audio.framing import FRAME_MS


class FrameClock:
    """Wakes on ``start + n × period`` rather than sleeping a fixed time after each frame, so sending
    never drifts; ``late`` counts the ticks that came more than a period late (the loop was held up)."""

    def __init__(self, period: float = FRAME_MS / 1000) -> None:
        self.period = period
        self.late = 0
        self._start, self._tick = time.monotonic(), 0

    def restart(self) -> None:
        """Count the schedule from now (when a sending loop begins)."""
        self._start, self._tick = time.monotonic(), 0

    async def tick(self) -> None:
        """Wait for the next frame's time."""
        self._tick += 1
        wait = self._start + self._tick * self.period - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -self.period:
            self.late += 1
