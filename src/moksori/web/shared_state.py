"""Redis clients for state the server processes share (``settings.queue_url``): the per-user
limits. Keys live under ``<queue_namespace>:limits:``. The synchronous client serves routes (run in
the thread pool); middleware on the event loop uses an asyncio client, one per event loop."""

from __future__ import annotations

import asyncio
import weakref

import redis
import redis.asyncio

from moksori.web.settings import Settings

# A Redis that does not answer within this long is treated as away: limits then let requests
# through rather than turn every user away.
REDIS_TIMEOUT_S = 0.5


class SharedState:
    def __init__(self, settings: Settings) -> None:
        self.url, self.prefix = settings.queue_url, f"{settings.queue_namespace}:limits:"
        self.client = redis.Redis.from_url(self.url, socket_timeout=REDIS_TIMEOUT_S,
                                           socket_connect_timeout=REDIS_TIMEOUT_S)
        self._loop_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def loop_client(self) -> redis.asyncio.Redis:
        """The asyncio client of the running event loop (a connection belongs to the loop that made it)."""
        loop = asyncio.get_running_loop()
        client = self._loop_clients.get(loop)
        if client is None:
            client = self._loop_clients[loop] = redis.asyncio.Redis.from_url(
                self.url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
        return client


def shared_state(settings: Settings) -> SharedState | None:
    return SharedState(settings) if settings.queue_url else None
