"""Migrations: a database made by an older version is upgraded in place at start-up."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from moksori.web.storage.db import MIGRATIONS_DIR, make_engine, migrate


def test_an_old_database_is_upgraded_without_losing_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO users (id, email, password_hash, display_name, language, created_at) "
                                "VALUES (1, 'a@example.com', 'x', '', 'ko', '2026-01-01')"))
        connection.execute(text("INSERT INTO jobs (user_id, status, stage, fraction, message, preset, take_count, "
                                "resume, created_at) VALUES (1, 'done', '', 1.0, '', 'default', 3, 0, '2026-01-01')"))
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kind, upload, take_count FROM jobs")).one() == ("build", None, 3)
        head = ScriptDirectory.from_config(config).get_current_head()
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
