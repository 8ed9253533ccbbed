"""The direction of imports, read from the code: a lower app never imports a higher one, no
import hides inside a function, and no files import each other in a circle.

core ← accounts, policies ← notifications ← orders ← disputes ← arbitration, timers ← pages,
integration, demo ← casefile
(config, which wires them all, sits on top).
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOORS: dict[str, int] = {
    "core": 0,
    "accounts": 1,
    "policies": 1,
    "notifications": 2,
    "orders": 3,
    "disputes": 4,
    "arbitration": 5,
    "timers": 5,
    "pages": 6,
    "integration": 6,
    "demo": 6,
    "casefile": 7,
    "config": 8,
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40


@dataclass(frozen=True)
class Import:
    source: str  # dotted module that imports
    target: str  # dotted module (or name) imported
    line: int
    in_function: bool
    type_checking_only: bool


def _modules() -> Iterator[tuple[str, Path]]:
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


class _Reader(ast.NodeVisitor):
    def __init__(self, module: str, path: Path):
        self.module, self.path = module, path
        self.depth_in_function = 0
        self.in_type_checking = False
        self.imports: list[Import] = []

    def _add(self, target: str, node: ast.stmt) -> None:
        self.imports.append(
            Import(
                self.module,
                target,
                node.lineno,
                self.depth_in_function > 0,
                self.in_type_checking,
            )
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _absolute(self.module, self.path, node)
        for alias in node.names:
            self._add(f"{base}.{alias.name}", node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth_in_function += 1
        self.generic_visit(node)
        self.depth_in_function -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            self.in_type_checking = True
            for child in node.body:
                self.visit(child)
            self.in_type_checking = False
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)


def _read_all() -> tuple[dict[str, Path], list[Import]]:
    modules = dict(_modules())
    imports: list[Import] = []
    for module, path in modules.items():
        reader = _Reader(module, path)
        reader.visit(ast.parse(path.read_text(), filename=str(path)))
        imports.extend(reader.imports)
    return modules, imports


def _app(dotted: str) -> str:
    return dotted.split(".", 1)[0]


def _target_module(target: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (`x.y.name` is module `x.y` unless `x.y.name` is one)."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def test_no_app_imports_a_higher_or_sideways_app():
    _, imports = _read_all()
    wrong = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if _app(i.target) in FLOORS
        and _app(i.target) != _app(i.source)
        and FLOORS[_app(i.target)] >= FLOORS[_app(i.source)]
    ]
    assert not wrong, "Imports against the direction:\n" + "\n".join(wrong)


def test_no_project_import_hides_inside_a_function():
    _, imports = _read_all()
    # An app's ready() importing its own modules (to register event codes) is Django's way.
    hidden = [
        f"{i.source}:{i.line} imports {i.target} inside a function"
        for i in imports
        if i.in_function
        and _app(i.target) in FLOORS
        and not (i.source.endswith(".apps") and _app(i.target) == _app(i.source))
    ]
    assert not hidden, "\n".join(hidden)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_files_import_each_other_in_a_circle():
    modules, imports = _read_all()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for i in imports:
        target = _target_module(i.target, modules)
        if target and target != i.source and not i.type_checking_only and not i.in_function:
            graph[i.source].add(target)
    # A package's __init__ handing on its submodules' names is not a circle of logic.
    for module in modules:
        if modules[module].name == "__init__.py":
            graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    circles = _cycles(graph)
    assert not circles, "Files importing each other:\n" + "\n".join(" ↔ ".join(c) for c in circles)


def test_modules_and_functions_stay_small():
    too_big = []
    for module, path in _modules():
        source = path.read_text()
        if len(source.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{module}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_big.append(f"{module}.{node.name}: {length} lines")
    assert not too_big, "Over the size limits:\n" + "\n".join(too_big)
