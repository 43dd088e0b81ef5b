"""``moksori worker``: builds voices and checks uploaded recordings for an app it reaches over
HTTP, taking jobs from Redis.

The worker needs none of the app's disk or database. For each job it claims a lease and reports
progress (which renews the lease and tells it when the user cancelled). A build downloads the
recordings (and the last checkpoint when the job was interrupted elsewhere), trains in a folder
of its own, uploads each new checkpoint, and finally the ``.voice`` and its sample. An import
downloads the unpacked zip, runs the take checks (the costly part: speech recognition) and
uploads the recordings with what the checks found, in batches the app stores as takes.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import signal
import socket
import tarfile
import threading
import time
from pathlib import Path

import httpx

from moksori.audio import AudioError, write_wav
from moksori.audio.decode import decode
from moksori.web.jobs.worker import JobCancelled, sample_sentence
from moksori.web.services import Services
from moksori.web.takes import check_recording

log = logging.getLogger(__name__)
# Files of the engine's work folder that a resumed run needs (training.py: checkpoint and phone table).
CHECKPOINT_FILES = ("checkpoint.pt", "phones.json")
REPORT_SECONDS = 1.0
# Recordings of an import sent back per request: bounds a request's size, and what a cancel keeps.
IMPORT_BATCH = 20
WORKER_ANNOUNCE_SECONDS = 5.0


class LeaseLost(Exception):
    """The app gave the job to another worker (or it ended): stop without reporting."""


class AppClient:
    """One job's conversation with the app, authenticated by the job's token."""

    def __init__(self, http: httpx.Client, job_id: int, token: str, worker: str) -> None:
        self.http, self.base = http, f"/worker/jobs/{job_id}"
        self.headers = {"Authorization": f"Bearer {token}", "X-Moksori-Worker": worker}

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.http.request(method, self.base + path, headers=self.headers, **kwargs)
        if response.status_code in (403, 409, 410):
            raise LeaseLost(response.json().get("detail", response.text))
        response.raise_for_status()
        return response

    def claim(self) -> dict:
        """The job's details; waits while the app's build limit is reached."""
        while True:
            response = self.http.post(self.base + "/claim", headers=self.headers)
            if response.status_code != 503:
                break
            time.sleep(float(response.headers.get("Retry-After", "5")))
        if response.status_code in (403, 409, 410):
            raise LeaseLost(response.json().get("detail", response.text))
        response.raise_for_status()
        return response.json()

    def save(self, what: str, path: Path) -> Path:
        """The app's file ``what`` (dataset, checkpoint, base-voice), written to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.http.stream("GET", f"{self.base}/{what}", headers=self.headers) as response:
            if response.status_code in (403, 409, 410):
                raise LeaseLost(f"{what}: {response.status_code}")
            response.raise_for_status()
            with path.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
        return path

    def download(self, what: str, folder: Path) -> None:
        """Unpack the app's tar of ``what`` (dataset, checkpoint, upload) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(self.save(what, folder.parent / f"{what}.tar")) as archive:
            archive.extractall(folder, filter="data")
        (folder.parent / f"{what}.tar").unlink()

    def report(self, stage: str, fraction: float, eta_s: float | None) -> bool:
        return self._call("POST", "/progress", json={"stage": stage, "fraction": fraction, "eta_s": eta_s}
                          ).json()["cancel"]

    def upload_checkpoint(self, workdir: Path, step: int) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for name in CHECKPOINT_FILES:
                if (workdir / name).exists():
                    archive.add(workdir / name, name)
        self._call("PUT", "/checkpoint", params={"step": step}, files={"checkpoint": ("checkpoint.tar", buffer.getvalue())})

    def finish(self, voice: Path, sample: Path, take_count: int) -> dict:
        with voice.open("rb") as voice_file, sample.open("rb") as sample_file:
            return self._call("POST", "/voice", params={"take_count": take_count},
                              files={"voice": ("voice.voice", voice_file), "sample": ("sample.wav", sample_file)}
                              ).json()

    def store_takes(self, batch: list[tuple[dict, Path]]) -> dict:
        """Send checked recordings (``(manifest entry, file)``); the app stores them as takes."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for entry, path in batch:
                archive.add(path, entry["file"])
        return self._call("POST", "/takes", data={"manifest": json.dumps([entry for entry, _path in batch])},
                          files={"recordings": ("recordings.tar", buffer.getvalue())}).json()

    def imported(self, added: int, flagged: int, errors: list[str]) -> None:
        self._call("POST", "/imported", json={"added": added, "flagged": flagged, "errors": errors})

    def fail(self, message: str) -> None:
        self._call("POST", "/fail", json={"message": message})


class RemoteProgress:
    """The engine's ``progress`` callback on a worker: reports to the app at most every second,
    uploads each checkpoint the engine writes, and stops the build once the user cancelled.
    A thread keeps the lease alive through long silent stretches (feature extraction)."""

    def __init__(self, client: AppClient, workdir: Path, lease_seconds: float) -> None:
        self.client, self.workdir = client, workdir
        self.last_report, self.checkpoint_mtime, self.state = 0.0, self._checkpoint_mtime(), ("", 0.0, None)
        self.cancelled = threading.Event()
        self.stopped = threading.Event()
        self.lost: Exception | None = None
        self.keeper = threading.Thread(target=self._keep_lease, args=(lease_seconds / 3,), daemon=True)
        self.keeper.start()

    def _checkpoint_mtime(self) -> int | None:
        path = self.workdir / CHECKPOINT_FILES[0]
        return path.stat().st_mtime_ns if path.exists() else None

    def _send(self, stage: str, fraction: float, eta_s: float | None) -> None:
        try:
            if self.client.report(stage, fraction, eta_s):
                self.cancelled.set()
        except LeaseLost as error:
            self.lost = error
        except httpx.HTTPError as error:  # the app is away for a moment; the lease outlives a short gap
            log.warning("could not report to the app: %s", error)

    def _keep_lease(self, interval: float) -> None:
        while not self.stopped.wait(interval):
            if time.monotonic() - self.last_report >= interval:
                self._send(*self.state)

    def __call__(self, stage: str, fraction: float, info: dict | None = None) -> None:
        info = info or {}
        self.state = (stage, float(fraction), info.get("eta_s"))
        mtime = self._checkpoint_mtime()
        if mtime is not None and mtime != self.checkpoint_mtime and "step" in info:
            try:
                self.client.upload_checkpoint(self.workdir, int(info["step"]))
                self.checkpoint_mtime = mtime
            except httpx.HTTPError as error:  # tried again at the next report
                log.warning("could not upload the checkpoint: %s", error)
        now = time.monotonic()
        if now - self.last_report >= REPORT_SECONDS or fraction >= 1.0:
            self.last_report = now
            self._send(*self.state)
        if self.lost:
            raise LeaseLost(str(self.lost))
        if self.cancelled.is_set():
            raise JobCancelled()

    def checkpoint_received(self) -> None:
        """The checkpoint in the work folder came from the app: it need not be uploaded again."""
        self.checkpoint_mtime = self._checkpoint_mtime()

    def close(self) -> None:
        self.stopped.set()
        self.keeper.join()


def run_remote_job(http: httpx.Client, services: Services, data_dir: Path, job_id: int, token: str,
                   worker: str) -> str:
    """Run one job for the app behind ``http``; returns how it ended (done, failed, cancelled, lost)."""
    client = AppClient(http, job_id, token, worker)
    try:
        job = client.claim()
    except LeaseLost as refused:
        log.info("job %s not taken: %s", job_id, refused)
        return "lost"
    log.info("job %s claimed (attempt %s%s)", job_id, job["attempt"],
             f", resuming from step {job['checkpoint_step']}" if job["resume"] else "")
    folder = data_dir / "jobs" / str(job_id)
    shutil.rmtree(folder, ignore_errors=True)
    # From the claim on, a thread renews the lease: downloads take long on a busy machine too.
    progress = RemoteProgress(client, folder / "work", job["lease_seconds"])
    try:
        (check_upload if job["kind"] == "import" else build)(client, services, folder, job, progress)
        return "done"
    except JobCancelled:
        return "cancelled"
    except LeaseLost as lost:
        log.warning("job %s: lease lost (%s)", job_id, lost)
        return "lost"
    except httpx.HTTPError:
        # The app is unreachable: the lease runs out and the job is sent again, resuming.
        log.exception("job %s: the app could not be reached", job_id)
        return "lost"
    except Exception as error:  # the reason is shown to the user on the voices page
        log.exception("job %s failed", job_id)
        with contextlib.suppress(LeaseLost, httpx.HTTPError):  # then the lease runs out instead
            client.fail(f"{type(error).__name__}: {error}")
        return "failed"
    finally:
        progress.close()
        shutil.rmtree(folder, ignore_errors=True)


def build(client: AppClient, services: Services, folder: Path, job: dict, progress: RemoteProgress) -> None:
    client.download("dataset", folder / "dataset")
    if job["resume"]:
        client.download("checkpoint", folder / "work")
        progress.checkpoint_received()
    base_voice = client.save("base-voice", folder / "base.voice") if job["kind"] == "improve" else None
    take_count = len((folder / "dataset" / "metadata.csv").read_text(encoding="utf-8").splitlines())
    voice_path = folder / "out.voice"
    services.train(folder / "dataset", voice_path, job["preset"], job["language"], progress, job["resume"],
                   folder / "work", base_voice=base_voice)
    # The lease keeper runs on until the voice is uploaded: loading the voice for its sample
    # (and the text front-end with it) takes long enough on a busy machine to lose the lease.
    voice = services.voice(voice_path)
    write_wav(folder / "sample.wav", voice.synthesize(sample_sentence(job["language"])), voice.sample_rate)
    services.forget_voice(voice_path)
    client.finish(voice_path, folder / "sample.wav", take_count)


def check_upload(client: AppClient, services: Services, folder: Path, job: dict, progress: RemoteProgress) -> None:
    """Check every recording of an import and send them back in batches; an unreadable file is
    sent unchecked, and the app, reading it again, tells the user why it was not added."""
    client.download("upload", folder / "upload")
    items = services.recordings_in(folder / "upload")
    added, flagged, errors = 0, 0, []
    for start in range(0, len(items), IMPORT_BATCH):
        batch = []
        for n, (utt_id, path, text) in enumerate(items[start:start + IMPORT_BATCH], start):
            entry = {"name": f"{utt_id} ({path.name})", "text": text, "file": f"{n}{path.suffix[:10]}"}
            try:
                samples, rate = decode(path, job["max_take_seconds"])
            except AudioError:
                pass
            else:
                checked = check_recording(services, samples, rate, text, job["language"], job["asr_check"])
                entry |= {"problems": checked.problems, "cer": checked.cer}
            batch.append((entry, path))
            progress("checking recordings", (n + 1) / len(items), {})
        stored = client.store_takes(batch)
        added, flagged, errors = added + stored["added"], flagged + stored["flagged"], errors + stored["errors"]
    client.imported(added, flagged, errors)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_worker(broker, http: httpx.Client, services: Services, data_dir: Path, name: str):
    """A started Dramatiq worker that runs one build at a time from ``broker``'s build queue."""
    import dramatiq
    from dramatiq import Worker

    from moksori.web.jobs.broker import BUILD_QUEUE, RUN_JOB

    def run_job(job_id: int, token: str) -> None:
        outcome = run_remote_job(http, services, data_dir, job_id, token, name)
        log.info("job %s: %s", job_id, outcome)

    # Builds last far longer than Dramatiq's default ten-minute limit; a failed build is reported
    # to the user, not retried (an unreachable app is handled by the lease instead).
    dramatiq.actor(run_job, actor_name=RUN_JOB, queue_name=BUILD_QUEUE, broker=broker, max_retries=0,
                   time_limit=7 * 24 * 3600 * 1000)
    worker = Worker(broker, worker_threads=1)
    worker.queue_prefetch = 1  # an idle worker elsewhere should get the next job, not this busy one
    worker.start()
    return worker


def serve_worker(queue_url: str, namespace: str, app_url: str, data_dir: Path,
                 services: Services | None = None) -> None:
    """Take builds from the queue one at a time until SIGTERM/SIGINT (a build in progress then
    stops; its lease runs out and another worker resumes it from its last checkpoint)."""
    from moksori.web.jobs.broker import announce_worker, make_broker, retire_worker

    name = worker_name()
    broker = make_broker(queue_url, namespace)
    http = httpx.Client(base_url=app_url, timeout=httpx.Timeout(60.0, connect=10.0))
    data_dir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = start_worker(broker, http, services or Services(), data_dir, name)
    log.info("worker %s: queue %s (%s), app %s, data %s", name, queue_url, namespace, app_url, data_dir)
    try:
        while True:
            announce_worker(broker, name)
            if stop.wait(WORKER_ANNOUNCE_SECONDS):
                break
    finally:
        retire_worker(broker, name)
        worker.stop(timeout=1000)
        broker.close()
        http.close()
