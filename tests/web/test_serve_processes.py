"""``moksori serve --workers 2``: one port, two processes, metrics summed over both, idle connections
kept open."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .servers import free_port
from .test_remote_workers import ready, wait_for

pytestmark = pytest.mark.slow


def healthz_count(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "moksori_http_requests_total" and sample.labels["route"] == "/healthz")


def test_two_server_processes_share_one_port_and_their_metrics(tmp_path, database_url):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MOKSORI_DATABASE_URL=database_url, MOKSORI_ASR_CHECK="false")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "server.log"
    server = subprocess.Popen([sys.executable, "-m", "moksori.cli", "serve", "--port", str(port), "--workers", "2",
                               "--data-dir", str(tmp_path / "data")], env=env, stdout=log.open("w"),
                              stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: ready(url, server, log), 180, "the server", 0.5)
        wait_for(lambda: log.read_text().count("Application startup complete") == 2, 180, "both processes")
        for _ in range(30):  # new connections each time: the kernel spreads them over both processes
            assert httpx.get(f"{url}/healthz").status_code == 200
        assert healthz_count(url) == 30
        assert healthz_count(url) == 30  # whichever process answers /metrics
        assert log.read_text().count("Started server process") == 2
        # An idle connection outlives uvicorn's default 5 s (MOKSORI_KEEP_ALIVE_S): a typing user's next
        # sentence, sent on it seconds later, must not meet a connection the server is closing.
        connection = http.client.HTTPConnection("127.0.0.1", port)  # one connection, never reopened
        for pause in (0, 6.5):
            time.sleep(pause)
            connection.request("GET", "/healthz")  # a closed connection: RemoteDisconnected here
            assert connection.getresponse().read() == b'{"status":"ok"}'
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
