"""The layers hold: the pure rules import no database or Telegram code, the bot no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_DOMAIN = ("sqlalchemy", "sqlmodel", "telegram", "db", "services", "bot", "alembic")
FORBIDDEN_IN_BOT = ("db", "sqlalchemy", "sqlmodel")
FORBIDDEN_IN_SERVICES = ("telegram", "bot")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _offences(package: str, forbidden: tuple[str, ...]) -> list[str]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules under {package}/"
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(_imports(path))
        if module.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", FORBIDDEN_IN_DOMAIN),
        ("bot", FORBIDDEN_IN_BOT),
        ("services", FORBIDDEN_IN_SERVICES),
    ],
)
def test_layer_imports(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offences(package, forbidden) == []


def test_the_check_sees_an_offending_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f() -> None:\n    from db.uow import Database\n", encoding="utf-8")
    assert "db.uow" in _imports(module)
