"""Locust users for bench.load_speak: each takes over a logged-in session of its own account (made
and logged in by the benchmark, so password hashing is not part of the measurement) and types a
sentence every few seconds (``MOKSORI_BENCH_PAUSE``: "min,max" seconds between the end of one
sentence and the next) to ``/api/speak``, reading the streamed audio to its end. Two extra entries
per request: "first chunk" (request to first audio bytes) and "total"."""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import HttpUser, between, task

from moksori.dataset.synthetic import KO_SENTENCES

with open(os.environ["MOKSORI_BENCH_SESSIONS"], encoding="utf-8") as _sessions:
    SESSIONS = json.load(_sessions)
ACCOUNTS = itertools.count()
PAUSE = [float(s) for s in os.environ.get("MOKSORI_BENCH_PAUSE", "2,6").split(",")]


class Talker(HttpUser):
    wait_time = between(*PAUSE)  # listening to the answer and typing the next sentence

    def on_start(self) -> None:
        session = SESSIONS[next(ACCOUNTS) % len(SESSIONS)]
        self.client.cookies.update(session["cookies"])
        self.csrf = session["csrf"]

    @task
    def speak(self) -> None:
        started = time.perf_counter()
        first = None
        size = 0
        error = None
        try:
            with self.client.post("/api/speak", json={"text": random.choice(KO_SENTENCES)}, stream=True,
                                  headers={"X-CSRF-Token": self.csrf},
                                  name="/api/speak", catch_response=True) as response:
                if response.status_code != 200:
                    # Status 0: no answer at all; the connection's own error says why (refused, reset, closed).
                    error = response.error or RuntimeError(f"HTTP {response.status_code}")
                    response.failure(error)
                else:
                    for chunk in response.iter_content(8192):
                        if first is None:
                            first = time.perf_counter()
                        size += len(chunk)
                    response.success()
        except Exception as exc:  # a dropped connection counts as an error
            error = exc
        now = time.perf_counter()
        fire = self.environment.events.request.fire
        fire(request_type="SPEAK", name="first chunk", response_time=1000 * ((first or now) - started),
             response_length=size, exception=error, context={})
        fire(request_type="SPEAK", name="total", response_time=1000 * (now - started), response_length=size,
             exception=error, context={})
