"""Every response carries a request id, and logs are JSON lines that carry it too."""

from __future__ import annotations

import json
import logging

from article8.core.logs import JsonFormatter, request_id


def test_a_request_id_is_made_or_taken_from_the_proxy(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "proxy-req-0001"})
    assert given.headers["X-Request-ID"] == "proxy-req-0001"
    for hostile in ("<script>alert(1)</script>", "x" * 500):
        assert (
            client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
            != hostile
        )


def test_log_lines_are_json_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="article8.request"):
        client.get("/healthz", headers={"X-Request-ID": "trace-abc-123"})
    record = next(r for r in caplog.records if r.name == "article8.request")
    token = request_id.set("trace-abc-123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "trace-abc-123"
    assert line["message"].startswith("GET /healthz 200")
    assert line["level"] == "INFO" and line["logger"] == "article8.request"
