"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from moksori.web.logs import configure_logging


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on; keep 127.0.0.1 unless behind a proxy."),
        port: int = typer.Option(8000, help="Port to listen on."),
        data_dir: Path | None = typer.Option(None, help="Folder for the database, recordings and voices."),
    ) -> None:
        """Start the web app (SQLite, a local build worker and files on disk by default)."""
        import uvicorn

        from moksori.web import create_app
        from moksori.web.settings import Settings

        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        typer.echo(f"Moksori on http://{host}:{port} (data in {settings.data_dir})")
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True)

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
