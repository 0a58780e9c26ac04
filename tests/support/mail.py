"""A real SMTP server in the test process, and free ports for servers the tests start."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.header import decode_header, make_header


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self, to: str | None = None) -> list[str]:
        return [
            str(make_header(decode_header(m["Subject"])))
            for m in self.messages
            if to is None or m["To"] == to
        ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
