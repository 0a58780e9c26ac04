"""Run the `article8` command in-process: against a test's application (its database and clock),
or against a database of the test's own, where the command really commits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from flask import Flask

from article8.cli import main
from article8.core.settings import Settings
from article8.web import create_app
from tests.conftest import TEST_ARGON2


def _environment(settings: Settings) -> dict[str, str]:
    # The group checks the environment before it runs anything; give it the test's, so that
    # nothing outside the test's folders is read or written.
    return {
        **TEST_ARGON2,
        "DATABASE_URL": settings.database_url,
        "ARTICLE8_INSTANCE_DIR": str(settings.instance_dir),
        "SECRET_KEY": settings.secret_key,
    }


def invoke(app: Flask, *args: str, input: str | None = None) -> Result:
    """``article8 ARGS`` through the real command group, with ``app`` as its application."""
    settings: Settings = app.extensions["article8.settings"]
    return app.test_cli_runner().invoke(main, list(args), input=input, env=_environment(settings))


@dataclass(frozen=True)
class Completed:
    """What a finished command left: its exit status and what it wrote, as a process would."""

    returncode: int
    stdout: str
    stderr: str


def article8(
    database_url: str,
    workdir: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> Completed:
    """``article8 ARGS`` as an operator runs it on ``database_url``, in this process.

    The application is built from the environment exactly as the installed command builds it
    (real clock, its own engine, commits that stay), with ``workdir/instance`` as its instance
    folder. An exception that the command does not turn into an exit status fails the test.
    """
    values = {
        **TEST_ARGON2,
        "DATABASE_URL": database_url,
        "ARTICLE8_INSTANCE_DIR": str(workdir / "instance"),
        **(env or {}),
    }
    settings = Settings.from_env(values)
    app = create_app(settings)
    try:
        result = app.test_cli_runner().invoke(
            main, list(args), input=stdin, env=values, catch_exceptions=False
        )
    finally:
        app.extensions["article8.database"].bind.dispose()
    return Completed(result.exit_code, result.stdout, result.stderr)
