"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""

    @app.command()
    def serve(
        host: str | None = typer.Option(
            None, help="Address to listen on: 127.0.0.1 by default, all addresses (0.0.0.0) with --https."
        ),
        port: int = typer.Option(8000, help="Port to listen on."),
        data_dir: Path | None = typer.Option(None, help="Folder for the database, recordings and voices."),
        https: bool = typer.Option(
            False, "--https", help="Serve https with a local certificate, so phones on this network can record."
        ),
    ) -> None:
        """Start the web app (SQLite, a local build worker and files on disk by default)."""
        import uvicorn

        from moksori.web import create_app
        from moksori.web.settings import Settings

        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        if not https:
            host = host or "127.0.0.1"
            typer.echo(f"Moksori on http://{host}:{port} (data in {settings.data_dir})")
            uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True)
            return
        from moksori.web.tls import certificate_names, ensure_certificate, lan_addresses, qr_text

        host = host or "0.0.0.0"
        addresses = lan_addresses()
        cert, key = ensure_certificate(settings.data_dir / "tls", certificate_names(addresses))
        phone_url = f"https://{addresses[0] if addresses else '127.0.0.1'}:{port}/"
        settings = settings.model_copy(update={"phone_url": phone_url})
        typer.echo(f"Moksori on https://{host}:{port} (data in {settings.data_dir})")
        typer.echo(f"On a phone on this network, open {phone_url} (or scan the code). The browser warns once "
                   "about the certificate, which this computer made itself: accept it for this address.")
        typer.echo(qr_text(phone_url))
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True,
                    ssl_certfile=str(cert), ssl_keyfile=str(key))
