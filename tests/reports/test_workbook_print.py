"""The audit workbook as it prints: rendered by LibreOffice (as an auditor's independent client
would), then read back from the PDF with poppler's tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from article8.core.i18n import translator
from tests.reports.test_workbook import export

TOOLS = ("soffice", "pdftotext", "pdfinfo")
A4_POINTS = (595.3, 841.9)


@pytest.fixture
def render(tmp_path):
    """Turn an XLSX into a PDF with LibreOffice; skipped where it is missing (CI installs it)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("ARTICLE8_REQUIRE_E2E"):
            pytest.fail(f"{', '.join(missing)} missing in CI")
        pytest.skip(
            f"{', '.join(missing)} not installed (apt: libreoffice-calc-nogui poppler-utils)"
        )

    def convert(path):
        out = tmp_path / "pdf"
        # A profile of its own, so that concurrent runs do not share LibreOffice's lock.
        profile = (tmp_path / "lo-profile").as_uri()
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return out / (path.stem + ".pdf")

    return convert


def page_sizes(pdf) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    found = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return [(float(w), float(h)) for w, h in found]


def page_text(pdf, first: int, last: int | None = None) -> str:
    last = first if last is None else last
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_both_editions_print_on_a4_without_hashes_and_a_one_page_cover(
    session, settings, backend, programme, render, tmp_path, lang
):
    if backend != "sqlite":
        pytest.skip("how the workbook prints does not depend on the database")
    out, _ = export(session, settings, tmp_path, lang=lang)
    pdf = render(out)
    sizes = page_sizes(pdf)
    assert len(sizes) > 1
    for width, height in sizes:
        assert sorted((round(width, 1), round(height, 1))) == sorted(A4_POINTS)
    text = page_text(pdf, 1, len(sizes))
    assert "###" not in text
    # The cover ends on page 1; page 2 is the next sheet, the index (its title is in the print
    # header and its title block; its table names the sheets after it).
    _ = translator(lang)
    assert _("Checking this file") in page_text(pdf, 1)
    second = page_text(pdf, 2)
    assert second.count(_("Index")) >= 2 and _("Summary") in second
    assert _("Checking this file") not in second
