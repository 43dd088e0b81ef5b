"""Voice building: queue, progress, cancel, failures, versions, export/import, live events."""

from __future__ import annotations

import json

import pytest

from .conftest import SCRIPT, record, run_next_job, user_files


@pytest.fixture
def ready(alice, speech):
    """Alice with enough takes to build (the threshold is 2 in these tests)."""
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    return alice


def test_build_needs_enough_good_takes(alice, speech):
    response = alice.post("/api/builds")
    assert response.status_code == 409 and "at least 2 good recordings" in response.json()["detail"]
    record(alice, "script:0", *speech[0])
    assert alice.post("/api/builds").status_code == 409


def test_a_build_reports_progress_and_keeps_every_version(ready, app, settings, services, monkeypatch):
    monkeypatch.setattr("moksori.web.jobs.worker.PROGRESS_WRITE_SECONDS", 0)
    job = ready.post("/api/builds").json()
    assert job["status"] == "queued"
    assert ready.post("/api/builds").status_code == 409  # one build at a time
    seen = []
    services.train_hook = lambda progress: seen.append(ready.get(f"/api/jobs/{job['id']}").json())
    run_next_job(app, settings, services)
    assert [s["stage"] for s in seen] == ["train"] * 4
    assert seen[0]["status"] == "running" and seen[1]["percent"] == 50.0 and seen[1]["eta_s"] == 2
    done = ready.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["take_count"] == 2 and done["finished"]
    services.train_hook = None
    ready.post("/api/builds")
    run_next_job(app, settings, services)
    voices = ready.get("/api/voices").json()["voices"]
    assert [v["version"] for v in voices] == [2, 1]
    assert voices[1]["id"] == done["voice_id"] and voices[0]["card"]["speaker"] == "test"
    sample = ready.get(voices[0]["sample_url"])
    assert sample.status_code == 200 and sample.content[:4] == b"RIFF"
    assert len(user_files(settings, "voices")) == 4  # two voices, two samples


def test_cancel_stops_a_running_build_and_leaves_no_files(ready, app, settings, services):
    job = ready.post("/api/builds").json()
    services.train_hook = lambda progress: ready.post(f"/api/jobs/{job['id']}/cancel")
    run_next_job(app, settings, services)
    assert ready.get(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"
    assert ready.get("/api/voices").json()["voices"] == []
    assert user_files(settings, "voices") == []
    assert not (settings.user_dir(1) / "jobs").exists() or not any((settings.user_dir(1) / "jobs").iterdir())


def test_a_voice_is_built_from_the_current_languages_takes(ready, app, settings, services, speech):
    ready.post("/account/language", data={"language": "en"})
    assert ready.get("/api/progress").json()["ready"] == 0
    assert ready.post("/api/builds").status_code == 409
    ready.post("/account/language", data={"language": "ko"})
    ready.post("/api/builds")
    run_next_job(app, settings, services)
    assert ready.get("/api/voices").json()["voices"][0]["version"] == 1


def test_cancel_of_a_queued_build_is_immediate(ready):
    job = ready.post("/api/builds").json()
    assert ready.post(f"/api/jobs/{job['id']}/cancel").json()["status"] == "cancelled"
    assert ready.post("/api/builds").status_code == 200


def test_a_failed_build_shows_its_reason(ready, app, settings, services, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("alignment did not converge")

    monkeypatch.setattr(services, "train", broken)
    job = ready.post("/api/builds").json()
    run_next_job(app, settings, services)
    failed = ready.get(f"/api/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and "alignment did not converge" in failed["message"]
    assert user_files(settings, "voices") == []


def test_events_stream_the_job_until_it_ends(ready, app, settings, services):
    job = ready.post("/api/builds").json()
    run_next_job(app, settings, services)
    with ready.stream("GET", f"/api/jobs/{job['id']}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1]["status"] == "done" and events[-1]["percent"] == 100.0


def test_export_and_import_of_a_voice_file(ready, app, settings, services):
    ready.post("/api/builds")
    run_next_job(app, settings, services)
    voice = ready.get("/api/voices").json()["voices"][0]
    exported = ready.get(voice["export_url"])
    assert exported.status_code == 200 and exported.content.startswith(b"PK")
    assert "moksori-voice-1.voice" in exported.headers["content-disposition"]
    response = ready.post("/api/voices/import", files={"file": ("not.voice", b"garbage", "application/octet-stream")})
    assert response.status_code == 422 and "not a Moksori voice file" in response.json()["detail"]
    assert len(user_files(settings, "voices")) == 2
    imported = ready.post("/api/voices/import", files={"file": ("mine.voice", exported.content, "application/octet-stream")})
    assert imported.status_code == 200 and imported.json()["version"] == 2
    assert ready.delete(f"/api/voices/{voice['id']}").status_code == 200
    assert [v["version"] for v in ready.get("/api/voices").json()["voices"]] == [2]
    assert len(user_files(settings, "voices")) == 1


def test_a_voice_is_described_in_plain_words_and_can_be_renamed(alice, app, settings, services, speech):
    settings.asr_check = True  # the double recogniser scores every take 0.3
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    [voice] = alice.get("/api/voices").json()["voices"]
    # Scored on script sentences the user did not record, beside the user's own recordings.
    assert services.understood_texts == [SCRIPT[2], SCRIPT[3]]
    assert (voice["understood"], voice["understood_own"]) == (0.8, 0.7)
    assert voice["record_more"] == 300 - 2
    renamed = alice.patch(f"/api/voices/{voice['id']}", json={"name": "  엄마   목소리 "})
    assert renamed.status_code == 200 and renamed.json()["name"] == "엄마 목소리"
    assert alice.patch(f"/api/voices/{voice['id']}", json={"name": "   "}).status_code == 422
    assert alice.get("/api/voices").json()["voices"][0]["name"] == "엄마 목소리"


def test_a_preview_voice_comes_early_and_the_full_build_replaces_it(alice, app, settings, services, speech):
    settings.min_takes_for_preview, settings.min_takes_for_build = 1, 2
    record(alice, "script:0", *speech[0])
    assert alice.post("/api/builds").status_code == 409  # not enough for a full voice yet
    assert alice.get("/api/progress").json()["can_preview"]
    job = alice.post("/api/builds?preview=true").json()
    assert job["kind"] == "preview"
    run_next_job(app, settings, services)
    [preview] = alice.get("/api/voices").json()["voices"]
    assert preview["preview"] and preview["name"] == "Preview voice"
    assert alice.post("/api/speak", json={"text": "안녕 하세요"}).headers["x-source"] == "voice"
    files_with_preview = user_files(settings, "voices")
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    [full] = alice.get("/api/voices").json()["voices"]
    assert not full["preview"] and full["version"] == 2
    assert len(user_files(settings, "voices")) == len(files_with_preview)  # the preview's files are gone


def built(client, app, settings, services) -> dict:
    client.post("/api/builds")
    run_next_job(app, settings, services)
    [voice] = client.get("/api/voices").json()["voices"]
    return voice


def test_improve_my_voice_continues_from_it_and_replaces_it_when_done(ready, app, settings, services, speech):
    voice = built(ready, app, settings, services)
    assert ready.get("/api/voices").json()["improve"] is None  # nothing recorded since it was built
    assert ready.post(f"/api/voices/{voice['id']}/improve").status_code == 409
    ready.patch(f"/api/voices/{voice['id']}", json={"name": "엄마 목소리"})
    record(ready, "script:2", *speech[2])
    offer = ready.get("/api/voices").json()["improve"]
    assert offer == {"voice_id": voice["id"], "name": "엄마 목소리", "new_recordings": 1}
    old_voice, old_files = ready.get(voice["export_url"]).content, user_files(settings, "voices")
    job = ready.post(f"/api/voices/{voice['id']}/improve").json()
    assert job["kind"] == "improve" and job["status"] == "queued"
    assert ready.post("/api/builds").status_code == 409  # one job at a time, as for builds
    assert [v["id"] for v in ready.get("/api/voices").json()["voices"]] == [voice["id"]]  # still the old one
    run_next_job(app, settings, services)
    assert services.base_voices[-1] == old_voice  # training continued from the voice itself
    done = ready.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["take_count"] == 3 and done["percent"] == 100
    [improved] = ready.get("/api/voices").json()["voices"]
    assert improved["id"] == done["voice_id"] != voice["id"]
    assert (improved["name"], improved["version"], improved["card"]["utterances"]) == ("엄마 목소리", 2, 3)
    assert len(user_files(settings, "voices")) == 2 and not set(old_files) & set(user_files(settings, "voices"))
    assert ready.get("/api/voices").json()["improve"] is None
    assert ready.post("/api/speak", json={"text": "안녕 하세요"}).headers["x-source"] == "voice"


def test_a_failed_improvement_keeps_the_voice_as_it_was(ready, app, settings, services, speech, monkeypatch):
    voice = built(ready, app, settings, services)
    record(ready, "script:2", *speech[2])
    files = user_files(settings, "voices")

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services, "train", broken)
    job = ready.post(f"/api/voices/{voice['id']}/improve").json()
    run_next_job(app, settings, services)
    failed = ready.get(f"/api/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and "out of memory" in failed["message"]
    assert ready.get("/api/voices").json()["voices"] == [voice] and user_files(settings, "voices") == files
    assert ready.get("/api/voices").json()["improve"]["voice_id"] == voice["id"]  # offered again


def test_a_voice_deleted_while_it_is_improved_fails_the_job_with_a_reason(ready, app, settings, services, speech):
    voice = built(ready, app, settings, services)
    record(ready, "script:2", *speech[2])
    job = ready.post(f"/api/voices/{voice['id']}/improve").json()
    ready.delete(f"/api/voices/{voice['id']}")
    run_next_job(app, settings, services)
    failed = ready.get(f"/api/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and "deleted" in failed["message"]
    assert user_files(settings, "voices") == []


@pytest.mark.parametrize(("language", "heading"), [("en", "Improve my voice"), ("ko", "내 목소리 개선하기")])
def test_the_improve_offer_is_a_labelled_button_in_both_languages(make_client, language, heading):
    client = make_client("carol@example.com", language=language)
    page = client.get("/voices").text
    # A real button (reachable with Tab, pressed with Enter or Space) in a section named by its heading.
    assert '<section class="card" id="improve-card" aria-labelledby="improve-h" hidden>' in page
    assert f'<h2 id="improve-h">{heading}</h2>' in page
    assert f'<button type="button" id="improve" class="primary big">{heading}</button>' in page
