"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

user_app = typer.Typer(help="Accounts of the web app, for its administrator (no mail server is needed).",
                       no_args_is_help=True)
DATA_DIR_HELP = "Folder for the database, recordings and voices."


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.add_typer(user_app, name="user")

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on; keep 127.0.0.1 unless behind a proxy."),
        port: int = typer.Option(8000, help="Port to listen on."),
        data_dir: Path | None = typer.Option(None, help=DATA_DIR_HELP),
    ) -> None:
        """Start the web app (SQLite, a local build worker and files on disk by default)."""
        import uvicorn

        from moksori.web import create_app

        settings = _settings(data_dir)
        typer.echo(f"Moksori on http://{host}:{port} (data in {settings.data_dir})")
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True)


def _settings(data_dir: Path | None):
    from moksori.web.settings import Settings

    return Settings(data_dir=data_dir) if data_dir else Settings()


@user_app.command("reset-password")
def reset_password(
    email: str = typer.Argument(..., help="The account's email address."),
    data_dir: Path | None = typer.Option(None, help=DATA_DIR_HELP),
) -> None:
    """Give an account a new password (asked twice, never shown) and log it out everywhere."""
    from sqlalchemy import select

    from moksori.web.accounts import password_problem
    from moksori.web.security import end_sessions, hash_password
    from moksori.web.storage.db import Database, migrate
    from moksori.web.storage.models import User

    settings = _settings(data_dir)
    if not settings.database_url and not (settings.data_dir / "moksori.db").is_file():
        typer.echo(f"error: there is no Moksori database in {settings.data_dir} (use --data-dir) "
                   "데이터 폴더에 데이터베이스가 없습니다.", err=True)
        raise typer.Exit(1)
    db = Database(settings.sqlalchemy_url)
    migrate(db.engine)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            typer.echo(f"error: no account with the email {email} 해당 이메일의 계정이 없습니다.", err=True)
            raise typer.Exit(1)
        password = typer.prompt("New password 새 비밀번호", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, user.email)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
        user.password_hash = hash_password(password)
        session.commit()
        ended = end_sessions(session, user)
    db.engine.dispose()
    typer.echo(f"The password of {user.email} is reset; {ended} login(s) ended. 비밀번호를 재설정했습니다.")
