"""Rejected access-log lines written as CSV beside the input, in place only once imported."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from article8.access.ingest import Reject


class RejectsFile:
    """An ``on_reject`` callback for the import that writes each rejected line with its reason.

    The file is written under a temporary name and moved into place by :meth:`commit`, after the
    import committed, so a failed import never leaves a rejects file that describes nothing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._temp: Path | None = None
        self._handle: TextIO | None = None
        self._writer: Any = None

    def __call__(self, reject: Reject) -> None:
        if self._writer is None:
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            self._temp = Path(name)
            self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["line", "column", "problem", *reject.header])
        self._writer.writerow([reject.line, reject.column or "", reject.problem, *reject.record])

    def commit(self) -> bool:
        """Move the rejects into place; False when there were none."""
        if self._handle is None or self._temp is None:
            return False
        self._handle.close()
        os.replace(self._temp, self.path)
        return True

    def discard(self) -> None:
        """Throw the rejects away (the import failed)."""
        if self._handle is not None and self._temp is not None:
            self._handle.close()
            self._temp.unlink(missing_ok=True)
