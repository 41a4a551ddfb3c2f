"""``storytrace serve``: the local web UI over a store."""
from __future__ import annotations

import click

from ..web.net import is_loopback

@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", type=click.Path(dir_okay=False), required=True, help="SQLite store to serve (created if missing).")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="STORYTRACE_HOST",
              help="Address to bind. A non-loopback address must be given here explicitly (not via STORYTRACE_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--read-only", is_flag=True, help="Browse only: no uploads, the store is opened read-only.")
@click.option("--max-upload-mb", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True,
              help="Largest upload accepted per request, in MB.")
@click.pass_context
def serve(ctx: click.Context, db: str, host: str, port: int, read_only: bool, max_upload_mb: float) -> None:
    """Serve the web UI for the store DB (stories, documents, comparisons, groups; JSON API at /api/, docs at /docs)."""
    if not is_loopback(host):
        if ctx.get_parameter_source("host") is not click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(
                f"refusing to bind to {host!r}, which is not a loopback address: the UI has no authentication. "
                "Give --host on the command line to expose it on the network."
            )
        click.echo(
            f"storytrace: WARNING: serving on {host}:{port}, reachable from other machines; "
            "anyone who can connect can read the store" + ("" if read_only else " and add documents") + ".",
            err=True,
        )
    import uvicorn

    from ..web.app import create_app

    try:
        app = create_app(db, read_only=read_only, max_upload_bytes=int(max_upload_mb * 1024 * 1024))
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"storytrace: serving {db} on http://{host}:{port}/" + (" (read-only)" if read_only else ""), err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
