"""Steps and constants that more than one test module shares (test modules import only from here,
from ``tests.conftest`` and from ``tests.cli_runner``)."""
