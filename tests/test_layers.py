"""The layers of ``sim/`` (docs/architecture.md): a package imports only from its own layer or
below, and no module imports itself back through others (no import cycle), counting imports
inside functions too — a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SIM = Path(__file__).resolve().parents[1] / "sim"

# Lowest first. A package may import from its own layer and the layers before it.
LAYERS: tuple[frozenset[str], ...] = (
    # leaves
    frozenset({"units", "rng", "physiology", "agents", "actions", "action_text", "labels"}),
    frozenset({"scenario"}),  # the case file: models, strict YAML, plans
    frozenset({"anatomy"}),  # the tree built from the case
    frozenset({"flow"}),  # pressures and flows on the compiled tree
    frozenset({"transport"}),  # particles and contrast carried by the flow
    frozenset({"outcome"}),  # dose, response, score from a final state
    frozenset({"engine"}),  # the procedure: actions in, events out
    frozenset({"records"}),  # the store, replay, what-if
    frozenset({"render"}),  # pygame drawing of the state
    frozenset({"ui"}),  # widgets and input
    frozenset({"app"}),  # scenes, CLI, kiosk, report
)
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imported(path: Path, known: dict[str, Path]) -> set[str]:
    """The ``sim`` modules a file imports (absolute or relative, anywhere in the file)."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        out |= {t for t in targets if t in known and t != mod}
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imported(p, known) for m, p in known.items()}


def top_package(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_every_package_has_a_layer():
    missing = {top_package(m) for m in modules() if m != "sim"} - set(LAYER_OF)
    assert not missing, f"packages with no layer in LAYERS: {sorted(missing)}"


def test_no_import_from_a_higher_layer():
    upward = [
        f"{m} -> {t}"
        for m, targets in graph().items()
        if m != "sim"
        for t in targets
        if t != "sim" and LAYER_OF[top_package(t)] > LAYER_OF[top_package(m)]
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(sorted(upward))


def test_no_import_cycle():
    g = nx.DiGraph([(m, t) for m, targets in graph().items() for t in targets])
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert cycles == [], cycles


def test_the_walk_sees_lazy_and_relative_imports():
    g = graph()
    assert "sim.app.scenes.procedure" in g["sim.app.scenes.registry"]
    assert "sim.app.scenes.registry" in g["sim.app.window"]  # imported inside a function


# pygame lives in few places (docs/architecture.md): drawing in sim/render, typed inputs and the
# pygame_gui adapter in sim/ui, and the two app loops that own the display.
PYGAME_ALLOWED = {
    "sim.ui.inputs": {"pygame", "pygame_gui"},  # events in, typed inputs out
    "sim.ui.widgets": {"pygame_gui"},  # the widgets and their theme
    "sim.app.window": {"pygame"},  # the window's display and loop
    "sim.app.kiosk.app": {"pygame"},  # the booth's display and loop
}


def gui_imports(path: Path) -> set[str]:
    """``pygame`` / ``pygame_gui`` when the file imports them (or a submodule), anywhere."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        out |= {n.split(".")[0] for n in names if n.split(".")[0] in ("pygame", "pygame_gui")}
    return out


def allowed_gui(module: str) -> set[str]:
    if module == "sim.render" or module.startswith("sim.render."):
        return {"pygame"}
    return PYGAME_ALLOWED.get(module, set())


def test_pygame_is_imported_only_by_render_inputs_widgets_and_the_app_loops():
    found = {m: gui_imports(p) for m, p in modules().items()}
    extra = sorted(
        f"{m} imports {sorted(libs - allowed_gui(m))}"
        for m, libs in found.items()
        if libs - allowed_gui(m)
    )
    assert not extra, "pygame outside its places:\n" + "\n".join(extra)
    users = {m for m, libs in found.items() if libs}
    assert set(PYGAME_ALLOWED) <= users  # the list names real importers, not stale ones
    assert gui_imports(SIM / "app" / "scenes" / "procedure.py") == set()


def test_the_pygame_check_sees_lazy_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from pygame import Rect\n    import pygame_gui.elements\n")
    assert gui_imports(f) == {"pygame", "pygame_gui"}


# Small modules and functions (the house style, issue 10): none above these.
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def long_functions(path: Path) -> list[str]:
    """``name (lines)`` of each function or method in the file longer than the limit, nested
    ones included, counted from its ``def`` line to its last line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            n = node.end_lineno - node.lineno + 1
            if n > MAX_FUNCTION_LINES:
                out.append(f"{node.name} ({n} lines)")
    return out


def test_no_module_above_450_lines():
    long = sorted(
        f"{m}: {n} lines"
        for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    )
    assert not long, f"modules above {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def test_no_function_above_80_lines():
    long = sorted(f"{m}.{f}" for m, p in modules().items() for f in long_functions(p))
    assert not long, f"functions above {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_length_check_sees_methods_and_nested_functions(tmp_path):
    f = tmp_path / "m.py"
    body = "".join("    x = 1\n" for _ in range(80))
    f.write_text(
        f"def short():\n{body[: 79 * 10]}"  # 80 lines in all: allowed
        f"class C:\n    def method(self):\n{body.replace('    ', '        ')}"
        f"def outer():\n    def inner():\n{body.replace('    ', '        ')}    return inner\n"
    )
    found = sorted(long_functions(f))
    assert found == ["inner (81 lines)", "method (81 lines)", "outer (83 lines)"]
