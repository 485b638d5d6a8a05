"""``brainfuse serve``: run the web viewer."""

from __future__ import annotations

import click

from ..clikit import FINITE
from ..errors import InputError

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--max-upload-mb",
    type=FINITE,
    default=64.0,
    show_default=True,
    help="Largest request body (both files together), MiB.",
)
def serve_command(host: str, port: int, max_upload_mb: float) -> None:
    """Serve the web viewer: fuse the demo phantom or an uploaded pair in the browser."""
    import uvicorn

    from .app import WebSettings, create_app

    if not 0 < port < 65536:
        raise InputError("--port", f"must be in 1..65535, got {port}")
    if max_upload_mb <= 0:
        raise InputError("--max-upload-mb", f"must be positive, got {max_upload_mb}")
    app = create_app(WebSettings(max_upload_bytes=int(max_upload_mb * (1 << 20))))
    click.echo(f"BrainFuse viewer on http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
