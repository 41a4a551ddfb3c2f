"""The one-way flow, checked on the source: read -> clean -> fingerprint -> match -> cluster -> explain ->
engines -> library API -> serve, with records and the store below all. A module imports only from its own
layer or the layers below it; there are no import cycles, no private names imported across modules and no
import-by-name outside the registries. A failure names the file, line and arrow."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "storytrace"

#: top-level module or package -> layer (a module imports only from layers <= its own)
LAYERS: dict[str, int] = {
    "records": 0, "version": 0, "progress": 0, "timing": 0,
    "store": 1, "io": 1,
    "text": 2,
    "fingerprint": 3,
    "match": 4,
    "cluster": 5,
    "explain": 6,
    "engines": 7,
    "corpus": 8, "loading": 8, "report": 8,
    "evaluation": 9, "bench": 9,
    "web": 10,
    "cli": 11,
    "<root>": 12,  # storytrace/__init__.py, the public API: imported by nobody inside the package
}
#: the bottom layer imports nothing else of the package; the store imports only the bottom layer
BOTTOM = ("records", "version", "progress", "timing")
#: modules that may import modules by name: registries that map names to modules on purpose
IMPORTLIB_ALLOWED = {"<root>", "engines", "cli"}


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module, relative to the package ("match.story", "" for the root)
    target: str  # imported module ("from .pkg import module" is an arrow to the submodule)
    names: tuple[str, ...]
    where: str  # file:line

    def __str__(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.where}: {self.source or '<root>'} -> {self.target}{names}"


def modules(package: Path) -> dict[str, Path]:
    """Module name relative to the package ("" for its __init__) -> file."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def arrows(package: Path) -> list[Arrow]:
    """Every import of the package's own modules, module-level and inside functions alike."""
    mods, found = modules(package), []
    root = package.name
    for name, path in mods.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        where = f"{path.relative_to(package.parent)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = [p for p in here.split(".") if p]
                    base = base[: len(base) - node.level + 1] if node.level > 1 else base
                    target = ".".join(base + ([node.module] if node.module else []))
                elif (node.module or "") == root or (node.module or "").startswith(root + "."):
                    target = (node.module or "")[len(root) + 1:]
                else:
                    continue
                names = tuple(alias.name for alias in node.names)
                subs = [n for n in names if ".".join(p for p in (target, n) if p) in mods]
                for sub in subs:
                    found.append(Arrow(name, ".".join(p for p in (target, sub) if p), (), f"{where}:{node.lineno}"))
                rest = tuple(n for n in names if n not in subs)
                if rest:
                    found.append(Arrow(name, target, rest, f"{where}:{node.lineno}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(root + "."):
                        found.append(Arrow(name, alias.name[len(root) + 1:], (), f"{where}:{node.lineno}"))
    return found


def top(module: str) -> str:
    return module.split(".")[0] if module else "<root>"


def against_the_flow(found: list[Arrow], layers: dict[str, int]) -> list[str]:
    bad = []
    for arrow in found:
        src, dst = top(arrow.source), top(arrow.target)
        if src == dst:
            continue
        for name in (src, dst):
            if name not in layers:
                bad.append(f"{arrow}  [{name!r} has no layer in tests/test_architecture.py LAYERS]")
        if src not in layers or dst not in layers:
            continue
        if layers[dst] > layers[src]:
            bad.append(f"{arrow}  [{src} (layer {layers[src]}) imports {dst} (layer {layers[dst]})]")
        elif src in BOTTOM:
            bad.append(f"{arrow}  [{src} is at the bottom: it imports nothing of the package]")
        elif src == "store" and dst not in BOTTOM:
            bad.append(f"{arrow}  [the store sits below every stage: it imports records only]")
    return bad


def cycles(found: list[Arrow], mods: dict[str, Path]) -> list[str]:
    graph: dict[str, set[str]] = defaultdict(set)
    for arrow in found:
        target = arrow.target
        while target not in mods and "." in target:
            target = target.rpartition(".")[0]
        # an arrow into one's own package __init__ (or to oneself) is no cycle
        if target != arrow.source and not arrow.source.startswith(target + ".") and target != "":
            graph[arrow.source].add(target)
    found_cycles: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found_cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found_cycles


def private_imports(found: list[Arrow], mods: dict[str, Path]) -> list[str]:
    bad = []
    for arrow in found:
        source_package = arrow.source if mods.get(arrow.source, Path()).name == "__init__.py" else arrow.source.rpartition(".")[0]
        target_package = arrow.target.rpartition(".")[0]
        private_parts = [p for p in arrow.target.split(".") if p.startswith("_") and not p.startswith("__")]
        if private_parts and target_package != source_package and not source_package.startswith(target_package + "."):
            bad.append(f"{arrow}  [private module {private_parts[0]} of another package]")
        bad += [f"{arrow}  [private name {n}]" for n in arrow.names if n.startswith("_") and not n.startswith("__")]
    return bad


def import_by_name(package: Path) -> list[str]:
    bad = []
    for name, path in modules(package).items():
        if top(name) in IMPORTLIB_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            plain = isinstance(node, ast.Import) and any(a.name == "importlib" for a in node.names)
            named = isinstance(node, ast.ImportFrom) and node.module == "importlib" and any(
                a.name == "import_module" for a in node.names)
            if plain or named:
                bad.append(f"{path.relative_to(package.parent)}:{node.lineno}: {name} imports modules by name")
    return bad


# ---------------------------------------------------------------------------------------------------------
ARROWS = arrows(PACKAGE)
MODULES = modules(PACKAGE)


def test_no_arrow_against_the_flow() -> None:
    bad = against_the_flow(ARROWS, LAYERS)
    assert not bad, "imports against the one-way flow:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    found = cycles(ARROWS, MODULES)
    assert not found, "import cycles:\n" + "\n".join(found)


def test_no_private_names_across_modules() -> None:
    bad = private_imports(ARROWS, MODULES)
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_import_by_name_only_in_the_registries() -> None:
    bad = import_by_name(PACKAGE)
    assert not bad, "importlib outside the registries (root, engines, cli):\n" + "\n".join(bad)


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "storytrace"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


@pytest.mark.parametrize("files, check, expected", [
    ({"match/__init__.py": "", "match/x.py": "from ..cluster import groups\n",
      "cluster/__init__.py": "", "cluster/groups.py": ""}, "flow", "match (layer 4) imports cluster (layer 5)"),
    ({"store/__init__.py": "", "store/db.py": "def f():\n    from ..cluster.analysis import Story\n",
      "cluster/__init__.py": "", "cluster/analysis.py": ""}, "flow", "store (layer 1) imports cluster"),
    ({"match/__init__.py": "", "match/a.py": "from . import b\n", "match/b.py": "from .a import f\n"},
     "cycle", "match.a -> match.b -> match.a"),
    ({"match/__init__.py": "", "match/a.py": "from ..explain._align import f\n",
      "explain/__init__.py": "", "explain/_align.py": ""}, "private", "private module _align"),
    ({"engines/__init__.py": "", "engines/a.py": "from .b import _run\n", "engines/b.py": ""},
     "private", "private name _run"),
    ({"web/__init__.py": "", "web/x.py": "import importlib\n"}, "importlib", "web.x imports modules by name"),
])
def test_the_checks_catch_a_planted_violation(tmp_path: Path, files: dict[str, str], check: str,
                                              expected: str) -> None:
    package = _plant(tmp_path, files)
    found, mods = arrows(package), modules(package)
    report = {"flow": lambda: against_the_flow(found, LAYERS), "cycle": lambda: cycles(found, mods),
              "private": lambda: private_imports(found, mods), "importlib": lambda: import_by_name(package)}[check]()
    assert any(expected in line for line in report), report


def test_a_clean_planted_package_passes(tmp_path: Path) -> None:
    package = _plant(tmp_path, {"text/__init__.py": "", "text/a.py": "from ..records import Article\n",
                                "records.py": "", "match/__init__.py": "", "match/b.py": "from ..text.a import f\n"})
    found, mods = arrows(package), modules(package)
    assert not against_the_flow(found, LAYERS) and not cycles(found, mods) and not private_imports(found, mods)


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|CREATE\s+(TABLE|TRIGGER|INDEX)|"
                               r"DELETE\s+FROM|UPDATE\s+\w+\s+SET|DROP\s+(TABLE|TRIGGER))\b", re.S)


def sql_outside_store(package: Path) -> list[str]:
    """String constants that are SQL statements, in modules outside the store package."""
    bad = []
    for name, path in modules(package).items():
        if top(name) == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                bad.append(f"{path.relative_to(package.parent)}:{node.lineno}: {node.value.strip()[:60]!r}")
    return bad


def test_all_sql_lives_in_the_store() -> None:
    bad = sql_outside_store(PACKAGE)
    assert not bad, "SQL outside src/storytrace/store/:\n" + "\n".join(bad)


def test_sql_check_catches_planted_sql(tmp_path: Path) -> None:
    package = _plant(tmp_path, {"engines/__init__.py": "",
                                "engines/x.py": 'Q = "SELECT pk FROM documents WHERE id = ?"\n'})
    assert sql_outside_store(package) and not sql_outside_store(_plant(tmp_path / "ok", {"store/__init__.py": "Q = 'SELECT a FROM b'\n"}))
