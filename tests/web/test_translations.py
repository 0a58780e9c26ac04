"""Japanese is first-class: every message is translated and the compiled catalogue is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.checkers import python_format
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "article8" / "translations"
PO = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.mo"


def test_every_message_in_the_source_has_a_japanese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT / "article8"),
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(str(m) for m in wanted if not catalogue.get(m) or not catalogue.get(m).string)
    assert not missing, f"untranslated (run `make translations` and translate): {missing}"
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy


def test_placeholders_match_and_the_compiled_catalogue_is_current():
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if message.id:
            python_format(catalogue, message)  # raises on a placeholder mismatch
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    source = {_plain(m.id): _plain(m.string) for m in catalogue if m.id}
    assert {_plain(m.id): _plain(m.string) for m in compiled if m.id} == source, (
        "run pybabel compile"
    )


def _plain(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A message id or string, with plural forms as a tuple (the .mo reader gives lists)."""
    return value if isinstance(value, str) else tuple(value)


def test_pages_render_in_japanese(client, login_as):
    login_as("admin", locale="ja")
    page = client.get("/").get_data(as_text=True)
    for label in ("ホーム", "監査ログ", "ユーザー管理", "マイアカウント", "ログアウト"):
        assert label in page


def test_an_anonymous_visitor_gets_the_browser_language_and_japanese_by_default(app):
    assert "ログイン" in app.test_client().get(
        "/login", headers={"Accept-Language": "ja"}
    ).get_data(as_text=True)
    plain = app.test_client()
    plain.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    assert "ログイン" in plain.get("/login").get_data(as_text=True)
    assert "Sign in" in app.test_client().get("/login").get_data(as_text=True)
