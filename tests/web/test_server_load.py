"""One user's flood of requests or progress streams does not take the server from anyone else.

A real uvicorn server on a random loopback port, bounded loops of requests; the time bounds are
generous (a busy two-core machine passes them), the assertions are about answers: no 5xx, no
connection errors, 429 with Retry-After beyond a user's share, and a second user still served.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from moksori.web.app import build_app
from moksori.web.storage.models import Job, User

from .conftest import WebServices

PROMPT_S = 10.0  # a second user's page must answer within this while the flood runs


@contextmanager
def live_server(app) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def page_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def sign_up(base: str, email: str) -> tuple[dict[str, str], str]:
    """A consented account's cookies and its CSRF token, got through the pages like a browser."""
    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
        token = page_token(client.get("/signup").text)
        page = client.post("/signup", data={"email": email, "password": "correct horse", "csrf_token": token})
        client.post("/consent", data={"agree": "yes", "csrf_token": page_token(page.text)})
        talk = client.get("/talk")
        assert talk.status_code == 200
        return dict(client.cookies), page_token(talk.text)


@pytest.fixture
def server(settings) -> Iterator[str]:
    with live_server(build_app(settings, WebServices())) as base:
        yield base


def timed_get(base: str, path: str, cookies: dict[str, str] | None = None) -> tuple[int, float]:
    started = time.monotonic()
    response = httpx.get(base + path, cookies=cookies, timeout=60)
    return response.status_code, time.monotonic() - started


async def flood(base: str, cookies: dict[str, str], path: str, count: int) -> list[httpx.Response | Exception]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=60) as client:
        return await asyncio.gather(*(client.get(path) for _ in range(count)), return_exceptions=True)


def run_beside(coroutine, base: str) -> tuple[list, list[tuple[int, float]]]:
    """Run ``coroutine`` (the flood) in a thread while a second user asks for /login three times."""
    results: list = []
    thread = threading.Thread(target=lambda: results.extend(asyncio.run(coroutine)))
    thread.start()
    time.sleep(0.3)
    others = [timed_get(base, "/login") for _ in range(3)]
    thread.join(120)
    assert not thread.is_alive(), "the flood did not finish within two minutes"
    return results, others


def test_a_flood_of_requests_from_one_user_leaves_the_server_to_others(server, settings):
    alice, _ = sign_up(server, "alice@example.com")
    bob, _ = sign_up(server, "bob@example.com")
    results, others = run_beside(flood(server, alice, "/api/phrases", 200), server)
    errors = [r for r in results if isinstance(r, Exception)]
    statuses = sorted({r.status_code for r in results if not isinstance(r, Exception)})
    assert not errors, f"{len(errors)} connection errors, e.g. {errors[0]!r}"
    assert set(statuses) <= {200, 429}, statuses
    refused = [r for r in results if r.status_code == 429]
    assert refused and all(r.headers["retry-after"].isdigit() for r in refused)
    assert sum(r.status_code == 200 for r in results) >= settings.max_requests_per_user
    for status, seconds in others:
        assert status == 200 and seconds < PROMPT_S, (status, seconds)
    # Recovered: both users are served as before.
    assert timed_get(server, "/api/phrases", alice)[0] == 200
    assert timed_get(server, "/api/phrases", bob)[0] == 200


async def open_streams(base: str, cookies: dict[str, str], path: str, count: int) -> list:
    """Open ``count`` progress streams at once; each gives its status and, when admitted, its first event."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=60) as client:
        async def one():
            async with client.stream("GET", path) as response:
                if response.status_code != 200:
                    return response.status_code, response.headers.get("retry-after"), None
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        # Hold the stream open a while, as a watching page does.
                        await asyncio.sleep(3)
                        return 200, None, line
                return 200, None, None

        return await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)


def test_open_progress_streams_hold_no_connection_and_are_limited_per_user(server, settings):
    alice, _ = sign_up(server, "alice@example.com")
    sign_up(server, "bob@example.com")
    database = server_app_database(settings)
    with database.session() as db:
        alice_id = db.scalar(select(User.id).where(User.email == "alice@example.com"))
        job = Job(user_id=alice_id, status="running", stage="train")
        db.add(job)
        db.commit()
        job_id = job.id
    results, others = run_beside(open_streams(server, alice, f"/api/jobs/{job_id}/events", 30), server)
    for status, seconds in others:
        assert status == 200 and seconds < PROMPT_S, (status, seconds)
    assert not [r for r in results if isinstance(r, Exception)], results
    admitted = [r for r in results if r[0] == 200]
    assert all(r[0] == 429 and r[1] for r in results if r[0] != 200)
    assert len(admitted) == settings.max_streams_per_user and all(r[2] for r in admitted)
    assert timed_get(server, f"/api/jobs/{job_id}", alice)[0] == 200


def server_app_database(settings):
    """The same database file the server uses, opened separately (the test sets up rows in it)."""
    from moksori.web.storage.db import Database

    return Database(settings.sqlalchemy_url)
