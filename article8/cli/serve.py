"""`article8 serve`: the development server, for demos and the one-machine install (`make run`
serves with ``--with-scheduler``, so that inspections open and reminders go out)."""

from __future__ import annotations

import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from article8.scheduler import runner
from article8.web.context import settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--with-scheduler", is_flag=True, help="Also run the scheduler in this process.")
@with_appcontext
def serve(host: str, port: int, with_scheduler: bool) -> None:
    """Serve the application with the development server (demo-friendly)."""
    if with_scheduler:
        # The one-machine install (`make run`): one process, one scheduler. A larger install
        # runs `article8 scheduler run` as its own process; the lease keeps either to one leader.
        threading.Thread(target=runner.run, args=(settings(),), daemon=True).start()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"article8 is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    # Not app.run(): Flask ignores it inside its own CLI (FLASK_RUN_FROM_CLI).
    run_simple(host, port, app, threaded=True, use_reloader=False)


# Flask's own `run` would serve without article8's checks and options: `article8 run` is `serve`,
# kept out of the help so that one command is documented.
run_alias = click.Command(
    "run", callback=serve.callback, params=serve.params, help=serve.help, hidden=True
)
