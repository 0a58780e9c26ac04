"""article8: security-controls audit and evidence tracking for APPI Article 8 measures."""

__version__ = "0.1.0"
