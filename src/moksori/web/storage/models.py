"""Database tables. Every user-owned row carries ``user_id``; deleting a user cascades to all of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


def owner_column() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(8), default="ko")  # of the recordings and the voice
    # Of the screens; None until the user picks one, so the browser's Accept-Language decides.
    interface_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthSession(Base):
    """A logged-in browser. Only the SHA-256 of the cookie token is stored, so a leaked database
    cannot be replayed as a login."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = owner_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Written at most every few minutes; a session unused for the idle timeout ends.
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CustomSentence(Base):
    """A sentence the user wants to record besides the script (names, family words, jokes)."""

    __tablename__ = "custom_sentences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Phrase(Base):
    """A phrase-board entry. With ``banked`` it is also offered in the studio, and its recording is
    played verbatim on the talk screen (message banking)."""

    __tablename__ = "phrases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100), default="")
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    banked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Take(Base):
    """The current recording of one prompt; re-recording replaces it."""

    __tablename__ = "takes"
    __table_args__ = (UniqueConstraint("user_id", "prompt_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    prompt_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    file: Mapped[str] = mapped_column(String(300))  # relative to the user's folder
    sample_rate: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cer: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The user chose to keep a flagged take; clean or kept takes go into a build.
    kept: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SkippedPrompt(Base):
    __tablename__ = "skipped_prompts"
    __table_args__ = (UniqueConstraint("user_id", "prompt_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    prompt_key: Mapped[str] = mapped_column(String(100))


JOB_ACTIVE = ("queued", "running", "cancelling")
JOB_FINISHED = ("done", "failed", "cancelled")


class Job(Base):
    """Background work queued in the database and run by the embedded worker process: a voice
    build, or the checking of an uploaded zip of recordings."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    kind: Mapped[str] = mapped_column(String(20), default="build")  # "build", "preview", "improve" or "import"
    # For imports: the unpacked upload, relative to the user's folder.
    upload: Mapped[str | None] = mapped_column(String(300), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(100), default="")
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    eta_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    preset: Mapped[str] = mapped_column(String(40), default="default")
    take_count: Mapped[int] = mapped_column(Integer, default=0)
    resume: Mapped[bool] = mapped_column(Boolean, default=False)
    voice_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # For "improve": the voice the build continues from, replaced by the new one once it is done.
    base_voice_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Voice(Base):
    """A finished voice file; every build adds a new version and keeps the old ones."""

    __tablename__ = "voices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    file: Mapped[str] = mapped_column(String(300))
    sample_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HistoryItem(Base):
    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class JobLease(Base):
    """A job sent to the Redis queue: the hash of its token (what lets a worker read the job's
    recordings and report on it), which worker holds it and until when, and its last uploaded
    checkpoint. Only builds on the queue have one; the embedded worker needs none."""

    __tablename__ = "job_leases"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The last checkpoint a worker uploaded, relative to the user's folder, and its training step.
    checkpoint: Mapped[str | None] = mapped_column(String(300), nullable=True)
    checkpoint_step: Mapped[int | None] = mapped_column(Integer, nullable=True)


CALL_MODES = ("call", "conversation", "phone", "assistant")  # assistant: a caller talks to the shop's call assistant


class Call(Base):
    """A browser call or a face-to-face conversation, and the owner of its transcript.

    A call's join link is a random token shown once; only its SHA-256 is kept, it expires at
    ``link_expires_at`` and it is spent (``link_hash`` cleared) by the first browser that joins.
    """

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    mode: Mapped[str] = mapped_column(String(20), default="call")  # CALL_MODES
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # waiting, active, ended
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    joined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CallLine(Base):
    """One transcript line: who spoke ("me" or "them"), what, when (seconds from the start), and whether
    it is final (a confirmed caption, a sentence said to its end)."""

    __tablename__ = "call_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = owner_column()
    speaker: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    final: Mapped[bool] = mapped_column(Boolean, default=True)
class ApiKey(Base):
    """A key another app uses to speak with the user's voice (``/v1/audio/speech``). Only the
    SHA-256 of the key is stored; ``prefix`` (its first characters) lets the user tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SipAccount(Base):
    """The user's own SIP account (registrar / PBX / trunk) that phone calls go out through. The password is
    kept sealed (Fernet, key derived from the app's secret key: ``moksori.web.sip_accounts``) and is never
    shown back."""

    __tablename__ = "sip_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True)
    server: Mapped[str] = mapped_column(String(255))  # host[:port] of the registrar
    username: Mapped[str] = mapped_column(String(100))
    password_sealed: Mapped[str] = mapped_column(Text)
    proxy: Mapped[str] = mapped_column(String(255), default="")  # optional outbound proxy, host[:port]
    caller_id: Mapped[str] = mapped_column(String(100), default="")  # the name shown to the people called
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Shop(Base):
    """An owner's shop: its profile as the owner wrote it (YAML, docs/assistant.md), the voice its call
    assistant answers in (None: the newest of the owner's voices), and whether the assistant answers the
    owner's SIP phone line (after ``answer_rings`` rings) instead of ringing the owner's pages."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    profile_yaml: Mapped[str] = mapped_column(Text, default="")
    voice_id: Mapped[int | None] = mapped_column(ForeignKey("voices.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answers_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_rings: Mapped[int] = mapped_column(Integer, default=0)


SHOP_RECORD_KINDS = ("booking", "order", "message", "call")


class ShopRecord(Base):
    """What the assistant took for the owner: a booking (kept up to date by later changes and cancellations),
    an order, a message, or a call (its summary and transcript). ``data`` holds the assistant's record as
    ``moksori assistant simulate`` writes it; ``done`` is the owner's tick."""

    __tablename__ = "shop_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = owner_column()
    kind: Mapped[str] = mapped_column(String(20))  # SHOP_RECORD_KINDS
    ref: Mapped[str] = mapped_column(String(20), default="")  # a booking's reference (B1), said to callers
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
