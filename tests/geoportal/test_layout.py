"""The rules that keep the layout readable (README, "Architecture"), read from the sources:
cities (the ground) never imports layers (what stands on it); no import cycles between modules;
no module over 450 lines; no module imports page views; no family of name-prefixed modules
where a sub-package belongs."""

import ast
import subprocess
from collections import Counter
from pathlib import Path

from conftest import ROOT

PACKAGES = ["geoportal", "cities", "layers", "bench"]
MAX_LINES = 450


def modules():
    """{dotted name: path} of the project's Python modules, migrations and tests aside."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name, path, known):
    """The project modules `name` imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph():
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_cities_never_imports_layers():
    offenders = {
        name: sorted(t for t in targets if t.startswith("layers"))
        for name, targets in graph().items()
        if name.startswith("cities")
    }
    assert {name: t for name, t in offenders.items() if t} == {}


def test_no_import_cycles():
    edges = graph()
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            # A package's __init__ importing its own modules is how packages work, not a cycle.
            if target.startswith(node + "."):
                continue
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_module_is_over_450_lines():
    long = {
        name: lines
        for name, path in modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_page_views_are_imported_only_by_url_modules():
    offenders = {
        name: sorted(t for t in targets if t.rpartition(".")[2] == "views")
        for name, targets in graph().items()
        if not name.endswith("urls")
    }
    assert {name: t for name, t in offenders.items() if t} == {}


def test_no_family_of_prefixed_modules_in_one_package():
    """Three modules named prefix_*.py in one folder want a sub-package (api.py beside
    api_urls.py is the usual Django pair, not a family)."""
    families = Counter()
    for path in modules().values():
        if "_" in path.stem and path.name != "__init__.py":
            families[(path.parent, path.stem.split("_")[0])] += 1
    assert {f"{Path(folder).name}/{prefix}_*": n for (folder, prefix), n in families.items()
            if n >= 3} == {}  # fmt: skip


def test_the_import_reader_sees_relative_and_absolute_imports(tmp_path):
    """So that the rules above can fail: a module of cities importing a sibling and layers."""
    known = {"cities.x": None, "cities.y": None, "layers.models": None}
    source = tmp_path / "x.py"
    source.write_text("import os\nfrom .y import thing\nfrom layers.models import Layer\n")
    assert imports("cities.x", source, known) == {"cities.y", "layers.models"}


def test_the_top_level_holds_only_the_agreed_items():
    """The guide's layout: the project's packages and the items a convention wants, nothing else
    (a new app is a sub-package of the app it stands on, or of geoportal when it spans both)."""
    agreed = {
        "manage.py", "pyproject.toml", "geoportal", "cities", "layers", "templates", "static",
        "tests", "README.md", "Makefile", ".ci", "bench", "scripts", "docs", "deploy", "locale",
        ".gitignore",
    }  # fmt: skip
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {path.split("/")[0] for path in tracked} - agreed == set()
