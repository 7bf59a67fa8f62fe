"""The package's shape, checked on its source (AST), not on conventions.

- Data flows one way through the layers of :data:`LAYERS`: a module imports only from its own layer or
  the layers before it, and the module graph has no cycle.
- No imports inside functions (they hide dependencies from this test and from readers).
- Only the loading layers open input files.
- No function in ``siting/`` is longer than 80 lines.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "siting"

#: Layers, first to last. ``errors`` and ``scenario`` are shared vocabulary; ``io`` reads external file
#: formats; ``features`` is pure domain functions (physics, tariffs, permitting, time, geometry, candidate
#: generation from loaded layers); ``data`` loads the dataset; ``model`` turns it into the MILP's contract
#: and builds and solves it; ``plotting`` draws tables; ``results`` makes plan tables and files (and offers
#: the plotting as methods); ``api`` and ``cli`` drive the whole.
LAYERS = (
    "siting.errors",
    "siting.scenario",
    "siting.io",
    "siting.features",
    "siting.data",
    "siting.model",
    "siting.plotting",
    "siting.results",
    "siting.api",
    "siting.analysis",
    "siting.cli",
    "siting",
)

#: Modules that may read input files, and why.
READERS = {
    "siting.io": "readers of external formats (HIFLD, EIA-860, ERA5, rasters, parcels)",
    "siting.data": "loads the dataset and the map context",
    "siting.scenario": "reads the scenario YAML",
    "siting.results.plan": "BuildPlan.load reads a saved plan back",
    "siting.results.check": "verifies the plan files on disk",
    "siting.analysis.sweep": "reads a variations YAML and resumes from its own sweep table",
    "siting.plotting.maps": "inlines the vendored Leaflet JS/CSS (package assets, not input data) for offline maps",
}
READ_CALLS = {"read_csv", "read_file", "open_dataset", "read_parquet", "read_text", "read_bytes", "safe_load"}
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = (path, ast.parse(path.read_text(), filename=str(path)))
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name][0].name == "__init__.py"


def _imported(name: str, tree: ast.Module) -> set[str]:
    """``siting`` modules imported at module level by ``name`` (relative imports resolved)."""
    base = name if _is_package(name) else name.rsplit(".", 1)[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "siting"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root = base.split(".")
                root = root[: len(root) - (node.level - 1)]
                mod = ".".join([*root, node.module] if node.module else root)
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "siting":
                continue
            submodules = {f"{mod}.{a.name}" for a in node.names} & set(MODULES)
            found |= submodules
            if node.module or len(submodules) < len(node.names):  # names taken from the module itself
                found.add(mod)
    return {m for m in found if m in MODULES and m != name}


def _layer(name: str) -> int:
    best = max((lay for lay in LAYERS if name == lay or name.startswith(lay + ".")), key=len)
    return LAYERS.index(best)


def _graph() -> dict[str, set[str]]:
    """Module → the ``siting`` modules it imports at module level."""
    return {name: _imported(name, tree) for name, (_, tree) in MODULES.items()}


def test_layers_import_only_backwards():
    wrong = [
        f"{a} ({LAYERS[_layer(a)]}) imports {b} ({LAYERS[_layer(b)]})"
        for a, deps in _graph().items()
        for b in deps
        if _layer(b) > _layer(a)
    ]
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_module_graph_is_a_dag():
    try:
        graphlib.TopologicalSorter(_graph()).prepare()
    except graphlib.CycleError as err:
        pytest.fail(f"import cycle: {' -> '.join(err.args[1])}")


def _functions(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_imports_inside_functions():
    inner = [
        f"{path.relative_to(PACKAGE.parent)}:{sub.lineno} in {fn.name}(): {ast.unparse(sub)}"
        for path, tree in MODULES.values()
        for fn in _functions(tree)
        for sub in ast.walk(fn)
        if isinstance(sub, ast.Import | ast.ImportFrom)
    ]
    assert not inner, "imports inside functions:\n" + "\n".join(inner)


def test_no_long_functions():
    long = [
        f"{path.relative_to(PACKAGE.parent)}:{fn.lineno} {fn.name}() has {fn.end_lineno - fn.lineno + 1} lines"
        for path, tree in MODULES.values()
        for fn in _functions(tree)
        if fn.end_lineno - fn.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def _reads_files(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in READ_CALLS:
            lines.append(node.lineno)
        elif isinstance(f, ast.Name) and f.id == "open":
            lines.append(node.lineno)
        elif isinstance(f, ast.Attribute) and f.attr == "open" and ast.unparse(f.value) in {"rasterio", "xr"}:
            lines.append(node.lineno)
    return lines


def test_only_loading_layers_read_files():
    allowed = tuple(READERS)
    readers = [
        f"{name}:{line}"
        for name, (_, tree) in MODULES.items()
        if not any(name == a or name.startswith(a + ".") for a in allowed)
        for line in _reads_files(tree)
    ]
    assert not readers, "files read outside the loading layers:\n" + "\n".join(readers)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..data.load import Dataset", {"siting.data.load"}),
        ("from . import timing", {"siting.features.timing"}),
        ("from .. import plotting", {"siting.plotting"}),
        ("from . import timing, EPSG", {"siting.features", "siting.features.timing"}),
        ("from siting.io import read_parcels", {"siting.io"}),
    ],
)
def test_relative_imports_are_resolved(source, expected):
    """The checker itself: ``siting.features.geo`` importing these resolves to ``expected`` (a checker that
    resolved nothing would pass every layer test)."""
    tree = ast.parse(source)
    assert _imported("siting.features.geo", tree) == expected
