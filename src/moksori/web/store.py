"""Changes to a user's rows, kept out of the routes: a route checks and answers, these write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moksori.web.storage.models import (
    Call,
    CallLine,
    CustomSentence,
    HistoryItem,
    Job,
    Phrase,
    Shop,
    ShopRecord,
    SkippedPrompt,
    Take,
    User,
    Voice,
    utcnow,
)


def add_user(db: Session, email: str, password_hash: str, display_name: str, language: str,
             interface_language: str) -> User | None:
    """The new account, or None when the address already has one (nothing is written then)."""
    user = User(email=email, password_hash=password_hash, display_name=display_name, language=language,
                interface_language=interface_language)
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return None
    return user


def give_consent(db: Session, user: User) -> None:
    user.consent_at = datetime.now(UTC)
    db.commit()


def set_recording_language(db: Session, user: User, language: str) -> None:
    user.language = language
    db.commit()


def set_interface_language(db: Session, user: User, language: str) -> None:
    user.interface_language = language
    db.commit()


def set_password_hash(db: Session, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    db.commit()


def delete_user(db: Session, user: User) -> None:
    """Every row of the user: jobs first (so a worker finds its job gone, not orphaned), then the user
    row, which cascades to all the others. Files are the caller's to remove, after this commit."""
    db.execute(delete(Job).where(Job.user_id == user.id))
    db.delete(user)
    db.commit()


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


def shop_of(db: Session, user_id: int) -> Shop:
    """The user's shop, made empty on first use (one per owner)."""
    shop = db.scalar(select(Shop).where(Shop.user_id == user_id))
    if shop is None:
        shop = Shop(user_id=user_id, profile_yaml="")
        db.add(shop)
        db.commit()
    return shop


def save_shop_profile(db: Session, shop: Shop, profile_yaml: str) -> None:
    """Only a profile that passed validation is saved: a bad one never replaces a working one."""
    shop.profile_yaml = profile_yaml
    shop.updated_at = utcnow()
    db.commit()


def choose_shop_voice(db: Session, shop: Shop, voice_id: int | None) -> None:
    shop.voice_id = voice_id
    db.commit()


def set_shop_phone(db: Session, shop: Shop, answers_phone: bool, answer_rings: int) -> None:
    shop.answers_phone = answers_phone
    shop.answer_rings = answer_rings
    db.commit()


def add_shop_record(db: Session, user_id: int, kind: str, data: dict, ref: str = "") -> ShopRecord:
    row = ShopRecord(user_id=user_id, kind=kind, ref=ref, data=data)
    db.add(row)
    db.commit()
    return row


def change_shop_record(db: Session, row: ShopRecord, data: dict | None = None, done: bool | None = None) -> None:
    if data is not None:
        row.data = data  # a new dict: SQLAlchemy does not see changes made inside a JSON value
    if done is not None:
        row.done = done
    db.commit()


def add_call(db: Session, user_id: int, mode: str, link_hash: str | None, link_minutes: int) -> Call:
    """A face-to-face conversation is active at once; a call waits for the far end (its link to be opened, or
    the phone to be answered)."""
    call = Call(user_id=user_id, mode=mode, status="active" if mode == "conversation" else "waiting",
                link_hash=link_hash,
                link_expires_at=datetime.now(UTC) + timedelta(minutes=link_minutes) if link_hash else None)
    db.add(call)
    db.commit()
    return call


def renew_call_link(db: Session, call: Call, link_hash: str, link_minutes: int) -> None:
    """A fresh join link for ``call``; the old one stops working."""
    call.link_hash, call.link_expires_at = link_hash, datetime.now(UTC) + timedelta(minutes=link_minutes)
    db.commit()


def spend_call_link(db: Session, call_id: int, link_hash: str) -> bool:
    """Marks the call joined and its link spent, in one statement so two browsers cannot both join;
    False when another browser spent it first."""
    spent = db.execute(update(Call).where(Call.id == call_id, Call.link_hash == link_hash)
                       .values(link_hash=None, status="active", joined_at=datetime.now(UTC)))
    db.commit()
    return spent.rowcount == 1


def restore_call_link(db: Session, call_id: int, link_hash: str) -> None:
    """Give a spent link back (the far end's offer was unusable), unless the call moved on meanwhile."""
    db.execute(update(Call).where(Call.id == call_id, Call.link_hash.is_(None), Call.status == "active")
               .values(link_hash=link_hash, status="waiting", joined_at=None))
    db.commit()


def mark_call_answered(db: Session, call_id: int) -> None:
    """A phone call's far end answered: the waiting call becomes active."""
    db.execute(update(Call).where(Call.id == call_id, Call.status == "waiting")
               .values(status="active", joined_at=datetime.now(UTC)))
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
