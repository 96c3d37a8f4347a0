"""The package's shape: no import cycles, model modules that import no siblings, a project that stands alone.

Imports are read from the source (``ast``), including imports inside functions and under
``TYPE_CHECKING``: a cycle hidden behind a lazy import is still a cycle for a reader.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "w2s_theory"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports (``from pkg import sub`` counts as importing ``pkg.sub``)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _cycle() -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_detector_finds_a_cycle():
    GRAPH["w2s_theory.family"].add("w2s_theory.metrics")  # metrics imports family: a planted cycle
    try:
        assert _cycle() is not None
    finally:
        GRAPH["w2s_theory.family"].discard("w2s_theory.metrics")


@pytest.mark.parametrize("model", sorted(n for n in MODULES if n.endswith(".model")))
def test_model_modules_import_nothing_from_their_siblings(model):
    family = model.rpartition(".")[0]
    siblings = {m for m in GRAPH[model] if m.startswith(family + ".") or m == family}
    assert not siblings, f"{model} imports {sorted(siblings)}"


SOURCES = [
    ROOT / "README.md",
    *PACKAGE.rglob("*.py"),
    *(ROOT / "notebooks").glob("*.py"),
    *(ROOT / "tests").glob("*.py"),
    *(ROOT / "docs").rglob("*.md"),
]
#: Citations of material outside the repository (assembled from parts so this file does not match itself).
OUTSIDE = re.compile("|".join(["spec" + " §", r"\.\./" + "shared", "shared" + "/(notes|theory|STYLE|hooks)"]))


def test_the_project_cites_nothing_outside_the_repository():
    hits = [
        f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
        for path in SOURCES
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not hits, "\n".join(hits[:20])


def test_public_names_load_on_first_use():
    """``from w2s_theory import SubspaceModel`` imports one family, not every one (a user's first result
    starts with this import); every public name still resolves, and ``__all__`` lists them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from w2s_theory import SubspaceModel\n"
        "assert 'w2s_theory.spurious' not in sys.modules and 'w2s_theory.gcm' not in sys.modules\n"
        "import w2s_theory\n"
        "assert sorted(w2s_theory.__all__) == sorted([*w2s_theory._PUBLIC, '__version__'])\n"
        "assert all(getattr(w2s_theory, name) for name in w2s_theory.__all__)\n"
        "assert set(w2s_theory.__all__) <= set(dir(w2s_theory))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
