"""A hand-built vault around November 2026 for the audit package, and reading a package back."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from article8.evidence import services
from article8.reports.package import write_package
from article8.reports.period import Period
from tests.conftest import SYSTEM_ACTOR
from tests.reports.factories import add_control, add_inspection
from tests.support.evidence import PDF, add_item

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
EXPORTED_AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Vault:
    """What was built: the evidence ids the November package must carry, and those it must not."""

    carried: dict[str, int]
    left_out: dict[str, int]
    inspection_id: int


def _pdf(n: int) -> bytes:
    return PDF + f"%{n}\n".encode()  # distinct bytes: the store keeps identical content once


def build_vault(session, store, clock) -> Vault:
    """Evidence in force in November, evidence that was not, and a November inspection's file.

    The clock moves through October (uploads, a withdrawal, a new version) into November.
    """
    control = add_control(session, "HB-01", "organisational")
    other = add_control(session, "HB-02", "technical")
    november = add_inspection(session, control, "2026-11", "2026-11-30", "open")
    september = add_inspection(session, other, "2026-09", "2026-10-10", "approved")
    session.commit()

    def add(n: int, title: str, **fields) -> int:
        fields.setdefault("controls", ["HB-01"])
        return add_item(session, store, clock, title=title, content=_pdf(n), **fields).id

    clock.current = datetime(2026, 10, 1, 1, tzinfo=UTC)
    withdrawn_early = add(1, "Withdrawn in October", collected_on=date(2026, 9, 30))
    replaced_early = add(2, "Entry log v1", collected_on=date(2026, 9, 30))
    withdrawn_later = add(3, "Withdrawn in November", collected_on=date(2026, 9, 30))
    last_year = {"collected_on": date(2025, 10, 1), "valid_until": date(2026, 10, 31)}
    expired = add(4, "Expired policy", **last_year)
    expired_linked = add(5, "Expired, linked", **last_year)
    old_inspection_file = add(
        6, "September check", collected_on=date(2026, 4, 1), valid_until=date(2026, 9, 30)
    )
    clock.current = datetime(2026, 10, 15, 1, tzinfo=UTC)
    services.withdraw(
        session, SYSTEM_ACTOR, services.get_item(session, withdrawn_early), "Wrong", now=clock()
    )
    session.commit()
    clock.current = datetime(2026, 10, 20, 1, tzinfo=UTC)
    replacement = add(
        7, "Entry log v2", collected_on=date(2026, 10, 20), replaces_id=replaced_early
    )
    clock.current = datetime(2026, 11, 10, 1, tzinfo=UTC)
    services.withdraw(
        session, SYSTEM_ACTOR, services.get_item(session, withdrawn_later), "Late", now=clock()
    )
    session.commit()
    clock.current = datetime(2026, 11, 24, 1, tzinfo=UTC)
    japanese = add(8, "個人情報保護方針", collected_on=date(2026, 4, 1), name="方針.pdf")
    hostile = add(
        9,
        "../../ＡＢＣ: report <script>",
        collected_on=date(2026, 11, 2),
        name="r.PDF",
        controls=["HB-01", "HB-02"],
    )
    december = add(10, "Collected in December", collected_on=date(2026, 12, 1))
    # Files of inspections, linked by hand (the data, not the linking rules, is the point here).
    for item_id, inspection in ((expired_linked, november), (old_inspection_file, september)):
        services.get_item(session, item_id).inspection_id = inspection.id
    session.commit()
    return Vault(
        carried={
            "replacement": replacement,
            "withdrawn_later": withdrawn_later,
            "expired_linked": expired_linked,
            "japanese": japanese,
            "hostile": hostile,
        },
        left_out={
            "withdrawn_early": withdrawn_early,
            "replaced_early": replaced_early,
            "expired": expired,
            "old_inspection_file": old_inspection_file,
            "december": december,
        },
        inspection_id=november.id,
    )


def export(session, settings, store, out, lang="en", period=NOVEMBER, **options):
    """The package of ``period`` written to ``out`` by the test's system actor."""
    return write_package(
        session,
        out,
        store=store,
        settings=settings,
        period=period,
        lang=lang,
        actor=SYSTEM_ACTOR,
        now=EXPORTED_AT,
        **options,
    )


def manifest_of(folder: Path) -> list[dict[str, str]]:
    """manifest.csv as dicts."""
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def unzip(package: Path, folder: Path) -> Path:
    """Unzip ``package`` into ``folder`` (as an auditor would) and return it."""
    with zipfile.ZipFile(package) as archive:
        assert archive.testzip() is None
        archive.extractall(folder)
    return folder


def run_verify(folder: Path) -> subprocess.CompletedProcess[str]:
    """``python3 verify.py`` in the unzipped folder, a process of its own."""
    return subprocess.run(
        # -I -S: no site-packages, no environment: the standard library alone.
        [sys.executable, "-I", "-S", "verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


def read_member(package: Path, name: str) -> bytes:
    """One file of the package, read from the ZIP."""
    with zipfile.ZipFile(package) as archive:
        return archive.read(name)


def text_member(package: Path, name: str) -> str:
    """One text file of the package."""
    return io.TextIOWrapper(io.BytesIO(read_member(package, name)), encoding="utf-8").read()
