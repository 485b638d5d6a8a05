"""The import layers of docs/architecture.md hold: no module imports from a layer above its own,
and no modules import each other in a circle (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "brainfuse"

#: Layer of each top-level part of the package (docs/architecture.md), bottom first.
LAYERS = {
    "errors": 1,
    "rounding": 1,
    "color": 2,
    "clikit": 2,
    "_extras": 2,
    "io": 3,
    "registry": 3,
    "registration": 4,
    "metrics": 4,
    "models": 4,
    "phantom": 4,
    "pair": 5,
    "fusion": 6,
    "viz": 7,
    "__init__": 7,  # the package's facade re-exports the core
    "bench": 8,
    "web": 8,
    "demo": 8,
    "navigation": 8,
    "quality": 8,
    "segmentation": 8,
    "signals": 8,
    "cli": 9,
    "__main__": 9,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every brainfuse module ``path`` imports, at module level or inside a function
    (``from package import module`` counts as the module, not the package)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("brainfuse")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith("brainfuse"):
                subs = {f"{module}.{a.name}" for a in node.names} & modules
                found |= subs if len(subs) == len(node.names) else subs | {module}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        graph[name] = {m for m in _imports(path, set(files)) if m in files and m != name}
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS[top]


def test_every_part_of_the_package_has_a_layer():
    tops = {p.name.removesuffix(".py") for p in SRC.iterdir() if p.suffix == ".py" or p.is_dir()}
    tops -= {"__pycache__", "py.typed"}
    assert tops <= set(LAYERS), (
        f"parts without a layer in docs/architecture.md: {tops - set(LAYERS)}"
    )


def test_no_import_runs_back_up():
    up = [
        f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)})"
        for m, targets in _graph().items()
        for t in targets
        if _layer(t) > _layer(m) and not m.endswith(".cli")
    ]
    assert not up, "\n".join(up)


def test_package_command_modules_import_no_command_module_above_them():
    up = [
        f"{m} imports {t}"
        for m, targets in _graph().items()
        if m.endswith(".cli")
        for t in targets
        if t == "brainfuse.cli" or (_layer(t) > _layer(m) and m != "brainfuse.cli")
    ]
    assert not up, "\n".join(up)


def test_no_circle_of_imports():
    graph = _graph()
    seen: dict[str, int] = {}
    stack: list[str] = []
    circles: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                circles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert not circles, "\n".join(circles)
