"""What the JSON API answers about each kind of row, in one place: pydantic models the routes declare
as their responses (FastAPI's ``response_model``, so the OpenAPI schema describes them), also used
by the progress stream and the upload summary, so takes, jobs, phrases and voices are described the
same way everywhere. ``Model.of(row)`` builds one from its database row."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from moksori.web.messages import take_problem
from moksori.web.storage.models import JOB_FINISHED, Job, Phrase, Shop, ShopRecord, Take, Voice

# A voice keeps improving up to about this many recordings (docs/benchmarks.md, learning curve).
RECOMMENDED_RECORDINGS = 300


class TakeOut(BaseModel):
    id: int
    prompt_key: str
    text: str
    duration_s: float
    # Each check's finding ({"code", "message", "severity", ...}); the message in the interface language.
    problems: list[dict[str, Any]]
    kept: bool
    cer: float | None
    audio_url: str

    @classmethod
    def of(cls, take: Take) -> TakeOut:
        return cls(id=take.id, prompt_key=take.prompt_key, text=take.text, duration_s=round(take.duration_s, 2),
                   problems=[{**p, "message": take_problem(p["code"], p["message"])} for p in take.problems],
                   kept=take.kept, cer=take.cer, audio_url=f"/api/takes/{take.id}/audio")


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    stage: str
    percent: float
    eta_s: int | None
    message: str
    voice_id: int | None
    take_count: int
    created_at: str
    finished: bool

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(id=job.id, kind=job.kind, status=job.status, stage=job.stage,
                   percent=round(100 * job.fraction, 1), eta_s=None if job.eta_s is None else round(job.eta_s),
                   message=job.message, voice_id=job.voice_id, take_count=job.take_count,
                   created_at=job.created_at.isoformat(), finished=job.status in JOB_FINISHED)


class JobList(BaseModel):
    jobs: list[JobOut]


class UploadQueued(BaseModel):
    """A zip of recordings accepted; its check runs as this job."""

    job: JobOut


class UploadAdded(BaseModel):
    """Audio files with their texts, checked and added at once."""

    imported: int
    flagged: int  # added, but to be recorded again
    errors: list[str]
    summary: str
    takes: list[TakeOut]


class PhraseOut(BaseModel):
    id: int
    text: str
    category: str
    favourite: bool
    banked: bool

    @classmethod
    def of(cls, phrase: Phrase) -> PhraseOut:
        return cls(id=phrase.id, text=phrase.text, category=phrase.category, favourite=phrase.favourite,
                   banked=phrase.banked)


class PhraseList(BaseModel):
    phrases: list[PhraseOut]


class VoiceOut(BaseModel):
    id: int
    version: int
    name: str
    card: dict[str, Any]
    preview: bool
    understood: float | int | None  # as the card holds it: share of unseen sentences understood, 0..1
    understood_own: float | int | None
    record_more: int | None
    created_at: str
    sample_url: str | None
    export_url: str

    @classmethod
    def of(cls, voice: Voice) -> VoiceOut:
        card = voice.card if isinstance(voice.card, dict) else {}
        utterances = card.get("utterances")
        return cls(id=voice.id, version=voice.version, name=voice.name, card=card, preview=bool(card.get("preview")),
                   understood=card.get("understood"), understood_own=card.get("understood_own"),
                   record_more=max(0, RECOMMENDED_RECORDINGS - utterances) if isinstance(utterances, int) else None,
                   created_at=voice.created_at.isoformat(),
                   sample_url=f"/api/voices/{voice.id}/sample" if voice.sample_file else None,
                   export_url=f"/api/voices/{voice.id}/export")


class ImproveOffer(BaseModel):
    """What "improve my voice" would do: continue ``voice_id`` with this many more usable recordings."""

    voice_id: int
    name: str
    new_recordings: int


class VoiceList(BaseModel):
    voices: list[VoiceOut]
    improve: ImproveOffer | None = None  # offered once there are more usable recordings than the voice learned from


class ShopOut(BaseModel):
    profile_yaml: str
    voice_id: int | None  # None: the owner's newest voice answers
    updated_at: str
    answers_phone: bool  # the assistant answers the owner's SIP phone line
    answer_rings: int  # after this many rings
    ignored: list[str] = []  # on saving: one line for each field of the profile that the assistant ignores

    @classmethod
    def of(cls, shop: Shop, ignored: list[str] | None = None) -> ShopOut:
        return cls(profile_yaml=shop.profile_yaml, voice_id=shop.voice_id, updated_at=shop.updated_at.isoformat(),
                   answers_phone=shop.answers_phone, answer_rings=shop.answer_rings, ignored=ignored or [])


class ShopRecordOut(BaseModel):
    id: int
    kind: str
    ref: str
    data: dict[str, Any]
    done: bool
    created_at: str

    @classmethod
    def of(cls, row: ShopRecord) -> ShopRecordOut:
        return cls(id=row.id, kind=row.kind, ref=row.ref, data=row.data, done=row.done,
                   created_at=row.created_at.isoformat())


class ShopRecordList(BaseModel):
    records: list[ShopRecordOut]
