"""Recording studio: takes with their checks, re-recording, progress, resume, bad audio, uploads."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import moksori.web.storage.files as files
from moksori.web.app import build_app
from moksori.web.storage.models import Take

from .conftest import record, run_next_job, user_files, wav_bytes


def test_a_good_take_is_stored_and_counted(alice, settings, speech):
    response = record(alice, "script:0", *speech[0])
    assert response.status_code == 200, response.text
    take = response.json()
    assert [p for p in take["problems"] if p["severity"] == "error"] == []
    assert take["text"] == "안녕하세요, 만나서 반갑습니다."
    audio = alice.get(take["audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    progress = alice.get("/api/progress").json()
    assert progress["script_recorded"] == 1 and progress["script_total"] == 4 and progress["ready"] == 1
    assert progress["minutes"] == pytest.approx(take["duration_s"] / 60, abs=0.05)


def test_clipped_quiet_and_silent_takes_are_flagged(alice, speech):
    samples, rate = speech[0]
    clipped = record(alice, "script:0", np.clip(samples * 40, -1, 1), rate).json()
    assert "clipped" in {p["code"] for p in clipped["problems"]}
    quiet = record(alice, "script:1", samples * 0.003, rate).json()
    assert {"too_quiet", "no_speech"} & {p["code"] for p in quiet["problems"]}
    silent = record(alice, "script:2", np.zeros(rate * 2, dtype=np.float32), rate).json()
    assert silent["problems"] and all(p["message"] for p in silent["problems"])
    progress = alice.get("/api/progress").json()
    assert progress["flagged"] >= 2 and progress["ready"] <= 1
    # Keeping a flagged take anyway puts it back into the build.
    kept = alice.post(f"/api/takes/{clipped['id']}/keep").json()
    assert kept["kept"] is True


def test_rerecording_replaces_the_take_and_its_file(alice, settings, speech):
    record(alice, "script:0", *speech[0])
    [first_file] = user_files(settings, "takes")
    second = record(alice, "script:0", *speech[1]).json()
    [second_file] = user_files(settings, "takes")
    assert second_file != first_file
    assert second["duration_s"] == pytest.approx(speech[1][0].size / speech[1][1], abs=0.01)
    assert alice.delete(f"/api/takes/{second['id']}").status_code == 200
    assert user_files(settings, "takes") == []


def test_skip_and_resume_on_another_device(alice, make_client, speech):
    record(alice, "script:0", *speech[0])
    alice.post("/api/prompts/skip", json={"key": "script:1"})
    other_device = make_client()
    other_device.post("/login", data={"email": "alice@example.com", "password": "correct horse"})
    data = other_device.get("/api/prompts?source=script").json()
    assert data["start"] == 2 and data["prompts"][1]["skipped"] and data["prompts"][0]["take"]
    assert other_device.get("/api/prompts?source=nonsense").status_code == 422


def test_custom_sentences_and_banked_phrases_are_prompts(alice, speech):
    html = "<img src=x onerror=alert(1)>"
    sentence = alice.post("/api/sentences", json={"text": html}).json()
    prompts = alice.get("/api/prompts?source=custom").json()["prompts"]
    assert prompts == [{"key": sentence["key"], "text": html, "take": None, "skipped": False}]
    alice.post("/api/phrases", json={"text": "화장실 가고 싶어요", "banked": True})
    bank = [p["text"] for p in alice.get("/api/prompts?source=bank").json()["prompts"]]
    assert bank == ["사랑해요.", "고마워요.", "화장실 가고 싶어요"]
    taken = record(alice, sentence["key"], *speech[0]).json()
    assert alice.delete(f"/api/sentences/{sentence['id']}").status_code == 200
    assert alice.get(taken["audio_url"]).status_code == 404  # its recording went with it
    assert alice.post("/api/sentences", json={"text": "   "}).status_code == 422
    assert alice.post("/api/sentences", json={"text": "x" * 501}).status_code == 422


def test_korean_text_match_flags_takes_far_above_the_users_median(make_client, app, settings, services, speech):
    settings.asr_check = True
    client = make_client("dan@example.com")
    services.cers = [0.80, 0.85, 0.82, 0.84, 0.83, 0.86]
    keys = ["script:0", "script:1", "script:2", "script:3", "bank:0"]
    for n, key in enumerate(keys):
        take = record(client, key, *speech[n % len(speech)]).json()
        assert "text_mismatch" not in {p["code"] for p in take["problems"]}, "within the user's own range"
    assert record(client, "bank:1", *speech[0]).json()["cer"] == pytest.approx(0.86)
    services.cers = [1.9]
    mismatch = record(client, "bank:1", *speech[1]).json()
    assert "text_mismatch" in {p["code"] for p in mismatch["problems"]}


@pytest.mark.parametrize("payload, message", [
    (b"this is not audio at all", "not audio"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00", "not audio"),
    (b"", "not audio"),
])
def test_non_audio_and_corrupt_uploads_are_refused_and_lose_nothing(alice, settings, speech, payload, message):
    good = record(alice, "script:0", *speech[0]).json()
    response = alice.post("/api/takes", data={"prompt_key": "script:0"},
                          files={"audio": ("take.wav", payload, "audio/wav")})
    assert response.status_code == 422 and message in response.json()["detail"]
    assert alice.get(good["audio_url"]).status_code == 200
    assert len(user_files(settings, "takes")) == 1


def test_a_two_hour_file_is_refused_without_decoding_it(alice, settings):
    two_hours = np.zeros(2 * 3600 * 8000, dtype=np.float32)
    flac = wav_bytes(two_hours, 8000, "FLAC")
    assert len(flac) < 5_000_000
    response = alice.post("/api/takes", data={"prompt_key": "script:0"},
                          files={"audio": ("long.flac", flac, "audio/flac")})
    assert response.status_code == 422
    assert "120 min 0 s" in response.json()["detail"] and "at most 30 s" in response.json()["detail"]
    assert user_files(settings, "takes") == []


def test_oversized_uploads_are_refused_before_reading_them(alice, settings, speech):
    settings.max_upload_bytes = 100_000
    response = record(alice, "script:0", *speech[0])
    assert response.status_code == 413 and "limit is 0 MiB" in response.json()["detail"]
    assert user_files(settings, "takes") == []


def test_opus_webm_from_a_browser_is_decoded_with_ffmpeg(alice, speech, tmp_path):
    import subprocess

    wav = tmp_path / "take.wav"
    wav.write_bytes(wav_bytes(*speech[0]))
    webm = tmp_path / "take.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "libopus", str(webm)], check=True)
    response = alice.post("/api/takes", data={"prompt_key": "script:0"},
                          files={"audio": ("take.webm", webm.read_bytes(), "audio/webm")})
    assert response.status_code == 200, response.text
    assert response.json()["duration_s"] == pytest.approx(speech[0][0].size / speech[0][1], abs=0.1)


def test_a_crash_between_file_and_row_leaves_no_half_state(alice, app, settings, speech, monkeypatch):
    good = record(alice, "script:0", *speech[0]).json()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    # Writing the file fails: no row, the earlier take is still there.
    monkeypatch.setattr(files, "write_wav", crash)
    with pytest.raises(OSError):
        record(alice, "script:0", *speech[1])
    monkeypatch.undo()
    assert alice.get(good["audio_url"]).status_code == 200
    # Committing the row fails after the file is written: the new file is removed again.
    monkeypatch.setattr("sqlalchemy.orm.Session.commit", crash)
    with pytest.raises(OSError):
        record(alice, "script:1", *speech[1])
    monkeypatch.undo()
    assert len(user_files(settings, "takes")) == 1
    with app.state.db.session() as db:
        assert db.scalar(select(func.count()).select_from(Take)) == 1
    assert not list(settings.data_dir.rglob("*.tmp"))


def test_files_left_by_a_crash_are_removed_at_start(alice, settings, services, speech):
    record(alice, "script:0", *speech[0])
    kept = user_files(settings, "takes")
    orphan = kept[0].with_name("orphan.wav")
    orphan.write_bytes(b"RIFF")
    unpacked = kept[0].parent.parent / "uploads" / "abandoned" / "wavs"
    unpacked.mkdir(parents=True)
    stale_build = kept[0].parent.parent / "jobs" / "17" / "dataset" / "wavs"
    stale_build.mkdir(parents=True)
    (stale_build / "take1.wav").write_bytes(b"RIFF")
    with TestClient(build_app(settings, services)):  # starting the app runs the clean-up
        pass
    assert user_files(settings, "takes") == kept
    assert not unpacked.parent.exists() and not (stale_build / "take1.wav").exists()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, *named: tuple[str, bytes], texts: str = ""):
    return client.post("/api/uploads", data={"texts": texts},
                       files=[("files", (name, data, "application/octet-stream")) for name, data in named])


def test_upload_of_a_zip_and_of_files_with_texts(alice, app, settings, services, speech):
    archive = zip_bytes({"metadata.csv": "a|안녕하세요, 만나서 반갑습니다.\nb|제 이름은 민수예요.\nc|없는 파일\n".encode(),
                         "wavs/a.wav": wav_bytes(*speech[0]), "wavs/b.wav": wav_bytes(*speech[1])})
    job = upload(alice, ("takes.zip", archive)).json()["job"]
    assert job["kind"] == "import" and job["status"] == "queued" and job["take_count"] == 2
    assert alice.post("/api/builds").status_code == 409  # a build waits for the takes being checked
    assert len(list(settings.data_dir.glob("users/*/uploads/*/wavs/*.wav"))) == 2
    run_next_job(app, settings, services)
    done = alice.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["message"] == "Recordings added: 2 (to record again: 0)."
    assert list(settings.data_dir.glob("users/*/uploads/*")) == []  # the unpacked zip is gone
    assert alice.get("/api/progress").json()["script_recorded"] == 1  # matched to the script
    assert [p["text"] for p in alice.get("/api/prompts?source=custom").json()["prompts"]] == ["제 이름은 민수예요."]
    result = upload(alice, ("c.wav", wav_bytes(*speech[2])), ("d.wav", b"junk"), ("e.wav", wav_bytes(*speech[3])),
                    texts="c.wav|물 한 잔 주시겠어요?\nd.wav|잘 자요.").json()
    assert result["imported"] == 1 and [e.split(":")[0] for e in result["errors"]] == ["e.wav", "d.wav"]


def test_unsafe_zips_are_refused_and_lose_nothing(alice, settings, speech):
    record(alice, "script:0", *speech[0])
    evil = zip_bytes({"metadata.csv": b"a|x\n", "../../evil.wav": wav_bytes(*speech[0])})
    response = upload(alice, ("evil.zip", evil))
    assert response.status_code == 422 and "unsafe path" in response.json()["detail"]
    assert not (settings.data_dir.parent / "evil.wav").exists()
    settings.max_zip_bytes = 50 * 2**20
    bomb = zip_bytes({"metadata.csv": b"a|x\n", "wavs/a.wav": b"\0" * (60 * 2**20)})
    assert len(bomb) < 2**20
    response = upload(alice, ("bomb.zip", bomb))
    assert response.status_code == 422 and "limit" in response.json()["detail"]
    assert upload(alice, ("x.wav", b"junk")).status_code == 422
    assert upload(alice, ("empty.zip", zip_bytes({"readme.txt": b"hello"}))).status_code == 422
    assert len(user_files(settings, "takes")) == 1
    assert list(settings.data_dir.glob("users/*/uploads/*")) == []


def test_zip_problems_name_the_file_that_was_sent(alice, settings):
    settings.max_zip_members = 2
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("metadata.csv", "wavs/a.wav", "wavs/b.wav"):
            archive.writestr(name, "x")
    response = alice.post("/api/uploads", files={"files": ("my recordings.zip", buffer.getvalue(), "application/zip")})
    assert response.status_code == 422
    assert response.json()["detail"] == "my recordings.zip: It holds 3 files; the limit is 2."


def test_blank_sentences_and_script_sentences_are_refused_in_words(alice):
    response = alice.post("/api/sentences", json={"text": "   "})
    assert response.status_code == 422 and "empty" in response.json()["detail"]
    response = alice.delete("/api/sentences/script:0")
    assert response.status_code == 422 and response.json()["detail"]
