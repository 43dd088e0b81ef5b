"""With Redis configured, the per-user limits hold over every server process: two apps on the same
database and Redis stand in for two ``serve --workers`` processes (or two machines)."""

from __future__ import annotations

import asyncio

import pytest

from moksori.web.app import build_app
from moksori.web.security import SESSION_COOKIE

from .conftest import Client, WebServices
from .databases import throwaway_queue


@pytest.fixture
def two_processes(settings):
    with throwaway_queue() as (url, namespace):
        shared = settings.model_copy(update={"queue_url": url, "queue_namespace": namespace,
                                             "max_requests_per_user": 2, "max_streams_per_user": 1})
        apps = [build_app(shared, WebServices()), build_app(shared, WebServices())]
        clients = [Client(app).__enter__() for app in apps]
        yield apps, clients
        for client, app in zip(clients, apps, strict=True):
            client.__exit__(None, None, None)
            app.state.db.engine.dispose()


def test_login_delays_count_the_tries_made_on_every_process(two_processes):
    (first, _), (on_first, on_second) = two_processes
    on_first.post("/signup", data={"email": "alice@example.com", "password": "correct horse", "language": "ko"})
    free = first.state.login_throttle.free_per_account
    for n in range(free):  # the free tries, all on the first process
        assert on_first.post("/login", data={"email": "alice@example.com", "password": f"guess {n}"}
                             ).status_code == 401
    response = on_second.post("/login", data={"email": "alice@example.com", "password": "guess again"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1


def test_a_users_requests_in_flight_are_counted_over_every_process(two_processes):
    (first, second), (alice, alice_elsewhere) = two_processes
    alice.post("/signup", data={"email": "alice@example.com", "password": "correct horse", "language": "ko"})
    alice.post("/consent", data={"agree": "yes"})
    assert alice.get("/api/progress").status_code == 200  # the first process learns whose session it is
    session = alice.cookies.get(SESSION_COOKIE)
    alice_elsewhere.cookies.set(SESSION_COOKIE, session)
    scope = {"type": "http", "headers": [(b"cookie", f"{SESSION_COOKIE}={session}".encode())],
             "client": ("10.0.0.9", 1)}

    async def hold_the_whole_share():
        key = await second.state.request_budget.key(scope)  # a process that never saw the session
        assert key.startswith("user:")
        tickets = [await first.state.request_budget.admit(key, False) for _ in range(2)]
        assert all(tickets) and await second.state.request_budget.admit(key, False) is None
        return key, tickets

    key, tickets = asyncio.run(hold_the_whole_share())
    # Two requests in flight on the first process: the second process turns the third away.
    refused = alice_elsewhere.get("/api/progress", headers={"X-CSRF-Token": alice.csrf_token()})
    assert refused.status_code == 429 and refused.headers["retry-after"]
    asyncio.run(first.state.request_budget.release(key, False, tickets[0]))
    assert alice_elsewhere.get("/api/progress").status_code == 200
    # Progress streams have their own, smaller share, counted the same way.
    asyncio.run(first.state.request_budget.release(key, False, tickets[1]))

    async def streams():
        budget = [first.state.request_budget, second.state.request_budget]
        held = await budget[0].admit(key, True)
        return held, await budget[1].admit(key, True)

    held, refused_stream = asyncio.run(streams())
    assert held and refused_stream is None
