"""The WSGI entry point for gunicorn: ``gunicorn -c deploy/gunicorn.conf.py article8.wsgi:app``.

Settings are read (and validated) when a worker imports this module, never earlier.
"""

from __future__ import annotations

from article8.core.logs import configure_logging
from article8.web import create_app

configure_logging()
app = create_app()
