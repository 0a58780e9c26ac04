"""Catalogue exchange: YAML and XLSX export, and reading an edited XLSX back (placeholder)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from article8.controls.catalogue import ControlSpec


def export_yaml(session: Session, out: Path) -> None:
    """Write the catalogue as YAML that `catalogue sync` reads back."""
    raise NotImplementedError


def export_xlsx(session: Session, out: Path) -> None:
    """Write the catalogue as an XLSX workbook that `catalogue sync` reads back."""
    raise NotImplementedError


def read_xlsx(path: Path) -> list[ControlSpec]:
    """Read and validate a catalogue workbook."""
    raise NotImplementedError
