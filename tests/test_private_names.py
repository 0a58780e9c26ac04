"""No module of article8 reaches into another module's private names (``_x``).

A leading underscore says "free to change without telling anyone"; a name another module needs is
public and lives where it belongs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import article8

ROOT = Path(article8.__file__).resolve().parent


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Each place where ``source`` (the text of ``module``) uses another module's private name."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    found: list[str] = []
    imported: dict[str, str] = {}  # local name -> what it names in article8
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "article8":
                continue
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{target}.{alias.name}"
                path = [*target.split("."), alias.name]
                if target != module and any(_private(part) for part in path):
                    found.append(f"{module}:{node.lineno} imports {target}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "article8":
                    continue
                imported[alias.asname or alias.name.split(".")[0]] = alias.name
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{module}:{node.lineno} imports {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
        ):
            owner = imported[node.value.id]
            found.append(f"{module}:{node.lineno} uses {owner}.{node.attr}")
    return found


def _modules() -> list[tuple[Path, str]]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if "migrations" in parts:  # Alembic's scripts, not modules; they import no article8 code
            continue
        if parts[-1] == "__init__":
            parts.pop()
        modules.append((path, ".".join(parts)))
    return modules


def test_no_module_uses_another_modules_private_names() -> None:
    found = []
    for path, module in _modules():
        source = path.read_text(encoding="utf-8")
        found += private_uses(source, module, is_package=path.name == "__init__.py")
    assert len(_modules()) > 100
    assert found == []


def test_the_check_sees_every_way_of_reaching_a_private_name() -> None:
    source = (
        "from article8.core.db import _helper\n"
        "from ..catalogue import _rows as rows\n"
        "from article8.reports import _shared\n"
        "import article8.core._internal\n"
        "from article8.core import schema\n"
        "schema._secret()\n"
        "from .models import Thing\n"
        "Thing._cache\n"
        "from article8.core.db import Base, __version__\n"
        "def _mine(): return self._x\n"
    )
    found = private_uses(source, "article8.controls.findings.services")
    assert sorted(entry.split(" ", 1)[1] for entry in found) == [
        "imports article8.controls.catalogue._rows",
        "imports article8.core._internal",
        "imports article8.core.db._helper",
        "imports article8.reports._shared",
        "uses article8.controls.findings.models.Thing._cache",
        "uses article8.core.schema._secret",
    ]
