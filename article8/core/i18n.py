"""Translations outside a web request (mails from the scheduler), from the same catalogue."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


@lru_cache(maxsize=8)
def _translations(locale: str) -> NullTranslations:
    # Without a catalogue for ``locale``, Babel answers with NullTranslations (the msgids).
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def translator(locale: str) -> Callable[..., str]:
    """A gettext for ``locale`` that fills ``%(name)s`` placeholders from keyword arguments."""
    translations = _translations(locale)

    def gettext(message: str, **params: Any) -> str:
        text = translations.gettext(message)
        return text % params if params else text

    return gettext
