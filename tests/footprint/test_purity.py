"""The footprint core stays pure: standard library only, never Flask or SQLAlchemy."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "portal" / "footprint"
# Standard library only: dates for the estate's periods, math for the great-circle distance.
ALLOWED = {"__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "functools", "math", "typing"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:  # relative imports stay in the package
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_imports_flask_or_sqlalchemy():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        roots = imported_roots(path)
        assert not {r for r in roots if r.startswith(("flask", "sqlalchemy"))}, path.name
        assert roots <= ALLOWED, f"{path.name} imports {roots - ALLOWED}"
