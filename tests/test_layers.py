"""The package's layers, read from the source: cli > tui > services > model.

A lower layer never imports an upper one (at module level or inside a function),
the CLI and the model have no import cycles, and every module imports on its own.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sadtui

pytestmark = pytest.mark.unit

SRC = Path(sadtui.__file__).parent
LAYERS = ["model", "services", "tui", "cli"]  # each may import only those before it
# Top-level modules: the launcher and `python -m sadtui` may import anything;
# gcpause and the version are imported from every layer.
TOP_ANY = {"sadtui.launch", "sadtui.__main__"}


def _module_name(file: Path) -> str:
    parts = list(file.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(f): f for f in sorted(SRC.rglob("*.py"))}


def _imports(name: str, file: Path) -> set[str]:
    """Every sadtui module `file` imports, wherever the import statement is."""
    found: set[str] = set()
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return {m for m in found if m in MODULES and m != name}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


class _Graph(dict):
    """Module -> the sadtui modules it imports, each read when first asked for (not while
    collecting: every xdist worker collects, and few of them run these tests)."""

    def __missing__(self, name: str) -> set[str]:
        found = self[name] = _imports(name, MODULES[name])
        return found


GRAPH = _Graph()


def test_the_modules_are_found():
    for name in ("sadtui.cli.main", "sadtui.cli.play", "sadtui.cli.doctor", "sadtui.cli.common",
                 "sadtui.model.playlist", "sadtui.services.engine", "sadtui.tui.app"):
        assert name in MODULES
    assert "sadtui.model.playlist_cache" in GRAPH["sadtui.model.playlist"]  # the reader sees imports


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_an_upper_layer(name):
    own = _layer(name)
    if name in TOP_ANY:
        return
    for target in sorted(GRAPH[name]):
        other = _layer(target)
        if own is None:  # sadtui/__init__.py, gcpause: the top imports no layer at all
            assert other is None, f"{name} imports {target}"
        elif other is not None:
            assert other <= own, f"{name} ({LAYERS[own]}) imports {target} ({LAYERS[other]})"


def _cycle_from(start: str, within: str) -> list[str] | None:
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for target in GRAPH[node]:
            if not target.startswith(within):
                continue
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


@pytest.mark.parametrize("package", ["sadtui.cli", "sadtui.model"])
def test_no_import_cycles(package):
    for name in MODULES:
        if name.startswith(package):
            cycle = _cycle_from(name, package)
            assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"sadtui.__main__"}))
def test_every_module_imports(name):
    importlib.import_module(name)
