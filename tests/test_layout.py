"""The package's layout keeps its promises: no import cycle, and the learner's kernel imports
only what lies above the kernel boundary."""
from __future__ import annotations

import ast
from pathlib import Path

import autograder

PACKAGE = Path(autograder.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _known(name: str) -> str | None:
    """The package module `name` refers to (a module, or the one that defines the name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _top_level(tree):
    """The statements that run when the module is imported (not those inside functions or classes)."""
    for node in tree.body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            yield from _top_level(ast.Module(body=[*node.body, *node.orelse, *getattr(node, "finalbody", [])]))


def imports(module: str, when_imported: bool = False) -> set[str]:
    """Every package module `module` imports, at its top or inside a function (`when_imported`:
    only those that importing it loads)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    found = set()
    for node in (_top_level(tree) if when_imported else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {known for known in map(_known, names) if known and known != module}
    return found


def _parents(module: str) -> list[str]:
    """The packages whose `__init__` importing `module` runs."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in MODULES]


def cycles() -> list[list[str]]:
    """Import cycles among the package's modules (strongly connected components, Tarjan)."""
    graph = {module: imports(module) for module in MODULES}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    assert cycles() == []


def test_the_scan_sees_a_cycle_when_there_is_one(monkeypatch):
    monkeypatch.setitem(MODULES, "autograder.fake_a", PACKAGE / "fake_a.py")
    monkeypatch.setitem(MODULES, "autograder.fake_b", PACKAGE / "fake_b.py")
    sources = {PACKAGE / "fake_a.py": "from autograder import fake_b\n",
               PACKAGE / "fake_b.py": "def f():\n    from autograder.fake_a import x\n"}
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: sources.get(self) or open(self).read())
    assert ["autograder.fake_a", "autograder.fake_b"] in cycles()


def test_the_kernel_side_loads_no_check_and_no_grader_code():
    """Importing what a grading kernel imports (run_check, hints) loads no hidden check module,
    no pipeline, sandbox or data code (its one import of the check runner is for runs outside
    grading, inside run_check)."""
    below = ("autograder.checks.hidden", "autograder.pipeline", "autograder.sandbox", "autograder.data",
             "autograder.checking.runner", "autograder.checking.plugin")
    seen, todo = set(), ["autograder.checks", "autograder.hints"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += imports(module, when_imported=True) | {p for p in _parents(module)}
    assert not [m for m in seen if m.startswith(below)], sorted(seen)
