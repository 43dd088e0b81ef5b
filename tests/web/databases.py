"""The database matrix of the web tests: SQLite by default, PostgreSQL with
``MOKSORI_TEST_DATABASE=postgresql``, each test on a database of its own that is dropped afterwards."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# A server and a role allowed to create databases (the tests' services run with trust auth on loopback).
ADMIN_URL = os.environ.get("MOKSORI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def database_kind() -> str:
    kind = os.environ.get("MOKSORI_TEST_DATABASE", "sqlite").lower()
    if kind not in ("sqlite", "postgresql"):
        raise ValueError(f"MOKSORI_TEST_DATABASE must be sqlite or postgresql, not {kind!r}")
    return kind


@contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    """The URL of an empty database for one test: a SQLite file in ``folder``, or a new PostgreSQL
    database ``moksori_test_<random>`` (so parallel runs never meet), dropped with its connections."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{folder / 'moksori-test.db'}"
        return
    name = f"moksori_test_{secrets.token_hex(6)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


REDIS_URL = os.environ.get("MOKSORI_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@contextmanager
def throwaway_queue() -> Iterator[tuple[str, str]]:
    """``(redis url, key namespace)`` for one test's build queue; its keys are deleted afterwards."""
    import redis

    namespace = f"moksori-test-{secrets.token_hex(6)}"
    try:
        yield REDIS_URL, namespace
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{namespace}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def page_csrf_token(client) -> str:
    """The CSRF token a logged-in browser's scripts send: the one the server writes into every page
    (``<meta name="csrf-token">``), bound to the session. For tests that talk to a real server over HTTP."""
    import re

    page = client.get("/account", follow_redirects=True).text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the page carries no CSRF token"
    return match.group(1)
