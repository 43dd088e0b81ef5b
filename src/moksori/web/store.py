"""Changes to a user's rows, kept out of the routes: a route checks and answers, these write."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from moksori.web.storage.models import HistoryItem, Phrase, Take, Voice


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
