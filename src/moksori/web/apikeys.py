"""API keys for other apps: made, listed, revoked and checked here, so routes only call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.web.storage.models import ApiKey, User

KEY_PREFIX = "mks_"
SHOWN_CHARACTERS = 10  # "mks_" and six more: enough to tell keys apart, far too few to guess one
MAX_KEYS = 20


def _hash(secret: str) -> str:
    # The key is 256 random bits, so a fast hash is safe here (unlike a password).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Session, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key for ``user``; the secret is returned once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(user_id=user.id, name=name.strip()[:100], prefix=secret[:SHOWN_CHARACTERS], key_hash=_hash(secret))
    db.add(row)
    db.commit()
    return row, secret


def list_keys(db: Session, user: User) -> list[ApiKey]:
    return list(db.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)))


def revoke_key(db: Session, user: User, key_id: int) -> bool:
    row = db.get(ApiKey, key_id)
    if row is None or row.user_id != user.id:
        return False
    db.delete(row)
    db.commit()
    return True


def user_for_key(db: Session, secret: str) -> User | None:
    """The owner of ``secret``, noting when the key was last used; None for unknown or revoked keys."""
    if not secret.startswith(KEY_PREFIX):
        return None
    row = db.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(secret)))
    if row is None:
        return None
    row.last_used_at = datetime.now(UTC)
    db.commit()
    return db.get(User, row.user_id)
