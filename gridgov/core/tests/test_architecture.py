"""The shape of the code, read from the code itself (``ast``, no imports executed).

- No import circles among gridgov modules: module-level and function-level imports both
  count (a function-level import only postpones a circle, it does not remove it); imports
  under ``if TYPE_CHECKING:`` do not (they never run). Migrations and tests are left out.
- No file over 600 lines outside migrations, tests and data; the few allowed exceptions are
  listed with their reason.
- No use of the transitional access API (``has_role(``, ``roles=`` of ``covers`` /
  ``area_q`` / ``codes_for``) outside tests.
- Nobody imports ``get_scope`` from ``gridgov.accounts.scope``: it lives in
  ``gridgov.core.access``.

The helpers are tested on a small package written to a temporary folder first, so a reader
that silently found nothing could not pass the real checks.
"""

import ast
from pathlib import Path

import gridgov

ROOT = Path(gridgov.__file__).resolve().parent
MAX_LINES = 600
# Source files whose length is ours to keep in check (the rest are data, images, catalogues).
SOURCE_SUFFIXES = {".py", ".html", ".js", ".css"}
# Allowed long files, relative to gridgov/, with the reason.
LONG_FILE_EXCEPTIONS = {
    "events/catalog_data.py": "data: the event class catalogue of the national standard",
    "demo/data/": "data: published boundaries and unit lists of the demo district",
    "web/static/vendor/": "third-party code (Leaflet, htmx), shipped as published",
    "locale/": "translation catalogues, written by makemessages",
}


# --- reading the code -----------------------------------------------------------------------


def _skipped(path: Path, root: Path, *, tests: bool) -> bool:
    parts = path.relative_to(root).parts
    if "migrations" in parts:
        return True
    return not tests and ("tests" in parts or path.name == "conftest.py"
                          or path.name.startswith("test_"))


def module_files(root: Path = ROOT, package: str = "gridgov", *, tests: bool = False) -> dict:
    """Module name → file, for every .py under ``root`` (migrations, and tests unless asked,
    left out)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        if _skipped(path, root, tests=tests):
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except what sits under ``if TYPE_CHECKING:`` (its ``else``
    branch does run, so it is kept)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def resolve_from(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from <node.module> import ...`` (relative ones too)."""
    if not node.level:
        return node.module or ""
    base = _package_of(module, path)
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def _owner(name: str, modules) -> str | None:
    """The module ``name`` lives in: itself, else its longest known prefix."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(module: str, path: Path):
    """(imported module name, the name taken from it or None, line) for every runtime
    import of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = resolve_from(module, path, node)
            for alias in node.names:
                yield base, alias.name, node.lineno


def import_graph(modules: dict) -> dict:
    """Module → the set of gridgov modules it imports; ``from X import Y`` counts as
    importing ``X.Y`` when that is a module, else ``X``."""
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for base, taken, _line in imported_names(name, path):
            target = None
            if taken is not None and f"{base}.{taken}" in modules:
                target = f"{base}.{taken}"
            else:
                target = _owner(base, modules)
            if target is not None and target != name:
                graph[name].add(target)
    return graph


def strongly_connected(graph: dict) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, iteratively."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return sorted(out)


def one_cycle(graph: dict, component: list[str]) -> list[str]:
    """A shortest circle through the component's first module, to print (a → b → a)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(f"no circle through {start}")  # pragma: no cover


def import_cycles(root: Path = ROOT, package: str = "gridgov") -> list[str]:
    """One line per knot of mutually importing modules: a shortest circle through it, and
    the knot's other modules when there are more."""
    graph = import_graph(module_files(root, package))
    out = []
    for component in strongly_connected(graph):
        cycle = one_cycle(graph, component)
        rest = sorted(set(component) - set(cycle))
        out.append(" → ".join(cycle) + (f"  (same knot: {', '.join(rest)})" if rest else ""))
    return out


def long_files(root: Path = ROOT, exceptions=LONG_FILE_EXCEPTIONS) -> list[str]:
    out = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in SOURCE_SUFFIXES:
            continue
        rel = path.relative_to(root).as_posix()
        if _skipped(path, root, tests=False) or any(
                rel == allowed or (allowed.endswith("/") and rel.startswith(allowed))
                for allowed in exceptions):
            continue
        lines = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        if lines > MAX_LINES:
            out.append(f"{rel}: {lines} lines")
    return out


TRANSITIONAL_KEYWORD_OF = {"covers", "area_q", "codes_for"}


def transitional_access_uses(root: Path = ROOT, package: str = "gridgov") -> list[str]:
    """Calls of ``has_role(...)`` and ``covers/area_q/codes_for(..., roles=...)``."""
    out = []
    for path in module_files(root, package).values():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in runtime_nodes(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            rel = path.relative_to(root).as_posix()
            if called == "has_role":
                out.append(f"{rel}:{node.lineno}: has_role(")
            elif called in TRANSITIONAL_KEYWORD_OF and any(
                    k.arg == "roles" for k in node.keywords):
                out.append(f"{rel}:{node.lineno}: {called}(roles=...)")
    return sorted(out, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


OLD_SCOPE_MODULE = "gridgov.accounts.scope"


def old_get_scope_imports(root: Path = ROOT, package: str = "gridgov",
                          old_module: str = OLD_SCOPE_MODULE) -> list[str]:
    """Imports of ``get_scope`` from its old home, and ``<old module>.get_scope`` reads
    (tests included: they would keep a re-export alive)."""
    out = []
    for name, path in module_files(root, package, tests=True).items():
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases = set()  # local names bound to the old module
        for node in runtime_nodes(tree):
            if isinstance(node, ast.ImportFrom):
                base = resolve_from(name, path, node)
                for alias in node.names:
                    if base == old_module and alias.name == "get_scope":
                        out.append(f"{rel}:{node.lineno}: from {base} import get_scope")
                    elif f"{base}.{alias.name}" == old_module:
                        aliases.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == old_module:
                        aliases.add(alias.asname or alias.name)
        for node in runtime_nodes(tree):
            if isinstance(node, ast.Attribute) and node.attr == "get_scope":
                if ast.unparse(node.value) in aliases:
                    out.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return sorted(out)


# --- the readers, on a package made for the purpose -----------------------------------------


def _write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_reader_finds_circles_through_every_kind_of_import(tmp_path):
    root = _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a/__init__.py": "",
        "a/models.py": "from .. import d\n",
        # A function-level relative import two packages up, naming a submodule.
        "a/helpers.py": "def f():\n    from .. import b\n    from ..a import models\n",
        "b/__init__.py": "from pkg.b.actions import go\n",
        "b/actions.py": "import pkg.c.api\n",
        "c/__init__.py": "",
        "c/api.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    from pkg.b import actions\nelse:\n    from pkg.a.helpers import f\n",
        # Only under TYPE_CHECKING: no circle through d.
        "d.py": "import typing\nif typing.TYPE_CHECKING:\n    import pkg.e\n",
        "e.py": "import pkg.d\n",
        "a/tests/test_x.py": "from pkg.a import models\n",
        "a/migrations/0001_initial.py": "from pkg.a import models\n",
    })
    modules = module_files(root, "pkg")
    assert "pkg.a.tests.test_x" not in modules and "pkg.a.migrations.0001_initial" not in modules
    graph = import_graph(modules)
    assert graph["pkg.a.helpers"] == {"pkg.b", "pkg.a.models"}
    assert graph["pkg.b"] == {"pkg.b.actions"}
    assert graph["pkg.c.api"] == {"pkg.a.helpers"}  # the TYPE_CHECKING import is left out
    assert graph["pkg.d"] == set()
    cycles = import_cycles(root, "pkg")
    assert cycles == [
        "pkg.a.helpers → pkg.b → pkg.b.actions → pkg.c.api → pkg.a.helpers",
    ]


def test_the_other_readers_on_a_made_package(tmp_path):
    root = _write(tmp_path / "pkg", {
        "__init__.py": "",
        "big.py": "x = 1\n" * 601,
        "ok.py": "x = 1\n" * 600,
        "catalog_data.py": "x = 1\n" * 700,
        "tests/test_big.py": "x = 1\n" * 700,
        "views.py": "def v(scope):\n    scope.has_role('leader')\n"
                    "    scope.covers('33', 'events.view')\n"
                    "    return scope.area_q('area_code', roles=('leader',))\n",
        "accounts/__init__.py": "",
        "accounts/scope.py": "def get_scope(user):\n    return None\n",
        "uses.py": "from pkg.accounts.scope import get_scope\n"
                   "from pkg.accounts import scope as old\n"
                   "def f(u):\n    return old.get_scope(u)\n",
    })
    assert long_files(root, {"catalog_data.py": "data"}) == ["big.py: 601 lines"]
    assert transitional_access_uses(root, "pkg") == [
        "views.py:2: has_role(", "views.py:4: area_q(roles=...)"]
    assert old_get_scope_imports(root, "pkg", "pkg.accounts.scope") == [
        "uses.py:1: from pkg.accounts.scope import get_scope", "uses.py:4: old.get_scope"]


def test_the_reader_sees_the_real_code():
    """Known edges of gridgov, so the checks below cannot pass on an empty graph."""
    graph = import_graph(module_files())
    assert len(graph) > 100
    assert "gridgov.audit.recorder" in set().union(*graph.values())
    assert all(".tests" not in name and ".migrations" not in name for name in graph)


# --- the checks -----------------------------------------------------------------------------


def test_no_import_circles():
    cycles = import_cycles()
    assert not cycles, "import circles:\n" + "\n".join(cycles)


def test_no_file_over_600_lines():
    found = long_files()
    assert not found, f"files over {MAX_LINES} lines:\n" + "\n".join(found)


def test_no_transitional_role_checks_outside_tests():
    found = transitional_access_uses()
    assert not found, "transitional access calls (use permissions):\n" + "\n".join(found)


def test_get_scope_comes_from_core_access():
    found = old_get_scope_imports()
    assert not found, "get_scope imported from its old home:\n" + "\n".join(found)
