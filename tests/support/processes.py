"""Real `article8` processes, for the tests where a process of its own is the point (kill -9,
leader election, racing ticks, `serve`): their environment, and the events they show."""

from __future__ import annotations

import os
import pty
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from tests.conftest import TEST_ARGON2

COMMAND = (sys.executable, "-m", "article8.cli")
# The same command, with SQLAlchemy's statement log on stderr: every statement the process sends
# is a line that a test can wait for ("it has started writing the inspections").
STATEMENT_LOG = (
    "import logging, sys\n"
    "logging.basicConfig(stream=sys.stderr, format='sql: %(message)s')\n"
    "logging.getLogger('sqlalchemy.engine.Engine').setLevel(logging.INFO)\n"
    "from article8.cli import main\n"
    "main(prog_name='article8')\n"
)
# A click progress bar's percentage, once it is above zero.
PERCENT_DONE = re.compile(rb"\b[1-9]\d*%")


def process_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of an `article8` process on ``database_url`` with ``workdir/instance``."""
    return {
        **os.environ,
        **TEST_ARGON2,
        "DATABASE_URL": database_url,
        "ARTICLE8_INSTANCE_DIR": str(workdir / "instance"),
        **extra,
    }


def start(args: list[str], env: dict[str, str], *, stdout: int | None = None) -> subprocess.Popen:
    """Start ``article8 ARGS`` with its stderr readable line by line (text mode)."""
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_logging_statements(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start ``article8 ARGS`` with every SQL statement it sends logged to its stderr."""
    return subprocess.Popen(
        [sys.executable, "-c", STATEMENT_LOG, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


class Lines:
    """The lines a process writes to one of its pipes, read by a thread as they come."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """Block until a line containing ``text`` arrives (an event, not a timing check).

        ``timeout`` only keeps a broken process from hanging the run; nothing depends on it.
        """
        while True:
            line = self.queue.get(timeout=timeout)
            self.seen.append(line)
            if text in line:
                return line


class Terminal:
    """A pseudo-terminal for a process's stderr, so that it shows what it shows a person
    (click's progress bar draws only on a terminal)."""

    def __init__(self) -> None:
        self.controller, self.device = pty.openpty()
        self.shown = bytearray()
        self.changed = threading.Condition()
        self.thread: threading.Thread | None = None

    def attach(self) -> None:
        """Start reading what the process draws; call once the process has started."""
        os.close(self.device)  # the process holds its own copy
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.controller, 4096)
            except OSError:  # EIO: the process closed its end
                data = b""
            with self.changed:
                if not data:
                    self.shown += b"\0"  # marks the end
                    self.changed.notify_all()
                    return
                self.shown += data
                self.changed.notify_all()

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float = 120) -> bool:
        """Block until ``pattern`` appears; False if the process ended without drawing it."""
        with self.changed:
            found = self.changed.wait_for(
                lambda: pattern.search(self.shown) or self.shown.endswith(b"\0"), timeout
            )
            return bool(found) and pattern.search(self.shown) is not None

    def close(self) -> None:
        """Stop reading (once the process has ended) and close the terminal."""
        if self.thread is not None:
            self.thread.join(timeout=30)
        os.close(self.controller)
