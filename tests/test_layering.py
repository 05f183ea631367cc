"""The rooms say what they hold: modules import each other in layers, with no cycle,
no import inside a function to dodge one, and no other package's private names."""
from __future__ import annotations

import ast
import pathlib

import compgraph

SRC = pathlib.Path(compgraph.__file__).parent
PKG = "compgraph"
# Lower layers first: a package may import only from packages before it (or itself).
LAYERS = ["ops", "array_api", "grad_mode", "autodiff", "array_methods", "tensor", "functions",
          "variable", "random", "torch_methods", "gradcheck", "viz", "static", "explain", "tape", "transforms",
          "custom", "linalg", "fft", "signal", "special", "stats", "tfmath", "tf_module", "batched", "autograd", "distributed", "data", "nn", "tf_linalg", "tf_random", "image", "tf_names", "lax", "jax_config", "jax_names", "tree_util", "numpy", "scipy", "extend", "misc", "hips_names", "optim", "cli", "__init__", "__main__"]
OPTIONAL = {"graphviz", "onnx"}  # optional dependencies, imported where they are used


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        yield ".".join([PKG, *parts]), path, is_pkg


def _resolve(mod: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _edges():
    known = {m for m, _, _ in _modules()}
    edges: dict[str, set] = {}
    for mod, path, is_pkg in _modules():
        out = edges.setdefault(mod, set())
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                target = _resolve(mod, is_pkg, node)
                if not target.startswith(PKG):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    out.add(sub if sub in known else target)
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name.startswith(PKG)}
    return edges


def _layer(mod: str) -> int:
    parts = mod.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS.index(top)


def test_every_module_has_a_layer():
    for mod, _, _ in _modules():
        assert _layer(mod) >= 0, mod


def test_packages_import_only_downward():
    bad = []
    for mod, targets in _edges().items():
        for t in targets:
            if t != PKG and _layer(t) > _layer(mod):
                bad.append(f"{mod} imports {t}")
    assert not bad, "\n".join(sorted(bad))


def test_no_import_cycle():
    edges = _edges()
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(sorted(edges.get(start, ()))))]
        state[start] = 1
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            elif not state.get(nxt) and nxt in edges:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))


def test_no_import_inside_functions():
    bad = []
    for mod, path, _ in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import):
                        names = {a.name.split(".")[0] for a in inner.names}
                    elif isinstance(inner, ast.ImportFrom):
                        names = {"compgraph" if inner.level else (inner.module or "").split(".")[0]}
                    else:
                        continue
                    if names - OPTIONAL:
                        bad.append(f"{mod}.{node.name}: imports {sorted(names)}")
    assert not bad, "\n".join(bad)


def test_no_private_names_of_another_package():
    bad = []
    for mod, path, is_pkg in _modules():
        pkg = mod if is_pkg else mod.rsplit(".", 1)[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.level:
                target = _resolve(mod, is_pkg, node)
                tpkg = target if target.count(".") < 2 else target.rsplit(".", 1)[0]
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__") and \
                            not (tpkg == pkg or target.startswith(pkg + ".") or target == pkg):
                        bad.append(f"{mod} imports {target}.{a.name}")
    assert not bad, "\n".join(bad)


def test_every_all_is_true():
    """Each module's ``__all__`` names what it defines for others, and nothing it lacks."""
    import importlib
    import inspect
    import pkgutil

    bad = []
    for m in pkgutil.walk_packages(compgraph.__path__, "compgraph."):
        if m.name.endswith("__main__"):
            continue
        mod = importlib.import_module(m.name)
        names = getattr(mod, "__all__", None)
        if names is None:
            bad.append(f"{m.name}: no __all__")
            continue
        bad += [f"{m.name}: __all__ names {n}, which it lacks" for n in names if not hasattr(mod, n)]
        for n, v in vars(mod).items():
            if not n.startswith("_") and n not in names and \
                    (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == m.name:
                bad.append(f"{m.name}: defines {n} but leaves it out of __all__")
    assert not bad, "\n".join(bad)
