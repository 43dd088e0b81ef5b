"""Migrations on the matrix's database (SQLite or PostgreSQL): a database made by an older version
is upgraded in place at start-up, and every migration can be undone and done again."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from moksori.web.storage.db import MIGRATIONS_DIR, make_engine, migrate
from moksori.web.storage.models import Base


def alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def test_an_old_database_is_upgraded_without_losing_rows(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(text("INSERT INTO users (id, email, password_hash, display_name, language, created_at) "
                                "VALUES (1, 'a@example.com', 'x', '', 'ko', '2026-01-01')"))
        connection.execute(text("INSERT INTO jobs (user_id, status, stage, fraction, message, preset, take_count, "
                                "resume, created_at) VALUES (1, 'done', '', 1.0, '', 'default', 3, false, "
                                "'2026-01-01')"))
    migrate(engine)
    head = ScriptDirectory.from_config(alembic_config(None)).get_current_head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kind, upload, take_count FROM jobs")).one() == ("build", None, 3)
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        assert connection.execute(text("SELECT count(*) FROM call_lines")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM api_keys")).scalar() == 0
        assert connection.execute(text("SELECT interface_language FROM users")).scalar() is None
    engine.dispose()


def test_every_migration_goes_down_and_up_again(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        tables_at_head = set(inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= tables_at_head
    scripts = ScriptDirectory.from_config(alembic_config(None))
    revisions = [script.revision for script in scripts.walk_revisions()]  # newest first
    with engine.begin() as connection:
        for revision in revisions[1:]:
            command.downgrade(alembic_config(connection), revision)
        command.downgrade(alembic_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == tables_at_head
        columns = {table: {c["name"] for c in inspect(connection).get_columns(table)} for table in ("jobs", "shops")}
    assert columns == {table: {column.name for column in Base.metadata.tables[table].columns}
                       for table in ("jobs", "shops")}
    engine.dispose()
