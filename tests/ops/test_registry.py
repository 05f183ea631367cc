"""The registry is the single source of truth: every op (and composite) is reachable
from every front end, or says on its declaration why not; and no other module keeps
a table of op names."""
from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

import compgraph as cg
from compgraph import cli
from compgraph.ops.registry import OPS, PUBLIC, fronts, front_for_numpy
from compgraph.ops.spec import Absent, Onnx

SRC = pathlib.Path(cg.__file__).parent
BUILTIN = sorted((n, o) for n, o in OPS.items() if o.builtin)
FRONTS = [f for f in fronts() if f.op is None or f.op.builtin]


def _reason(front, key):
    why = front.absent.get(key)
    assert why and why.strip(), f"{front.name}: {key} neither declared nor opted out with a reason"
    return why


@pytest.mark.parametrize("front", FRONTS, ids=lambda f: f.name)
def test_public_names_methods_numpy_cli(front):
    # cg.<name>
    if front.names:
        for n in front.names:
            f = getattr(cg, n)
            # the function itself, or (functions taking axis) its adaptor to PyTorch's
            # dim=/keepdim= (torch_methods.DIM_FUNCTIONS) around it
            assert f is front.function or f.__wrapped__ is front.function, n
            assert PUBLIC[n] is front
    else:
        _reason(front, "names")
    assert callable(front.function), front.name
    # Tensor and static-graph methods
    if front.methods:
        for m in front.methods:
            assert hasattr(cg.Tensor, m.name) and hasattr(cg.Symbol, m.name), m.name
    else:
        _reason(front, "method")
    # NumPy's functions answer to it
    if front.numpy:
        for f in front.numpy:
            assert front_for_numpy(f) is front, f
    else:
        _reason(front, "numpy")
    # the command line
    if front.cli:
        if front.symbol is None:
            assert front.names[0] in cli.functions()
    else:
        _reason(front, "cli")
    # Python operators
    for d in front.operators:
        assert d in cg.Tensor.__dict__ or d in cg.Tensor.__mro__[2].__dict__, d


@pytest.mark.parametrize("name,op", BUILTIN, ids=[n for n, _ in BUILTIN])
def test_every_op_declares_each_interpreter(name, op):
    assert op.front is not None and op.front.op is op
    assert op.shape_rule is not None and op.dtype_rule is not None
    assert op.doc, f"{name}: no doc (it becomes the public function's docstring)"
    # compiled code: an expression, or a call of the forward (always possible)
    assert op.codegen is not None and isinstance(op.codegen.fresh, bool)
    # ONNX: a translation or the reason there is none
    assert isinstance(op.onnx, (Onnx, Absent)), name
    if isinstance(op.onnx, Absent):
        assert op.onnx.reason.strip()
    if op.vjp is None:
        return
    # the explainer: one local-derivative text per input
    assert op.deriv is not None and (op.variadic or len(op.deriv) == op.nargs), name
    # forward mode: a rule, derived or written (linear ops apply themselves)
    assert op.jvp is not None or op.linear, name
    # batched forward mode: elementwise, a batch rule, or the reason it loops
    assert op.elementwise or callable(op.batch) or isinstance(op.batch, Absent), name


def _unary_cases():
    x = np.array([[0.3, -1.2, 2.5], [0.7, 1.1, -0.4]])
    for name, op in BUILTIN:
        f = op.front
        if op.nargs == 1 and f.prepare is None and not op.attr_names and f.numpy:
            yield name, op, x


@pytest.mark.parametrize("name,op,x", list(_unary_cases()), ids=lambda v: v if
                         isinstance(v, str) else "")
def test_elementwise_dispatch_matches_the_forward(name, op, x):
    """np.<ufunc>(t), cg.<name>(t) and t.<method>() all run the op."""
    t = cg.tensor(x)
    want = op.forward(x)
    with np.errstate(all="ignore"):
        for f in op.front.numpy:
            r = f(t)
            assert isinstance(r, cg.Tensor)
            np.testing.assert_array_equal(r.numpy(), want)
        for n in op.front.names:
            np.testing.assert_array_equal(getattr(cg, n)(t).numpy(), want)
        for m in op.front.methods:
            if not m.name.startswith("__") and not m.prop:
                np.testing.assert_array_equal(getattr(t, m.name)().numpy(), want)


def test_binary_operators_and_ufuncs_run_their_op():
    a, b = np.array([1.5, -2.0, 3.0]), np.array([0.5, 4.0, -1.0])
    ta, tb = cg.tensor(a), cg.tensor(b)
    for name, op in BUILTIN:
        f = op.front
        if op.nargs != 2 or f.prepare is not None or op.attr_names:
            continue
        want = op.forward(a, b)
        for d in f.operators:
            r = getattr(ta, d)(tb) if not d.startswith("__r") else getattr(tb, d)(ta)
            np.testing.assert_array_equal(np.asarray(r), want, err_msg=f"{name} {d}")
        for u in f.numpy:
            np.testing.assert_array_equal(np.asarray(u(ta, b)), want, err_msg=name)
            np.testing.assert_array_equal(np.asarray(u(a, tb)), want, err_msg=name)


# ------------------------------------------------------------------ no side tables
def _op_names():
    return {n for n, o in OPS.items() if o.builtin}


def _literal_strings(node):
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant)
                and isinstance(k.value, str)]
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)
                and isinstance(e.value, str)]
    return []


def test_no_module_keeps_a_table_of_op_names():
    """Outside the op declarations, no literal (dict, set, tuple, list) names three or
    more ops: the front ends read the declarations instead."""
    ops = _op_names()
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parent.name == "ops":
            continue
        text = path.read_text()
        lines = text.splitlines()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            names = [s for s in _literal_strings(node) if s in ops]
            # (a line may say its strings are other things' names: MPI's reductions)
            if len(set(names)) >= 3 and "not compgraph ops" not in lines[node.lineno - 1]:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: {sorted(set(names))}")
    assert not offenders, "\n".join(offenders)


def _about_an_op(node):
    """A comparison whose operand is an op or a node's op (``n.op``, ``op.name``, ``op``)."""
    for c in [node.left, *node.comparators]:
        if isinstance(c, ast.Attribute) and c.attr in ("op", "name", "label"):
            return True
        if isinstance(c, ast.Name) and c.id in ("op", "op_name", "name"):
            return True
    return False


def test_no_chain_compares_a_node_with_several_op_names():
    """``if op == "add" ... elif op == "sum"``: a chain over op names is a table too."""
    ops = _op_names()
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parent.name == "ops":
            continue
        for fn in ast.walk(ast.parse(path.read_text())):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            compared = set()
            for node in ast.walk(fn):
                if isinstance(node, ast.Compare) and _about_an_op(node):
                    for c in [node.left, *node.comparators]:
                        compared |= {s for s in [getattr(c, "value", None)] if s in ops}
                        compared |= {s for s in _literal_strings(c) if s in ops}
            if len(compared) >= 3:
                offenders.append(f"{path.relative_to(SRC)}:{fn.name}: {sorted(compared)}")
    assert not offenders, "\n".join(offenders)


def test_a_declaration_with_too_few_jvp_rules_is_refused():
    from compgraph.ops import defop

    with pytest.raises(ValueError, match="2 JVP rules for 3 inputs"):
        defop(
            "bad_jvp_arity",
            lambda x, y, z: x + y + z,
            vjp=(lambda ns, g, out, x, y, z: g,) * 3,
            jvp=(lambda ns, t, out, x, y, z: t,) * 2,
        )
    assert "bad_jvp_arity" not in cg.ops.OPS
