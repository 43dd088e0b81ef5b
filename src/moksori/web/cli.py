"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer


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
