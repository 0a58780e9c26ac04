"""Every action the code records has a label: the audit trail never shows a bare code.

The scan reads the source with ``ast``: it finds every ``audit.record(...)`` call and follows its
action argument back to string literals — through conditional expressions, local and module
variables, and the parameters of the helper functions that pass an action on (``_record(...,
"inspection.approve", ...)``). An action it cannot follow to literals (an f-string, say) fails the
test: action codes are written out in full so that this scan and a grep both find them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import article8
from article8.core.vocabulary import AUDIT_ACTIONS, AUDIT_AREA_PREFIXES, AUDIT_AREAS

PACKAGE = Path(article8.__file__).parent


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]


def _modules() -> list[Module]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        found.append(Module(path, tree, parents))
    return found


def _enclosing_function(module: Module, node: ast.AST) -> ast.FunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node  # type: ignore[return-value]
    return None


def _calls(modules: list[Module], name: str) -> Iterator[tuple[Module, ast.Call]]:
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    yield module, node


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


class Scan:
    """Follows action expressions back to literals; collects what it cannot follow."""

    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.codes: set[str] = set()
        self.unresolved: list[str] = []
        self._seen: set[tuple[str, int, str]] = set()

    def expression(self, module: Module, node: ast.expr, where: ast.AST) -> None:
        """Resolve ``node``, an action expression found at ``where`` in ``module``."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.codes.add(node.value)
        elif isinstance(node, ast.IfExp):
            self.expression(module, node.body, where)
            self.expression(module, node.orelse, where)
        elif isinstance(node, ast.Name):
            self.name(module, node.id, where)
        else:
            self._fail(module, node)

    def name(self, module: Module, name: str, where: ast.AST) -> None:
        function = _enclosing_function(module, where)
        if function is not None:
            assigned = [
                n.value
                for n in ast.walk(function)
                if isinstance(n, ast.Assign | ast.AnnAssign)
                and any(isinstance(t, ast.Name) and t.id == name for t in _targets(n))
                and n.value is not None
            ]
            if assigned:
                for value in assigned:
                    self.expression(module, value, value)
                return
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name in parameters:
                self.parameter(function.name, parameters.index(name), name)
                return
        for node in module.tree.body:  # a module constant
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and any(isinstance(t, ast.Name) and t.id == name for t in _targets(node))
            ):
                self.expression(module, node.value, node)
                return
        self.unresolved.append(f"{module.path.relative_to(PACKAGE)}: cannot follow {name!r}")

    def parameter(self, function: str, position: int, keyword: str) -> None:
        """Every value passed to parameter ``keyword`` of functions called ``function``."""
        if (function, position, keyword) in self._seen:
            return
        self._seen.add((function, position, keyword))
        for module, call in _calls(self.modules, function):
            value = _argument(call, position, keyword)
            if value is not None:
                self.expression(module, value, call)

    def _fail(self, module: Module, node: ast.expr) -> None:
        where = f"{module.path.relative_to(PACKAGE)}:{node.lineno}"
        self.unresolved.append(f"{where}: action {ast.unparse(node)} is not a literal")


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def recorded_actions() -> Scan:
    """Every action code passed to ``audit.record`` anywhere in article8."""
    modules = _modules()
    scan = Scan(modules)
    for module, call in _calls(modules, "record"):
        func = call.func
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "audit":
            action = _argument(call, 2, "action")
            assert action is not None, f"{module.path}:{call.lineno}: audit.record without action"
            scan.expression(module, action, call)
    return scan


def test_every_recorded_action_has_a_label():
    scan = recorded_actions()
    assert not scan.unresolved, "\n".join(scan.unresolved)
    # The scan finds the actions of every feature (it cannot pass by finding nothing) ...
    assert {"inspection.approve", "evidence.download", "register.person.update"} <= scan.codes
    assert {"auth.login_refused_locked", "incident.filing", "anomaly.dismiss"} <= scan.codes
    # ... and each one is in the vocabulary.
    missing = sorted(scan.codes - set(AUDIT_ACTIONS.codes))
    assert not missing, f"add these actions to AUDIT_ACTIONS in core/vocabulary.py: {missing}"


def test_every_action_belongs_to_exactly_one_area():
    assert set(AUDIT_AREA_PREFIXES) == set(AUDIT_AREAS.codes)
    for code in AUDIT_ACTIONS.codes:
        areas = [a for a, prefixes in AUDIT_AREA_PREFIXES.items() if code.startswith(prefixes)]
        assert len(areas) == 1, f"{code} is in areas {areas}"
