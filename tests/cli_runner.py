"""Run the `article8` command in-process, against a test's application (its database and clock)."""

from __future__ import annotations

from click.testing import Result
from flask import Flask

from article8.cli import main
from article8.core.settings import Settings
from tests.conftest import TEST_ARGON2


def invoke(app: Flask, *args: str, input: str | None = None) -> Result:
    """``article8 ARGS`` through the real command group, with ``app`` as its application."""
    settings: Settings = app.extensions["article8.settings"]
    # The group checks the environment before it runs anything; give it the test's, so that
    # nothing outside the test's folders is read or written.
    env = {
        **TEST_ARGON2,
        "DATABASE_URL": settings.database_url,
        "ARTICLE8_INSTANCE_DIR": str(settings.instance_dir),
        "SECRET_KEY": settings.secret_key,
    }
    return app.test_cli_runner().invoke(main, list(args), input=input, env=env)
