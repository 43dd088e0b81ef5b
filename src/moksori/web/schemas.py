"""What the JSON API answers about each kind of row, in one place: the routes, the progress
stream and the upload summary all describe takes, jobs, phrases and voices the same way."""

from __future__ import annotations

from typing import Any

from moksori.web.messages import take_problem
from moksori.web.storage.models import JOB_FINISHED, Job, Phrase, Shop, ShopRecord, Take, Voice

# A voice keeps improving up to about this many recordings (docs/benchmarks.md, learning curve).
RECOMMENDED_RECORDINGS = 300


def take_json(take: Take) -> dict[str, Any]:
    return {
        "id": take.id, "prompt_key": take.prompt_key, "text": take.text, "duration_s": round(take.duration_s, 2),
        "problems": [{**p, "message": take_problem(p["code"], p["message"])} for p in take.problems],
        "kept": take.kept, "cer": take.cer,
        "audio_url": f"/api/takes/{take.id}/audio",
    }


def job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "kind": job.kind, "status": job.status, "stage": job.stage,
        "percent": round(100 * job.fraction, 1), "eta_s": None if job.eta_s is None else round(job.eta_s),
        "message": job.message, "voice_id": job.voice_id, "take_count": job.take_count,
        "created_at": job.created_at.isoformat(), "finished": job.status in JOB_FINISHED,
    }


def phrase_json(phrase: Phrase) -> dict[str, Any]:
    return {"id": phrase.id, "text": phrase.text, "category": phrase.category, "favourite": phrase.favourite,
            "banked": phrase.banked}


def voice_json(voice: Voice) -> dict[str, Any]:
    card = voice.card if isinstance(voice.card, dict) else {}
    utterances = card.get("utterances")
    return {
        "id": voice.id, "version": voice.version, "name": voice.name, "card": card,
        "preview": bool(card.get("preview")), "understood": card.get("understood"),
        "understood_own": card.get("understood_own"),
        "record_more": max(0, RECOMMENDED_RECORDINGS - utterances) if isinstance(utterances, int) else None,
        "created_at": voice.created_at.isoformat(),
        "sample_url": f"/api/voices/{voice.id}/sample" if voice.sample_file else None,
        "export_url": f"/api/voices/{voice.id}/export",
    }


def shop_json(shop: Shop) -> dict[str, Any]:
    return {"profile_yaml": shop.profile_yaml, "voice_id": shop.voice_id, "updated_at": shop.updated_at.isoformat()}


def shop_record_json(row: ShopRecord) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "ref": row.ref, "data": row.data, "done": row.done,
            "created_at": row.created_at.isoformat()}
