"""Real `article8` processes, for the tests where a process of its own is the point (kill -9,
leader election, racing ticks, `serve`): their environment, and reading their log lines."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from tests.conftest import TEST_ARGON2

COMMAND = (sys.executable, "-m", "article8.cli")


def process_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of an `article8` process on ``database_url`` with ``workdir/instance``."""
    return {
        **os.environ,
        **TEST_ARGON2,
        "DATABASE_URL": database_url,
        "ARTICLE8_INSTANCE_DIR": str(workdir / "instance"),
        **extra,
    }


class Lines:
    """The lines a process writes to one of its pipes, read as they come by a thread."""

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

        ``timeout`` only keeps a broken process from hanging the run; it asserts nothing.
        """
        while True:
            line = self.queue.get(timeout=timeout)
            self.seen.append(line)
            if text in line:
                return line


def start(args: list[str], env: dict[str, str], *, stdout: int | None = None) -> subprocess.Popen:
    """Start ``article8 ARGS`` with its stderr readable line by line (text mode)."""
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
