"""Request ids: taken from a trusted proxy's X-Request-ID or made here, logged and echoed."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, g, request

from article8.core.logs import request_id

log = logging.getLogger("article8.request")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask) -> None:
    """Install the request-id hooks and one access-log line per request."""

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        request_id.set(g.request_id)

    @app.after_request
    def _finish(response: Any) -> Any:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed)
        return response
