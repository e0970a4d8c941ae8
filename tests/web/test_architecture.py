"""The apps' import directions (docs/architecture.md): each layer imports only layers below it, so
no app reaches into another in a circle. A new import against the direction fails here, naming the
file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "zgcfund"

#: lowest first; a package may import itself and anything earlier in this list
LAYERS = ("core", "files", "audit", "accounts", "programmes", "applications", "review", "implementation", "devtools",
          "web", "cli")
#: the pure policy engine imports no Django and no other package of the project
PURE = {"core"}


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
    return out


FILES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_every_package_has_a_layer():
    packages = {_package(p) for p in FILES} - {"__init__"}
    assert packages <= set(LAYERS), f"add to LAYERS (and docs/architecture.md): {sorted(packages - set(LAYERS))}"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SRC)) for p in FILES])
def test_imports_follow_the_layers(path: Path):
    own = _package(path)
    if own == "__init__":
        return
    allowed = set(LAYERS[: LAYERS.index(own) + 1])
    wrong = []
    for line, module in _imports(path):
        parts = module.split(".")
        if own in PURE and parts[0] in {"django", "rest_framework"}:
            wrong.append(f"line {line}: {module} (the policy engine imports no Django)")
        if parts[0] != "zgcfund" or len(parts) < 2:
            continue
        target = parts[1]
        if target in LAYERS and target not in allowed:
            wrong.append(f"line {line}: {module} ({own} may import only {', '.join(sorted(allowed))})")
    assert not wrong, f"{path.relative_to(SRC)}: " + "; ".join(wrong)


def test_architecture_doc_shows_the_whole_workflow_table():
    from zgcfund.applications.domain import workflow

    doc = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [f"`{name}`" for name in [*workflow.PHASES, *workflow.TRANSITIONS] if f"`{name}`" not in doc]
    assert not missing, f"docs/architecture.md: add {missing} to the workflow tables"
