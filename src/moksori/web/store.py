"""Changes to a user's rows, kept out of the routes: a route checks and answers, these write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from moksori.web.storage.models import (
    Call,
    CallLine,
    CustomSentence,
    HistoryItem,
    Job,
    Phrase,
    SkippedPrompt,
    Take,
    Voice,
)


def rename_voice(db: Session, voice: Voice, name: str) -> None:
    voice.name = name
    db.commit()


def keep_take(db: Session, take: Take) -> None:
    """The user keeps a flagged take: it goes into builds despite the checks."""
    take.kept = True
    db.commit()


def add_phrase(db: Session, user_id: int, text: str, category: str, favourite: bool, banked: bool) -> Phrase:
    phrase = Phrase(user_id=user_id, text=text, category=category, favourite=favourite, banked=banked)
    db.add(phrase)
    db.commit()
    return phrase


def edit_phrase(db: Session, phrase: Phrase, changes: dict) -> None:
    for name, value in changes.items():
        setattr(phrase, name, value)
    db.commit()


def add_history(db: Session, user_id: int, text: str) -> None:
    db.add(HistoryItem(user_id=user_id, text=text))
    db.commit()


def clear_history(db: Session, user_id: int) -> None:
    db.execute(delete(HistoryItem).where(HistoryItem.user_id == user_id))
    db.commit()


def skip_prompt(db: Session, user_id: int, key: str) -> None:
    exists = db.scalar(select(SkippedPrompt).where(SkippedPrompt.user_id == user_id, SkippedPrompt.prompt_key == key))
    if not exists:
        db.add(SkippedPrompt(user_id=user_id, prompt_key=key))
        db.commit()


def unskip_prompt(db: Session, user_id: int, key: str) -> None:
    """A prompt that gets recorded is no longer skipped (committed with the take)."""
    db.execute(delete(SkippedPrompt).where(SkippedPrompt.user_id == user_id, SkippedPrompt.prompt_key == key))


def add_sentence(db: Session, user_id: int, text: str) -> CustomSentence:
    sentence = CustomSentence(user_id=user_id, text=text)
    db.add(sentence)
    db.commit()
    return sentence


def remove(db: Session, row: object) -> None:
    """Deletes one row (its files are the caller's to remove, after this commit)."""
    db.delete(row)
    db.commit()


def queue_job(db: Session, user_id: int, kind: str, **fields: object) -> Job:
    job = Job(user_id=user_id, kind=kind, **fields)
    db.add(job)
    db.commit()
    return job


def add_voice(db: Session, user_id: int, name_for: Callable[[int], str], file: str, card: dict) -> Voice:
    """A new version of the user's voice, named by ``name_for(its version number)``."""
    version = (db.scalar(select(func.max(Voice.version)).where(Voice.user_id == user_id)) or 0) + 1
    voice = Voice(user_id=user_id, version=version, name=name_for(version), file=file, card=card)
    db.add(voice)
    db.commit()
    return voice


def add_call(db: Session, user_id: int, mode: str, link_hash: str | None, link_minutes: int) -> Call:
    """A new call ("waiting" for the far end, its link valid ``link_minutes``) or conversation ("active")."""
    call = Call(user_id=user_id, mode=mode, status="waiting" if mode == "call" else "active", link_hash=link_hash,
                link_expires_at=datetime.now(UTC) + timedelta(minutes=link_minutes) if link_hash else None)
    db.add(call)
    db.commit()
    return call


def renew_call_link(db: Session, call: Call, link_hash: str, link_minutes: int) -> None:
    """A fresh join link for ``call``; the old one stops working."""
    call.link_hash, call.link_expires_at = link_hash, datetime.now(UTC) + timedelta(minutes=link_minutes)
    db.commit()


def spend_call_link(db: Session, call_id: int, link_hash: str) -> bool:
    """Mark the call joined and forget its link, in one statement so two browsers cannot both join;
    False when the link was spent meanwhile."""
    spent = db.execute(update(Call).where(Call.id == call_id, Call.link_hash == link_hash)
                       .values(link_hash=None, status="active", joined_at=datetime.now(UTC)))
    db.commit()
    return spent.rowcount == 1


def restore_call_link(db: Session, call_id: int, link_hash: str) -> None:
    """Give a spent link back (the far end's offer was unusable), unless the call moved on meanwhile."""
    db.execute(update(Call).where(Call.id == call_id, Call.link_hash.is_(None), Call.status == "active")
               .values(link_hash=link_hash, status="waiting", joined_at=None))
    db.commit()


def add_call_line(db: Session, call_id: int, user_id: int, line: dict) -> None:
    """One transcript line (``speaker``, ``text``, ``start``, ``end``, ``final``, as the session announces it)."""
    db.add(CallLine(call_id=call_id, user_id=user_id, speaker=line["speaker"], text=line["text"],
                    start_s=line["start"], end_s=line["end"], final=line["final"]))
    db.commit()


def end_calls(db: Session, reason: str, call_id: int | None = None) -> None:
    """Mark a call (or, without ``call_id``, every call not yet ended) ended, and its link spent."""
    query = update(Call).where(Call.status != "ended")
    if call_id is not None:
        query = query.where(Call.id == call_id)
    db.execute(query.values(status="ended", ended_at=datetime.now(UTC), end_reason=reason[:200], link_hash=None))
    db.commit()
