"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from moksori.web.logs import configure_logging

user_app = typer.Typer(help="Accounts of the web app, for its administrator (no mail server is needed).",
                       no_args_is_help=True)
DATA_DIR_HELP = "Folder for the database, recordings and voices."


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.add_typer(user_app, name="user")

    @app.command()
    def serve(
        host: str | None = typer.Option(
            None, help="Address to listen on: 127.0.0.1 by default, all addresses (0.0.0.0) with --https."
        ),
        port: int = typer.Option(8000, help="Port to listen on."),
        data_dir: Path | None = typer.Option(None, help=DATA_DIR_HELP),
        workers: int = typer.Option(1, min=1, help="Server processes (each keeps its own voices loaded)."),
        https: bool = typer.Option(
            False, "--https", help="Serve https with a local certificate, so phones on this network can record."
        ),
    ) -> None:
        """Start the web app (SQLite, a local build worker and files on disk by default)."""
        import os

        import uvicorn

        from moksori.web.settings import Settings

        if data_dir:
            os.environ["MOKSORI_DATA_DIR"] = str(data_dir)
        settings = Settings()
        configure_logging(settings.log_format)
        tls: dict[str, str] = {}
        if https:
            from moksori.web.tls import certificate_names, ensure_certificate, lan_addresses, qr_text

            addresses = lan_addresses()
            cert, key = ensure_certificate(settings.data_dir / "tls", certificate_names(addresses))
            tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
            phone_url = f"https://{addresses[0] if addresses else '127.0.0.1'}:{port}/"
            os.environ["MOKSORI_PHONE_URL"] = phone_url  # also read by the processes of --workers
            settings = settings.model_copy(update={"phone_url": phone_url})
        host = host or ("0.0.0.0" if https else "127.0.0.1")
        typer.echo(f"Moksori on {'https' if https else 'http'}://{host}:{port} (data in {settings.data_dir})")
        if https:
            typer.echo(f"On a phone on this network, open {settings.phone_url} (or scan the code). The browser warns "
                       "once about the certificate, which this computer made itself: accept it for this address.")
            typer.echo(qr_text(settings.phone_url))
        if workers == 1:
            from moksori.web import create_app

            app = create_app(settings)
            preload_speech()
            uvicorn.run(app, host=host, port=port, proxy_headers=True, log_config=None,
                        timeout_keep_alive=settings.keep_alive_s, **tls)
            return
        serve_processes(settings, host, port, workers, tls)

    @app.command()
    def worker(
        app_url: str = typer.Option(..., "--app", help="The app's address as this machine reaches it, "
                                                       "e.g. http://10.0.0.5:8000."),
        queue_url: str = typer.Option("", "--queue", help="Redis URL of the build queue "
                                                          "(default: MOKSORI_QUEUE_URL)."),
        data_dir: Path | None = typer.Option(None, help="Scratch folder for builds on this machine "
                                                        "(default: MOKSORI_DATA_DIR/worker)."),
    ) -> None:
        """Build voices for an app, taking jobs from its Redis queue (one at a time, niced)."""
        import logging
        import os

        from moksori.web.jobs.remote import serve_worker
        from moksori.web.settings import Settings

        settings = Settings()
        queue_url = queue_url or settings.queue_url
        if not queue_url:
            raise typer.BadParameter("give --queue redis://HOST:6379/0 or set MOKSORI_QUEUE_URL", param_hint="--queue")
        configure_logging(settings.log_format)
        logging.getLogger("moksori").setLevel(logging.INFO)
        os.nice(10)  # speaking on the same machine comes first
        serve_worker(queue_url, settings.queue_namespace, app_url, data_dir or settings.data_dir / "worker")

    @app.command("backup")
    def backup_command(
        dest: Path = typer.Argument(..., help="New or empty folder for the backup."),
        data_dir: Path | None = typer.Option(None, help="The instance's data folder (default: MOKSORI_DATA_DIR)."),
    ) -> None:
        """Back up the database and all recordings and voices (safe while the app runs)."""
        from moksori.web.storage.backup import BackupError, backup

        try:
            manifest = backup(instance_settings(data_dir), dest)
        except BackupError as error:
            raise typer.BadParameter(str(error)) from error
        typer.echo(f"Backed up {manifest['rows'].get('users', 0)} users, {manifest['rows'].get('takes', 0)} takes "
                   f"and {manifest['rows'].get('voices', 0)} voices into {dest}")
        for name in manifest["missing_files"]:
            typer.echo(f"  missing (deleted during the backup): {name}", err=True)

    @app.command("restore")
    def restore_command(
        source: Path = typer.Argument(..., help="A folder written by moksori backup."),
        data_dir: Path | None = typer.Option(None, help="The new instance's data folder (default: MOKSORI_DATA_DIR)."),
    ) -> None:
        """Restore a backup into an empty instance (stop nothing: there is nothing running yet)."""
        from moksori.web.storage.backup import BackupError, restore

        try:
            manifest = restore(instance_settings(data_dir), source)
        except BackupError as error:
            raise typer.BadParameter(str(error)) from error
        typer.echo(f"Restored the backup of {manifest['created_at']}; start the app to finish (migrations run then).")


def instance_settings(data_dir: Path | None):
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
    from moksori.web.i18n import use_language
    from moksori.web.security import end_sessions, hash_password
    from moksori.web.storage.db import Database, migrate
    from moksori.web.storage.models import User

    settings = instance_settings(data_dir)
    if not settings.database_url and not (settings.data_dir / "moksori.db").is_file():
        typer.echo(f"error: there is no Moksori database in {settings.data_dir} (use --data-dir)", err=True)
        raise typer.Exit(1)
    db = Database(settings.sqlalchemy_url)
    migrate(db.engine)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            typer.echo(f"error: no account with the email {email}", err=True)
            raise typer.Exit(1)
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        use_language("en")  # an administrator's tool: its output is English, the password rules' words too
        problem = password_problem(password, user.email)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
        user.password_hash = hash_password(password)
        session.commit()
        ended = end_sessions(session, user)
    db.engine.dispose()
    typer.echo(f"The password of {user.email} is reset; {ended} login(s) ended.")


def serve_processes(settings, host: str, port: int, processes: int, tls: dict[str, str] | None = None) -> None:
    """``processes`` uvicorn workers behind one port. Start-up work that must happen once (migrations,
    removal of orphan files, the embedded build worker) is done here, not in every process."""
    import os
    import tempfile

    import uvicorn

    from moksori.web.jobs.queue import WorkerProcess
    from moksori.web.storage.db import Database, migrate
    from moksori.web.storage.files import remove_orphan_files

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)
    migrate(db.engine)
    remove_orphan_files(db, settings)
    db.engine.dispose()
    worker = WorkerProcess(settings) if WorkerProcess.wanted(settings) else None
    if worker:
        worker.start()
    os.environ.update(MOKSORI_RUN_WORKER="false", MOKSORI_CLEANUP_AT_START="false")
    # Request and speaking metrics summed over the processes (prometheus-client's multiprocess mode).
    metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.TemporaryDirectory(prefix="moksori-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir.name
    try:
        # The first voice a process loads also loads the text front-end, which holds the GIL for
        # seconds on a busy machine: uvicorn's 5 s health check would kill the process meanwhile.
        uvicorn.run("moksori.web.cli:server_app", factory=True, host=host, port=port, workers=processes,
                    proxy_headers=True, log_config=None, timeout_worker_healthcheck=120,
                    timeout_keep_alive=settings.keep_alive_s, **(tls or {}))
    finally:
        if worker:
            worker.stop()
        if metrics_dir:
            metrics_dir.cleanup()


def server_app():
    """The app of one server process among several (settings from the environment)."""
    from moksori.web import create_app
    from moksori.web.settings import Settings

    settings = Settings()
    configure_logging(settings.log_format)
    app = create_app(settings)
    preload_speech()
    return app


def preload_speech() -> None:
    """Load the Korean text front-end before the first request rather than during it: it takes
    seconds and, holding the GIL, would stall every request of the process meanwhile."""
    from moksori.text import preload

    preload("ko")
