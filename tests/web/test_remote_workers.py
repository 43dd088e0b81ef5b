"""``moksori worker`` processes with data folders of their own stand in for other machines: they
reach ``moksori serve`` only over loopback HTTP and Redis. Two workers: the one that takes the
build is killed (SIGKILL) after its first checkpoint; the other picks the job up and resumes from
the checkpoint the first one uploaded. One worker: it checks an uploaded zip of recordings, which
the app stores as takes. Real engine, tiny preset, espeak-ng recordings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import create_engine, text

from moksori.dataset import read_metadata
from moksori.web.security import CSRF_COOKIE

from .databases import page_csrf_token, throwaway_queue
from .servers import free_port

pytestmark = pytest.mark.slow


def wait_for(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def moksori(*args: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "moksori.cli", *args], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def ready(url: str, server: subprocess.Popen, log: Path) -> bool:
    if server.poll() is not None:
        pytest.fail(f"the server stopped:\n{log.read_text()}")
    try:
        return httpx.get(f"{url}/readyz").status_code == 200
    except httpx.TransportError:
        return False


def sign_up(url: str) -> httpx.Client:
    token = {"value": ""}

    def send_csrf_token(request: httpx.Request) -> None:  # as the pages' scripts do
        request.headers["X-CSRF-Token"] = token["value"] or client.cookies.get(CSRF_COOKIE) or ""

    client = httpx.Client(base_url=url, timeout=60, event_hooks={"request": [send_csrf_token]})
    client.get("/login")
    client.post("/signup", data={"email": "w@example.com", "password": "a long enough password", "language": "ko"})
    token["value"] = page_csrf_token(client)  # logged in: the token is bound to the session
    client.post("/consent", data={"agree": "yes"})
    return client


def sign_up_with_takes(url: str, speaker: Path, folder: Path) -> httpx.Client:
    client = sign_up(url)
    files, lines = [], []
    for utt_id, sentence in list(read_metadata(speaker).items())[:6]:
        samples, rate = sf.read(speaker / "wavs" / f"{utt_id}.wav", dtype="float32")
        pad = np.zeros(rate // 2, dtype=np.float32)
        noisy = np.concatenate([pad, 0.5 * samples / np.abs(samples).max(), pad])
        noisy += np.random.default_rng(0).normal(0, 1e-4, noisy.size).astype(np.float32)
        sf.write(folder / f"{utt_id}.wav", noisy, rate)
        files.append(("files", (f"{utt_id}.wav", (folder / f"{utt_id}.wav").read_bytes(), "audio/wav")))
        lines.append(f"{utt_id}.wav|{sentence}")
    response = client.post("/api/uploads", files=files, data={"texts": "\n".join(lines)})
    assert response.status_code == 200, response.text
    return client


def queue_env(redis_url: str, namespace: str, database_url: str) -> dict:
    return dict(os.environ, MOKSORI_QUEUE_URL=redis_url, MOKSORI_QUEUE_NAMESPACE=namespace,
                MOKSORI_DATABASE_URL=database_url, MOKSORI_TRAIN_PRESET="tiny", MOKSORI_MIN_TAKES_FOR_BUILD="4",
                MOKSORI_ASR_CHECK="false", MOKSORI_JOB_LEASE_SECONDS="30", MOKSORI_LOG_FORMAT="json")


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def serving_on_a_queue(tmp_path: Path, database_url: str) -> Iterator[tuple[str, dict, list[subprocess.Popen]]]:
    """``moksori serve`` on a throw-away Redis queue, once it is ready: its URL, the environment for workers
    on the same queue, and the processes to stop at the end (workers appended to it are stopped too)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with throwaway_queue() as (redis_url, namespace):
        env = queue_env(redis_url, namespace, database_url)
        processes = [moksori("serve", "--port", str(port), "--data-dir", str(tmp_path / "app"), env=env,
                             log=tmp_path / "server.log")]
        try:
            wait_for(lambda: ready(url, processes[0], tmp_path / "server.log"), 120, "the server", 0.5)
            yield url, env, processes
        finally:
            stop_all(processes)


def test_a_zip_import_is_checked_by_a_worker_process(tmp_path, database_url, synthetic_speaker):
    speaker = synthetic_speaker("ko_f", 3)
    with serving_on_a_queue(tmp_path, database_url) as (url, env, processes):
        processes.append(moksori("worker", "--app", url, "--data-dir", str(tmp_path / "worker"), env=env,
                                 log=tmp_path / "worker.log"))
        user = sign_up(url)
        with zipfile.ZipFile(tmp_path / "takes.zip", "w") as archive:
            archive.write(speaker / "metadata.csv", "metadata.csv")
            for wav in (speaker / "wavs").glob("*.wav"):
                archive.write(wav, f"wavs/{wav.name}")
        response = user.post("/api/uploads", files=[("files", ("takes.zip", (tmp_path / "takes.zip").read_bytes(),
                                                               "application/zip"))])
        assert response.status_code == 200, response.text
        job_id = response.json()["job"]["id"]
        job = wait_for(lambda: (j := user.get(f"/api/jobs/{job_id}").json())["finished"] and j, 120, "the import")
        assert job["status"] == "done" and job["take_count"] == 3, job
        assert f"job {job_id} claimed" in (tmp_path / "worker.log").read_text()
        assert not list((tmp_path / "app").glob("users/*/uploads/*"))


def test_a_killed_workers_build_resumes_on_the_other_worker(tmp_path, database_url, synthetic_speaker):
    speaker = synthetic_speaker("ko_f", 6)
    with serving_on_a_queue(tmp_path, database_url) as (url, env, processes):
        user = sign_up_with_takes(url, speaker, tmp_path)
        for n in (1, 2):
            processes.append(moksori("worker", "--app", url, "--data-dir", str(tmp_path / f"worker{n}"), env=env,
                                     log=tmp_path / f"worker{n}.log"))
        job_id = user.post("/api/builds").json()["id"]
        engine = create_engine(database_url)

        def lease() -> tuple | None:
            with engine.connect() as connection:
                return connection.execute(text("SELECT worker, checkpoint_step, attempts FROM job_leases "
                                               "WHERE job_id = :id"), {"id": job_id}).one_or_none()

        holder, step, _ = wait_for(lambda: (row := lease()) and row[1] and row, 300, "the first checkpoint", 0.05)
        os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)
        killed = next(p for p in processes if p.pid == int(holder.rsplit(":", 1)[1]))
        survivor = next(n for n, p in enumerate(processes[1:], 1) if p is not killed)

        job = wait_for(lambda: (j := user.get(f"/api/jobs/{job_id}").json())["finished"] and j, 400, "the build")
        assert job["status"] == "done", job
        final = lease()
        assert final[2] == 2 and final[0] is None  # claimed twice, lease released at the end
        log = (tmp_path / f"worker{survivor}.log").read_text()
        assert f"resuming from step {step}" in log, log
        [voice] = user.get("/api/voices").json()["voices"]
        assert voice["card"]
        spoken = user.post("/api/speak", json={"text": "안녕하세요"})
        assert spoken.status_code == 200 and len(spoken.content) > 1000
        # The worker machine keeps nothing of the job once it ended (it cleans up right after the upload).
        wait_for(lambda: not list((tmp_path / f"worker{survivor}").glob("jobs/*")), 30, "the worker's clean-up")
        engine.dispose()
