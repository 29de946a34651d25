"""Domains import downwards only (org ← accounts ← the rest, in portal/domains.py order), lazily or not; the
footprint core and the shared modules import no domain."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.domains import DOMAINS

PORTAL = Path(__file__).resolve().parents[2] / "portal"
RANK = {name: index for index, name in enumerate(DOMAINS)}


def imported_domains(path: Path) -> list[tuple[str, int]]:
    """(domain, line) of every import of a domain package in a file, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        for module in modules:
            parts = module.split(".")
            if parts[0] == "portal" and len(parts) > 1 and parts[1] in RANK:
                found.append((parts[1], node.lineno))
    return found


def test_each_domain_imports_only_the_domains_before_it():
    upward = []
    for path in sorted(PORTAL.rglob("*.py")):
        owner = path.relative_to(PORTAL).parts[0]
        if owner not in RANK:
            continue
        for domain, line in imported_domains(path):
            if RANK[domain] > RANK[owner]:
                upward.append(f"{path.relative_to(PORTAL.parent)}:{line} imports portal.{domain}")
    assert upward == []


def test_shared_modules_and_the_footprint_core_import_no_domain():
    shared = [path for path in PORTAL.glob("*.py") if path.name not in {"__init__.py", "all_models.py", "cli.py"}]
    shared += list((PORTAL / "footprint").rglob("*.py"))
    offenders = [f"{path.name}:{line} imports portal.{domain}" for path in shared
                 for domain, line in imported_domains(path)]
    assert offenders == []


def test_the_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from portal.messaging.inbox import x\n", encoding="utf-8")
    assert imported_domains(module) == [("messaging", 2)]
