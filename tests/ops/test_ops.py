"""Every public op: finite-difference gradchecks, PyTorch parity (values and
gradients), dtypes, NumPy interop and error messages.

The core of the file is ``CASES``: one entry per (op, shapes, arguments), each
with a compgraph expression and the same expression written with torch.  Three
tests run over the whole table:

* ``test_gradcheck``: ``cg.gradcheck`` in float64;
* ``test_matches_torch``: values and gradients (random upstream gradient)
  against torch==2.13.0 in float64;
* ``test_float32_end_to_end``: float32 inputs give float32 outputs and
  float32 gradients, close to the float64 results.

The tests after the table cover the PyTorch tie-breaking conventions, indexing
with repeated indices, comparisons, dtype promotion, interop and errors.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest

import compgraph as cg
from helpers import case_inputs, make_input, optional_torch, stable_seed

torch = optional_torch()  # the torch tests call pytest.importorskip("torch"); the lambdas use this name


@dataclass(frozen=True)
class Case:
    cg_fn: Callable[..., Any]
    th_fn: Callable[..., Any]
    specs: tuple  # ((kind, shape), ...): one per differentiable input
    gc: dict = field(default_factory=dict)  # extra gradcheck keyword arguments
    f32: bool = True  # whether float32 inputs must give a float32 output
    rtol: float = 1e-6


CASES: list = []


def add_case(id_: str, cg_fn, th_fn, specs, **kw) -> None:
    CASES.append(pytest.param(Case(cg_fn, th_fn, tuple(specs), **kw), id=id_))


def inputs_for(case_id: str, case: Case, dtype=np.float64) -> list:
    return case_inputs(case_id, case.specs, dtype)


def _fmt(shape) -> str:
    return "x".join(map(str, shape)) if shape else "0d"


# ------------------------------------------------------------ elementwise binary
BCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)),
         ((), (3, 4)), ((3, 4), ()), ((2, 3, 4), (3, 1)), ((5,), (5,))]
BINARY = {
    "add": (cg.add, lambda a, b: torch.add(a, b), "any", "any"),
    "subtract": (cg.subtract, lambda a, b: torch.sub(a, b), "any", "any"),
    "multiply": (cg.multiply, lambda a, b: torch.mul(a, b), "any", "any"),
    "divide": (cg.divide, lambda a, b: torch.div(a, b), "any", "nz"),
    "power": (cg.power, lambda a, b: torch.pow(a, b), "pos", "any"),
    "maximum": (cg.maximum, lambda a, b: torch.maximum(a, b), "grid0", "grid1"),
    "minimum": (cg.minimum, lambda a, b: torch.minimum(a, b), "grid1", "grid0"),
}
for _name, (_f, _t, _k1, _k2) in BINARY.items():
    for _s1, _s2 in BCAST:
        add_case(f"{_name}-{_fmt(_s1)}-{_fmt(_s2)}", _f, _t, [(_k1, _s1), (_k2, _s2)])

# ------------------------------------------------------------ elementwise unary
UNARY = {
    "negative": (cg.negative, lambda a: torch.neg(a), "any"),
    "exp": (cg.exp, lambda a: torch.exp(a), "any"),
    "log": (cg.log, lambda a: torch.log(a), "pos"),
    "sqrt": (cg.sqrt, lambda a: torch.sqrt(a), "pos"),
    "sin": (cg.sin, lambda a: torch.sin(a), "any"),
    "cos": (cg.cos, lambda a: torch.cos(a), "any"),
    "tan": (cg.tan, lambda a: torch.tan(a), "small"),
    "tanh": (cg.tanh, lambda a: torch.tanh(a), "any"),
    "sigmoid": (cg.sigmoid, lambda a: torch.sigmoid(a), "any"),
    "relu": (cg.relu, lambda a: torch.relu(a), "nz"),
    "abs": (cg.abs, lambda a: torch.abs(a), "nz"),
}
for _name, (_f, _t, _k) in UNARY.items():
    for _s in [(), (5,), (3, 4), (2, 3, 4)]:
        add_case(f"{_name}-{_fmt(_s)}", _f, _t, [(_k, _s)])
add_case("sigmoid-large", lambda x: cg.sigmoid(x * 30.0), lambda x: torch.sigmoid(x * 30.0),
         [("any", (3, 4))])
add_case("exp-log-chain", lambda x: cg.log(cg.exp(x) + cg.sqrt(x * x + 1.0)),
         lambda x: torch.log(torch.exp(x) + torch.sqrt(x * x + 1.0)), [("any", (2, 3))])

# ------------------------------------------------------------ clip / where
for _lo, _hi in [(-0.5, 0.5), (None, 0.5), (-0.5, None)]:
    for _s in [(), (7,), (3, 4)]:
        add_case(f"clip-{_lo}-{_hi}-{_fmt(_s)}",
                 lambda x, lo=_lo, hi=_hi: cg.clip(x, lo, hi),
                 lambda x, lo=_lo, hi=_hi: torch.clamp(x, lo, hi), [("clip", _s)])

_LO4 = np.array([-0.5, -0.2, 0.0, -1.0])
_HI4 = np.array([0.5, 0.2, 1.0, -0.5])
add_case("clip-array-bounds", lambda x: cg.clip(x, _LO4, _HI4),
         lambda x: torch.clamp(x, torch.from_numpy(_LO4), torch.from_numpy(_HI4)),
         [("grid1", (3, 4))], f32=False)  # float64 bounds promote, as np.clip does

_cond_rng = np.random.default_rng(7)
for _cs, _xs, _ys in [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((3, 1), (), (3, 4)),
                      ((2, 3, 4), (3, 4), ()), ((4,), (3, 4), (4,))]:
    _c = _cond_rng.random(_cs) < 0.5
    add_case(f"where-{_fmt(_cs)}-{_fmt(_xs)}-{_fmt(_ys)}",
             lambda x, y, c=_c: cg.where(c, x, y),
             lambda x, y, c=_c: torch.where(torch.from_numpy(c), x, y),
             [("any", _xs), ("any", _ys)])
add_case("where-python-scalar", lambda x: cg.where(np.array([True, False, True]), x, 0.5),
         lambda x: torch.where(torch.tensor([True, False, True]), x, 0.5), [("any", (2, 3))])
add_case("where-tensor-cond-leaky-relu", lambda x: cg.where(x > 0, x, x * 0.1),
         lambda x: torch.where(x > 0, x, x * 0.1), [("nz", (3, 4))])

# ------------------------------------------------------------ reductions
_RED_TORCH = {"sum": "sum", "mean": "mean", "max": "amax", "min": "amin",
              "logsumexp": "logsumexp"}


def t_reduce(name: str, x, axis, keepdims: bool):
    fn = getattr(torch, _RED_TORCH[name])
    if axis is None:
        dims = tuple(range(x.ndim))
    else:
        dims = axis if isinstance(axis, tuple) else (axis,)
    return fn(x, dim=dims, keepdim=keepdims)


for _name in _RED_TORCH:
    _kind = "distinct" if _name in ("max", "min") else "any"
    for _axis in [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]:
        for _kd in (False, True):
            add_case(f"{_name}-axis{_axis}-keepdims{_kd}",
                     lambda x, n=_name, a=_axis, k=_kd: getattr(cg, n)(x, axis=a, keepdims=k),
                     lambda x, n=_name, a=_axis, k=_kd: t_reduce(n, x, a, k),
                     [(_kind, (2, 3, 4))])
    add_case(f"{_name}-1d", lambda x, n=_name: getattr(cg, n)(x),
             lambda x, n=_name: t_reduce(n, x, None, False), [(_kind, (6,))])
for _name in ("sum", "mean", "max", "min"):
    add_case(f"{_name}-0d", lambda x, n=_name: getattr(cg, n)(x),
             lambda x, n=_name: getattr(torch, _RED_TORCH[n])(x), [("any", ())])
add_case("logsumexp-large", lambda x: cg.logsumexp(x * 1000.0, axis=1),
         lambda x: torch.logsumexp(x * 1000.0, dim=1), [("any", (3, 4))])

# ------------------------------------------------------------ softmax family
for _name, _tn in [("softmax", "softmax"), ("log_softmax", "log_softmax")]:
    for _s, _axis in [((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -1), ((5,), 0)]:
        add_case(f"{_name}-{_fmt(_s)}-axis{_axis}",
                 lambda x, n=_name, a=_axis: getattr(cg, n)(x, axis=a),
                 lambda x, n=_tn, a=_axis: getattr(torch, n)(x, dim=a), [("any", _s)])
    add_case(f"{_name}-default-axis", getattr(cg, _name),
             lambda x, n=_tn: getattr(torch, n)(x, dim=-1), [("any", (3, 4))])
    add_case(f"{_name}-large", lambda x, n=_name: getattr(cg, n)(x * 1000.0),
             lambda x, n=_tn: getattr(torch, n)(x * 1000.0, dim=-1), [("any", (2, 3))])

# ------------------------------------------------------------ linear algebra
for _s1, _s2 in [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (3, 4, 2)),
                 ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((3, 4), (2, 4, 5))]:
    add_case(f"matmul-{_fmt(_s1)}-{_fmt(_s2)}", cg.matmul, lambda a, b: torch.matmul(a, b),
             [("any", _s1), ("any", _s2)])
for _s1, _s2 in [((4,), (4,)), ((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 3)),
                 ((), (3, 4)), ((3, 4), ())]:
    add_case(f"dot-{_fmt(_s1)}-{_fmt(_s2)}", cg.dot,
             lambda a, b: torch.mul(a, b) if a.ndim == 0 or b.ndim == 0 else torch.matmul(a, b),
             [("any", _s1), ("any", _s2)])

for _sx, _out in [((5, 3), 4), ((3,), 4), ((2, 5, 3), 4), ((1, 3), 1)]:
    add_case(f"linear-{_fmt(_sx)}-out{_out}", cg.linear,
             lambda x, w, b: torch.nn.functional.linear(x, w, b),
             [("any", _sx), ("any", (_out, _sx[-1])), ("any", (_out,))])
add_case("linear-no-bias", lambda x, w: cg.linear(x, w),
         lambda x, w: torch.nn.functional.linear(x, w), [("any", (5, 3)), ("any", (4, 3))])
for _sc, _al, _be in [((3, 5), 1.0, 1.0), ((3, 5), -0.5, 2.0), ((5,), 2.0, 1.0),
                      ((3, 1), 1.0, 0.0), ((), 1.0, -1.0)]:
    add_case(f"addmm-{_fmt(_sc)}-a{_al}-b{_be}",
             lambda c, a, b, al=_al, be=_be: cg.addmm(c, a, b, alpha=al, beta=be),
             lambda c, a, b, al=_al, be=_be: torch.addmm(c, a, b, alpha=al, beta=be),
             [("any", _sc), ("any", (3, 4)), ("any", (4, 5))])
for _nm, _f, _tf in [
        ("softplus", cg.softplus, lambda x: torch.nn.functional.softplus(x)),
        ("erf", cg.erf, lambda x: torch.erf(x)),
        ("leaky_relu", lambda x: cg.leaky_relu(x, 0.2),
         lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
        ("elu", lambda x: cg.elu(x, 1.5), lambda x: torch.nn.functional.elu(x, 1.5)),
        ("silu", cg.silu, lambda x: torch.nn.functional.silu(x)),
        ("gelu", cg.gelu, lambda x: torch.nn.functional.gelu(x)),
        ("gelu_tanh", lambda x: cg.gelu(x, "tanh"),
         lambda x: torch.nn.functional.gelu(x, approximate="tanh"))]:
    add_case(f"{_nm}-2x3", _f, _tf, [("any", (2, 3))])
    add_case(f"{_nm}-wide", lambda x, f=_f: f(x * 30.0), lambda x, f=_tf: f(x * 30.0),
             [("any", (4,))])
add_case("log_softmax-two-axes", lambda x: cg.log_softmax(x, axis=(0, 2)),
         lambda x: x - torch.logsumexp(x, dim=(0, 2), keepdim=True), [("any", (2, 3, 4))])

# ------------------------------------------------------------ shapes
for _s, _new in [((3, 4), (2, 6)), ((3, 4), (-1,)), ((3, 4), (4, 1, 3)), ((2, 3, 4), (6, -1)),
                 ((), (1, 1)), ((6,), 6)]:
    add_case(f"reshape-{_fmt(_s)}-{_new}", lambda x, n=_new: cg.reshape(x, n),
             lambda x, n=_new: torch.reshape(x, (n,) if isinstance(n, int) else n),
             [("any", _s)])
for _s, _axes in [((3, 4), None), ((2, 3, 4), None), ((2, 3, 4), (1, 0, 2)),
                  ((2, 3, 4), (-1, 0, 1)), ((2, 3, 4), (2, 0, 1)), ((5,), None)]:
    add_case(f"transpose-{_fmt(_s)}-{_axes}", lambda x, a=_axes: cg.transpose(x, a),
             lambda x, a=_axes: x.permute(*(tuple(range(x.ndim))[::-1] if a is None else a)),
             [("any", _s)])
for _shapes, _axis in [(((2, 3), (4, 3)), 0), (((2, 3), (2, 1), (2, 4)), 1),
                       (((2, 3, 4), (2, 3, 2)), -1), (((2, 3),), 0), (((3,), (5,)), 0)]:
    add_case(f"concatenate-{'-'.join(map(_fmt, _shapes))}-axis{_axis}",
             lambda *xs, a=_axis: cg.concatenate(xs, axis=a),
             lambda *xs, a=_axis: torch.cat(xs, dim=a), [("any", s) for s in _shapes])
for _shapes, _axis in [(((2, 3), (2, 3)), 0), (((2, 3),) * 3, 1), (((2, 3), (2, 3)), -1),
                       (((4,), (4,)), 0), (((), ()), 0)]:
    add_case(f"stack-{'-'.join(map(_fmt, _shapes))}-axis{_axis}",
             lambda *xs, a=_axis: cg.stack(xs, axis=a),
             lambda *xs, a=_axis: torch.stack(xs, dim=a), [("any", s) for s in _shapes])
for _axis in [None, 0, (0, 2), -2]:
    add_case(f"squeeze-axis{_axis}", lambda x, a=_axis: cg.squeeze(x, a),
             lambda x, a=_axis: torch.squeeze(x) if a is None else torch.squeeze(x, a),
             [("any", (1, 3, 1, 4))])


def t_expand_dims(x, axis):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = x.ndim + len(axes)
    for a in sorted(a % nd for a in axes):
        x = x.unsqueeze(a)
    return x


for _s, _axis in [((3, 4), 0), ((3, 4), -1), ((3, 4), (0, 2)), ((), 0), ((3, 4), (0, -1)),
                  ((3, 4), 1)]:
    add_case(f"expand_dims-{_fmt(_s)}-axis{_axis}", lambda x, a=_axis: cg.expand_dims(x, a),
             lambda x, a=_axis: t_expand_dims(x, a), [("any", _s)])
for _s, _a1, _a2 in [((2, 3, 4), 0, 2), ((2, 3, 4), -1, 0), ((3, 4), 0, 1), ((3, 4), 1, 1)]:
    add_case(f"swapaxes-{_fmt(_s)}-{_a1}-{_a2}", lambda x, a=_a1, b=_a2: cg.swapaxes(x, a, b),
             lambda x, a=_a1, b=_a2: torch.swapaxes(x, a, b), [("any", _s)])
for _s, _to in [((3, 1), (2, 3, 4)), ((4,), (3, 4)), ((), (2, 2)), ((1, 4), (3, 4)),
                ((3, 4), (3, 4))]:
    add_case(f"broadcast_to-{_fmt(_s)}-{_fmt(_to)}", lambda x, t=_to: cg.broadcast_to(x, t),
             lambda x, t=_to: torch.broadcast_to(x, t), [("any", _s)])

# astype: float32 intermediates need a coarser finite-difference step.
_COARSE = {"eps": 1e-3, "atol": 1e-3, "rtol": 1e-2}
add_case("astype-float32", lambda x: cg.astype(x, np.float32), lambda x: x.to(torch.float32),
         [("any", (3, 4))], gc=_COARSE, f32=False)
add_case("astype-float32-roundtrip", lambda x: cg.astype(cg.astype(x, "float32") * 2.0, "float64"),
         lambda x: (x.to(torch.float32) * 2.0).to(torch.float64), [("any", (3, 4))], gc=_COARSE,
         f32=False)
add_case("astype-float64-noop", lambda x: cg.astype(x, np.float64) * x,
         lambda x: x.to(torch.float64) * x, [("any", (2, 3))], f32=False)


# ------------------------------------------------------------ indexing
def t_index(idx):
    if isinstance(idx, tuple):
        return tuple(t_index(i) for i in idx)
    if isinstance(idx, list):
        return torch.tensor(idx)
    if isinstance(idx, np.ndarray):
        return torch.from_numpy(idx)
    return idx


_MASK_45 = np.random.default_rng(3).random((4, 5)) < 0.5
INDICES_45 = {
    "int": 1, "neg-int": -1, "slice": slice(1, 3), "col": (slice(None), 2),
    "ellipsis": (Ellipsis, 1), "newaxis": (None, 1), "step": (slice(None, None, 2), slice(1, None)),
    "scalar": (1, 2), "repeated-rows": [0, 0, 1], "2d-int-array": np.array([[0, 1], [1, 0]]),
    "repeated-pairs": ([0, 2, 0], [1, 1, 1]), "int-array-and-slice": (np.array([0, 0]), slice(1, 3)),
    "slice-and-repeated": (slice(None), [3, 3, 0]), "bool-mask": _MASK_45,
    "bool-rows": np.array([True, False, True, True]), "neg-repeated": [-1, -1, 3],
}
for _name, _idx in INDICES_45.items():
    add_case(f"getitem-{_name}", lambda x, i=_idx: x[i], lambda x, i=_idx: x[t_index(i)],
             [("any", (4, 5))])
add_case("getitem-3d-mixed", lambda x: x[:, [0, 0, 2], 1:3], lambda x: x[:, [0, 0, 2], 1:3],
         [("any", (2, 3, 4))])
add_case("getitem-tensor-mask", lambda x: x[x > 0], lambda x: x[x > 0], [("nz", (3, 4))])

# ------------------------------------------------------------ operators (same code for both)
_A34 = np.random.default_rng(11).uniform(0.5, 1.5, (3, 4))
_A4 = np.random.default_rng(12).uniform(0.5, 1.5, (4,))
OPERATOR_EXPRS = [
    ("x+y", lambda x, y: x + y, [("any", (3, 4)), ("any", (4,))]),
    ("x-y", lambda x, y: x - y, [("any", (3, 1)), ("any", (1, 4))]),
    ("x*y", lambda x, y: x * y, [("any", ()), ("any", (3, 4))]),
    ("x/y", lambda x, y: x / y, [("any", (3, 4)), ("nz", (4,))]),
    ("x**y", lambda x, y: x ** y, [("pos", (3, 4)), ("any", (3, 1))]),
    ("x@y", lambda x, y: x @ y, [("any", (3, 4)), ("any", (4, 2))]),
    ("x@y-1d", lambda x, y: x @ y, [("any", (4,)), ("any", (4,))]),
    ("-x", lambda x: -x, [("any", (3, 4))]),
    ("abs(x)", lambda x: abs(x), [("nz", (3, 4))]),
    ("x+2.5", lambda x: x + 2.5, [("any", (3, 4))]),
    ("2.5+x", lambda x: 2.5 + x, [("any", (3, 4))]),
    ("x-1", lambda x: x - 1, [("any", (3, 4))]),
    ("1-x", lambda x: 1 - x, [("any", (3, 4))]),
    ("3*x", lambda x: 3 * x, [("any", (3, 4))]),
    ("x*0.5", lambda x: x * 0.5, [("any", (3, 4))]),
    ("x/4.0", lambda x: x / 4.0, [("any", (3, 4))]),
    ("2.0/x", lambda x: 2.0 / x, [("nz", (3, 4))]),
    ("x**2", lambda x: x ** 2, [("any", (3, 4))]),
    ("x**3", lambda x: x ** 3, [("any", (3, 4))]),
    ("x**1", lambda x: x ** 1, [("any", (3, 4))]),
    ("x**0", lambda x: x ** 0 * x, [("any", (3, 4))]),
    ("x**0.5", lambda x: x ** 0.5, [("pos", (3, 4))]),
    ("x**-1.5", lambda x: x ** -1.5, [("pos", (3, 4))]),
    ("2.0**x", lambda x: 2.0 ** x, [("any", (3, 4))]),
    ("3**x", lambda x: 3 ** x, [("any", (3, 4))]),
    ("x.T", lambda x: x.T, [("any", (3, 4))]),
    ("composite", lambda x, y: (x * y - x / (y * y + 1.0)) ** 2 @ y.T,
     [("any", (3, 4)), ("any", (3, 4))]),
    ("scalar-chain", lambda x: (3 * x + 2) ** 4, [("any", ())]),
    ("reuse", lambda x: x * x + x * 2.0 - x, [("any", (3,))]),
]
for _name, _fn, _specs in OPERATOR_EXPRS:
    add_case(f"op-{_name}", _fn, _fn, _specs)
add_case("op-x.T-1d", lambda x: x.T * x, lambda x: x * x, [("any", (4,))])
add_case("op-x.T-3d", lambda x: x.T, lambda x: x.permute(2, 1, 0), [("any", (2, 3, 4))])

# ndarrays on the left (float64 ndarrays promote float32 tensors, so no f32 check)
for _name, _cgf, _thf, _specs in [
    ("A+x", lambda x: _A34 + x, lambda x: torch.from_numpy(_A34) + x, [("any", (3, 4))]),
    ("A-x", lambda x: _A34 - x, lambda x: torch.from_numpy(_A34) - x, [("any", (4,))]),
    ("A*x", lambda x: _A34 * x, lambda x: torch.from_numpy(_A34) * x, [("any", (3, 1))]),
    ("A/x", lambda x: _A34 / x, lambda x: torch.from_numpy(_A34) / x, [("nz", (3, 4))]),
    ("A**x", lambda x: _A34 ** x, lambda x: torch.from_numpy(_A34) ** x, [("any", (3, 4))]),
    ("A@x", lambda x: _A34 @ x, lambda x: torch.from_numpy(_A34) @ x, [("any", (4, 2))]),
    ("a1d@x", lambda x: _A4 @ x, lambda x: torch.from_numpy(_A4) @ x, [("any", (4, 3))]),
    ("x-A", lambda x: x - _A34, lambda x: x - torch.from_numpy(_A34), [("any", (4,))]),
    ("x**A", lambda x: x ** _A4, lambda x: x ** torch.from_numpy(_A4), [("pos", (3, 4))]),
]:
    add_case(f"op-ndarray-{_name}", _cgf, _thf, _specs, f32=False)

# ------------------------------------------------------------ methods
_perm = lambda x: tuple(range(x.ndim))[::-1]  # noqa: E731
METHOD_EXPRS = [
    ("sum()", lambda x: x.sum(), lambda x: x.sum(), "any"),
    ("sum(axis=1)", lambda x: x.sum(axis=1), lambda x: x.sum(dim=1), "any"),
    ("sum(-1,True)", lambda x: x.sum(-1, True), lambda x: x.sum(-1, True), "any"),
    ("sum(axis=(0,2))", lambda x: x.sum(axis=(0, 2)), lambda x: x.sum(dim=(0, 2)), "any"),
    ("mean()", lambda x: x.mean(), lambda x: x.mean(), "any"),
    ("mean(axis=(0,-1),keepdims)", lambda x: x.mean(axis=(0, -1), keepdims=True),
     lambda x: x.mean(dim=(0, -1), keepdim=True), "any"),
    ("mean(axis=-2)", lambda x: x.mean(axis=-2), lambda x: x.mean(dim=-2), "any"),
    ("max()", lambda x: x.max(), lambda x: x.amax(), "distinct"),
    ("max(axis=-1)", lambda x: x.max(axis=-1), lambda x: x.amax(dim=-1), "distinct"),
    ("max(axis=(1,2),keepdims)", lambda x: x.max(axis=(1, 2), keepdims=True),
     lambda x: x.amax(dim=(1, 2), keepdim=True), "distinct"),
    ("min()", lambda x: x.min(), lambda x: x.amin(), "distinct"),
    ("min(0)", lambda x: x.min(0), lambda x: x.amin(dim=0), "distinct"),
    ("min(axis=(0,-1),keepdims)", lambda x: x.min(axis=(0, -1), keepdims=True),
     lambda x: x.amin(dim=(0, -1), keepdim=True), "distinct"),
    ("reshape(4,6)", lambda x: x.reshape(4, 6), lambda x: x.reshape(4, 6), "any"),
    ("reshape((6,4))", lambda x: x.reshape((6, 4)), lambda x: x.reshape((6, 4)), "any"),
    ("reshape(-1)", lambda x: x.reshape(-1), lambda x: x.reshape(-1), "any"),
    ("reshape(2,-1,3)", lambda x: x.reshape(2, -1, 3), lambda x: x.reshape(2, -1, 3), "any"),
    ("transpose(1,0,2)", lambda x: x.transpose(1, 0, 2), lambda x: x.permute(1, 0, 2), "any"),
    ("transpose((2,0,1))", lambda x: x.transpose((2, 0, 1)), lambda x: x.permute(2, 0, 1), "any"),
    ("transpose()", lambda x: x.transpose(), lambda x: x.permute(*_perm(x)), "any"),
    ("exp()", lambda x: x.exp(), lambda x: x.exp(), "any"),
    ("log()", lambda x: x.log(), lambda x: x.log(), "pos"),
    ("tanh()", lambda x: x.tanh(), lambda x: x.tanh(), "any"),
    ("relu()", lambda x: x.relu(), lambda x: x.relu(), "nz"),
    ("sigmoid()", lambda x: x.sigmoid(), lambda x: x.sigmoid(), "any"),
]
for _name, _cgf, _thf, _kind in METHOD_EXPRS:
    add_case(f"method-{_name}", _cgf, _thf, [(_kind, (2, 3, 4))])


# ============================================================ table-driven tests

@pytest.mark.parametrize("case", CASES)
def test_gradcheck(case: Case, request):
    xs = inputs_for(request.node.callspec.id, case)
    assert cg.gradcheck(case.cg_fn, *xs, **case.gc) is True


def run_cg(fn, arrays, seed: int):
    leaves = [cg.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*leaves)
    assert isinstance(y, cg.Tensor)
    assert y.requires_grad
    g = np.asarray(np.random.default_rng(seed).standard_normal(y.shape), dtype=y.dtype)
    y.backward(g)
    return y, g, leaves


def run_torch(fn, arrays, g):
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*leaves)
    y.backward(torch.tensor(g))
    return y.detach().numpy(), [x.grad for x in leaves]


def assert_matches_torch(cg_fn, th_fn, arrays, rtol=1e-6, atol=1e-12, seed=0):
    y, g, leaves = run_cg(cg_fn, arrays, seed)
    ty, tgrads = run_torch(th_fn, arrays, g)
    assert y.shape == ty.shape
    assert y.dtype == ty.dtype
    np.testing.assert_allclose(y.data, ty, rtol=rtol, atol=atol, err_msg="values")
    for k, (x, tg) in enumerate(zip(leaves, tgrads)):
        assert tg is not None
        assert x.grad is not None, f"input {k} got no gradient"
        assert x.grad.shape == x.shape, f"input {k}: grad shape {x.grad.shape} != {x.shape}"
        assert x.grad.dtype == x.dtype
        np.testing.assert_allclose(x.grad.data, tg.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {k}")


@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case: Case, request):
    pytest.importorskip("torch")
    cid = request.node.callspec.id
    xs = inputs_for(cid, case)
    assert_matches_torch(case.cg_fn, case.th_fn, xs, rtol=case.rtol, seed=stable_seed(cid) + 1)


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0].f32])
def test_float32_end_to_end(case: Case, request):
    cid = request.node.callspec.id
    x64 = inputs_for(cid, case)
    y64, _, l64 = run_cg(case.cg_fn, x64, stable_seed(cid) + 1)
    y32, _, l32 = run_cg(case.cg_fn, [a.astype(np.float32) for a in x64], stable_seed(cid) + 1)
    assert y32.dtype == np.float32, f"float32 inputs gave a {y32.dtype} output"
    np.testing.assert_allclose(y32.data, y64.data, rtol=2e-4, atol=2e-4)
    for k, (a, b) in enumerate(zip(l32, l64)):
        assert a.grad is not None
        assert a.grad.dtype == np.float32, f"input {k}: float32 leaf got a {a.grad.dtype} grad"
        assert a.grad.shape == a.shape
        np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=2e-3, atol=2e-3)


def test_gradcheck_detects_a_wrong_gradient():
    # The gradchecks above are only meaningful if gradcheck can fail.
    with pytest.raises(cg.GradcheckError):
        cg.gradcheck(lambda x: x * cg.stop_gradient(x), np.array([0.5, 1.5]))


def test_every_listed_function_is_covered():
    names = ("add subtract multiply divide power negative matmul dot linear addmm softplus erf leaky_relu elu silu gelu exp log sqrt sin "
             "cos tan tanh sigmoid relu abs maximum minimum where clip sum mean max min reshape "
             "transpose concatenate stack softmax log_softmax logsumexp squeeze expand_dims "
             "swapaxes broadcast_to astype").split()
    ids = [p.id for p in CASES]
    for n in names:
        assert callable(getattr(cg, n))
        assert any(i.startswith(n + "-") for i in ids), f"no case for cg.{n}"


# ============================================================ PyTorch conventions at ties

def _check_exact(cg_fn, arrays, upstream, expected_grads):
    leaves = [cg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    y = cg_fn(*leaves)
    y.backward(np.asarray(upstream, dtype=np.float64))
    for x, e in zip(leaves, expected_grads):
        np.testing.assert_allclose(x.grad.data, np.asarray(e, dtype=np.float64), rtol=0,
                                   atol=1e-15)


TIES = [
    ("max-all", lambda x: cg.max(x), lambda x: torch.amax(x),
     [[[1.0, 3.0, 3.0], [2.0, 3.0, 0.0]]]),
    ("min-all", lambda x: cg.min(x), lambda x: torch.amin(x),
     [[[1.0, 0.0, 3.0], [0.0, 3.0, 0.0]]]),
    ("max-axis1", lambda x: cg.max(x, axis=1), lambda x: torch.amax(x, dim=1),
     [[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 5.0, 5.0]]]),
    ("min-axis0-keepdims", lambda x: cg.min(x, axis=0, keepdims=True),
     lambda x: torch.amin(x, dim=0, keepdim=True), [[[1.0, 3.0, 0.0], [1.0, 2.0, 0.0]]]),
    ("max-axis-tuple", lambda x: cg.max(x, axis=(0, 2)), lambda x: torch.amax(x, dim=(0, 2)),
     [np.array([[[1, 2], [4, 4]], [[2, 1], [4, 0]]], dtype=float)]),
    ("method-max-neg-axis", lambda x: x.max(axis=-1), lambda x: x.amax(dim=-1),
     [[[2.0, 2.0, 2.0, 1.0]]]),
    ("maximum", cg.maximum, lambda *a: torch.maximum(*a), [[1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 3.0, 4.0]]),
    ("minimum", cg.minimum, lambda *a: torch.minimum(*a), [[1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 3.0, 4.0]]),
    ("maximum-broadcast", cg.maximum, lambda *a: torch.maximum(*a),
     [[[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]], [1.0, 1.0, 1.0]]),
    ("minimum-broadcast", cg.minimum, lambda *a: torch.minimum(*a),
     [[[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]], [[1.0], [2.0]]]),
    ("maximum-python-scalar-tie", lambda x: cg.maximum(x, 0.0),
     lambda x: torch.maximum(x, torch.zeros_like(x)), [[-1.0, 0.0, 2.0]]),
    ("relu-at-0", cg.relu, lambda *a: torch.relu(*a), [[-1.0, 0.0, 2.0, 0.0]]),
    ("relu-method-at-0", lambda x: x.relu(), lambda x: x.relu(), [[[0.0, 1.0], [-2.0, 0.0]]]),
    ("abs-at-0", cg.abs, lambda *a: torch.abs(*a), [[-1.0, 0.0, 2.0, -0.0]]),
    ("abs-operator-at-0", lambda x: abs(x), lambda x: abs(x), [[0.0, -3.0]]),
    ("clip-at-bounds", lambda x: cg.clip(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5),
     [[-1.0, -0.5, 0.0, 0.5, 1.0]]),
    ("clip-lo-at-bound", lambda x: cg.clip(x, 0.0, None), lambda x: torch.clamp(x, min=0.0),
     [[-1.0, 0.0, 1.0]]),
    ("clip-hi-at-bound", lambda x: cg.clip(x, None, 0.0), lambda x: torch.clamp(x, max=0.0),
     [[-1.0, 0.0, 1.0]]),
    ("power-zero-base", cg.power, lambda *a: torch.pow(*a), [[0.0, 0.0, 2.0], [2.0, 1.0, 0.5]]),
    ("power-zero-base-zero-exponent", cg.power, lambda *a: torch.pow(*a), [[0.0, 0.0, 2.0], [0.0, 1.0, 0.0]]),
    ("power-int-exponent-at-0", lambda x: x ** 2, lambda x: x ** 2, [[0.0, 1.0, -2.0]]),
    ("power-exponent-0-at-0", lambda x: x ** 0, lambda x: x ** 0, [[0.0, 1.0, -2.0]]),
    ("logsumexp-equal", lambda x: cg.logsumexp(x, axis=1),
     lambda x: torch.logsumexp(x, dim=1), [[[1000.0, 1000.0], [-1000.0, -1000.0]]]),
    ("softmax-equal-large", lambda x: cg.softmax(x, axis=-1), lambda x: torch.softmax(x, dim=-1),
     [[[1000.0, 1000.0, -1000.0], [5.0, 5.0, 5.0]]]),
    ("softmax-masked-inf", lambda x: cg.softmax(x, axis=-1), lambda x: torch.softmax(x, dim=-1),
     [[[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]]]),
    ("log_softmax-masked-inf", lambda x: cg.log_softmax(x, axis=-1),
     lambda x: torch.log_softmax(x, dim=-1), [[[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]]]),
    ("logsumexp-masked-inf", lambda x: cg.logsumexp(x, axis=-1),
     lambda x: torch.logsumexp(x, dim=-1), [[[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]]]),
]


@pytest.mark.parametrize("cg_fn,th_fn,arrays", [pytest.param(*t[1:], id=t[0]) for t in TIES])
def test_ties_follow_torch(cg_fn, th_fn, arrays):
    pytest.importorskip("torch")
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    assert_matches_torch(cg_fn, th_fn, arrays, atol=0, seed=5)


def test_tie_values_explicitly():
    # Independent of torch: the numbers PyTorch gives.
    _check_exact(cg.max, [[[1.0, 3.0, 3.0], [2.0, 3.0, 0.0]]], 1.0,
                 [[[0, 1 / 3, 1 / 3], [0, 1 / 3, 0]]])
    _check_exact(lambda x: cg.max(x, axis=1), [[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]], [1.0, 4.0],
                 [[[0, 0.5, 0.5], [2.0, 2.0, 0]]])
    _check_exact(lambda x: cg.min(x, axis=0), [[[1.0, 0.0], [1.0, 2.0]]], [2.0, 1.0],
                 [[[1.0, 1.0], [1.0, 0.0]]])
    _check_exact(cg.maximum, [[1.0, 2.0, 3.0], [1.0, 0.0, 4.0]], [1.0, 1.0, 1.0],
                 [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]])
    _check_exact(cg.minimum, [[1.0, 2.0, 3.0], [1.0, 0.0, 4.0]], [2.0, 1.0, 1.0],
                 [[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    _check_exact(cg.relu, [[-1.0, 0.0, 2.0]], [1.0, 1.0, 1.0], [[0.0, 0.0, 1.0]])
    _check_exact(cg.abs, [[-1.0, 0.0, 2.0]], [1.0, 1.0, 1.0], [[-1.0, 0.0, 1.0]])
    _check_exact(lambda x: cg.clip(x, -0.5, 0.5), [[-1.0, -0.5, 0.0, 0.5, 1.0]], np.ones(5),
                 [[0.0, 1.0, 1.0, 1.0, 0.0]])


# ============================================================ indexing details

def test_repeated_integer_indices_scatter_add():
    x = cg.tensor(np.arange(4.0), requires_grad=True)
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 1.0, 0.0, 0.0])

    x = cg.tensor(np.arange(4.0), requires_grad=True)
    x[np.array([1, 1, 1, 3])].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [0.0, 6.0, 0.0, 4.0])

    m = cg.tensor(np.zeros((3, 2)), requires_grad=True)
    m[[0, 0, 2], [1, 1, 1]].sum().backward()
    np.testing.assert_array_equal(m.grad.data, [[0, 2], [0, 0], [0, 1]])

    m = cg.tensor(np.zeros((3, 2)), requires_grad=True)
    m[np.array([[0, 0], [2, 0]])].sum().backward()  # rows, repeated
    np.testing.assert_array_equal(m.grad.data, [[3, 3], [0, 0], [1, 1]])

    m = cg.tensor(np.zeros((3, 2)), requires_grad=True)
    m[[-1, 2]].sum().backward()  # -1 and 2 are the same row
    np.testing.assert_array_equal(m.grad.data, [[0, 0], [0, 0], [2, 2]])


def test_basic_and_mask_indexing_gradients():
    x = cg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x[1:, ::2].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]])

    mask = np.array([[True, False, True, False], [False] * 4, [True] * 4])
    x = cg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x[mask]
    np.testing.assert_array_equal(y.data, np.arange(12.0).reshape(3, 4)[mask])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, mask.astype(float))

    x = cg.tensor(np.array([-1.0, 2.0, -3.0, 4.0]), requires_grad=True)
    y = x[x > 0]  # a comparison tensor as the mask
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 4.0, 0.0, 8.0])


def test_index_given_as_tensor_or_list_of_bools():
    x = cg.tensor(np.arange(4.0), requires_grad=True)
    x[cg.tensor([3, 3, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 0.0, 2.0])

    x = cg.tensor(np.arange(4.0), requires_grad=True)
    y = x[[True, False, True, True]]  # a list of bools is a mask, as in NumPy
    np.testing.assert_array_equal(y.data, [0.0, 2.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 1.0, 1.0])

    s = cg.tensor(2.0, requires_grad=True)
    for idx in [(), Ellipsis, None]:
        r = s[idx]
        np.testing.assert_array_equal(r.data, np.asarray(2.0)[idx])
    (s[()] * 3.0).backward()
    np.testing.assert_array_equal(s.grad.data, 3.0)


def test_indexing_values_match_numpy():
    a = np.arange(60.0).reshape(3, 4, 5)
    x = cg.tensor(a)
    for idx in [0, -1, (1, 2), (slice(None), 1), (Ellipsis, 0), (None, 0, slice(1, 3)),
                [2, 0, 2], ([0, 0], [1, 3]), (slice(None), [3, 3], 1), a[..., 0] > 20,
                (1, slice(None, None, -1)), (np.int64(1), 2)]:
        r = x[idx]
        assert isinstance(r, cg.Tensor)
        np.testing.assert_array_equal(r.data, a[idx])


# ============================================================ comparisons

CMPS = [("<", operator.lt), ("<=", operator.le), (">", operator.gt), (">=", operator.ge),
        ("==", operator.eq), ("!=", operator.ne)]


@pytest.mark.parametrize("sym,op", CMPS, ids=[c[0] for c in CMPS])
@pytest.mark.parametrize("other", ["tensor", "tensor_rg", "bcast", "float", "int", "ndarray"])
def test_comparisons(sym, op, other):
    rng = np.random.default_rng(stable_seed(sym + other))
    a = rng.integers(-2, 3, (3, 4)).astype(float)  # small integers: plenty of equal pairs
    x = cg.tensor(a, requires_grad=True)
    b = {"tensor": rng.integers(-2, 3, (3, 4)).astype(float),
         "tensor_rg": rng.integers(-2, 3, (3, 4)).astype(float),
         "bcast": rng.integers(-2, 3, (4,)).astype(float),
         "float": 1.0, "int": 0, "ndarray": rng.integers(-2, 3, (3, 4)).astype(float)}[other]
    if other.startswith("tensor") or other == "bcast":
        o = cg.tensor(b, requires_grad=(other != "tensor"))
    else:
        o = b
    for r, expected in [(op(x, o), op(a, b)), (op(o, x), op(b, a))]:
        assert isinstance(r, cg.Tensor), f"{type(r)} is not a Tensor"
        assert r.dtype == np.bool_
        assert r.requires_grad is False
        np.testing.assert_array_equal(r.data, expected)
    with pytest.raises(RuntimeError):
        op(x, o).backward(np.ones((3, 4)))


def test_comparison_functions_match_operators():
    a = np.array([1.0, 2.0, 3.0])
    x = cg.tensor(a, requires_grad=True)
    for fn, np_fn in [(cg.less, np.less), (cg.less_equal, np.less_equal), (cg.greater, np.greater),
                      (cg.greater_equal, np.greater_equal), (cg.equal, np.equal),
                      (cg.not_equal, np.not_equal)]:
        r = fn(x, 2.0)
        assert not r.requires_grad
        np.testing.assert_array_equal(r.data, np_fn(a, 2.0))


# ============================================================ dtypes

SCALAR_EXPRS = [
    ("x*2.0", lambda x: x * 2.0), ("2.0*x", lambda x: 2.0 * x), ("x+1", lambda x: x + 1),
    ("1-x", lambda x: 1 - x), ("x-0.5", lambda x: x - 0.5), ("x/3.0", lambda x: x / 3.0),
    ("3.0/x", lambda x: 3.0 / x), ("3/x", lambda x: 3 / x), ("x**2", lambda x: x ** 2),
    ("x**0.5", lambda x: x ** 0.5), ("x**-1", lambda x: x ** -1), ("2.0**x", lambda x: 2.0 ** x),
    ("2**x", lambda x: 2 ** x), ("-x", lambda x: -x), ("abs", lambda x: abs(x)),
    ("multiply", lambda x: cg.multiply(x, 2.0)), ("add", lambda x: cg.add(1.5, x)),
    ("subtract", lambda x: cg.subtract(x, 1)), ("divide", lambda x: cg.divide(1.0, x)),
    ("power", lambda x: cg.power(x, 3)), ("power-float-base", lambda x: cg.power(1.5, x)),
    ("maximum", lambda x: cg.maximum(x, 0.1)), ("minimum", lambda x: cg.minimum(0.1, x)),
    ("where", lambda x: cg.where(x > 1.0, x, 0.0)), ("where-scalar-x", lambda x: cg.where(x > 1.0, 2.0, x)),
    ("clip", lambda x: cg.clip(x, 0.7, 1.5)), ("mean", lambda x: x.mean()),
    ("mean-axis", lambda x: cg.mean(x, axis=0)), ("softmax", lambda x: cg.softmax(x)),
    ("log_softmax", lambda x: cg.log_softmax(x, 0)), ("logsumexp", lambda x: cg.logsumexp(x)),
    ("sigmoid", cg.sigmoid), ("relu", cg.relu), ("sqrt", cg.sqrt), ("log", cg.log),
    ("composite", lambda x: ((x - x.mean()) ** 2 / 2.5 + 1e-3).sqrt().sum() * 0.5),
    ("ufunc", lambda x: np.exp(x) * 2.0),
]


NEEDS_AXIS = {"mean-axis", "softmax", "log_softmax"}  # these reduce axis 0 / -1


@pytest.mark.parametrize("shape", [(), (3, 4)], ids=["0d", "3x4"])
@pytest.mark.parametrize("name,fn", SCALAR_EXPRS, ids=[n for n, _ in SCALAR_EXPRS])
def test_python_scalars_keep_float32(name, fn, shape):
    if shape == () and name in NEEDS_AXIS:
        pytest.skip("a 0-d tensor has no axis 0")
    a = np.random.default_rng(1).uniform(0.5, 2.0, shape).astype(np.float32)
    x = cg.tensor(a, requires_grad=True)
    assert x.dtype == np.float32
    y = fn(x)
    assert y.dtype == np.float32, f"a Python scalar promoted float32 to {y.dtype}"
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32
    assert x.grad.shape == x.shape
    ref = cg.tensor(a.astype(np.float64), requires_grad=True)
    yr = fn(ref)
    yr.backward(np.ones(yr.shape))
    np.testing.assert_allclose(y.data, yr.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.data, ref.grad.data, rtol=1e-4, atol=1e-5)


def test_float32_leaf_through_float64_cast_gets_float32_grad():
    x = cg.tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = cg.astype(x, "float64") * 3.0
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


INT_FLOAT = [("int64", "float32"), ("int32", "float32"), ("int16", "float32"), ("int8", "float32"),
             ("uint8", "float32"), ("bool", "float32"), ("int64", "float64"), ("int32", "float64")]
PROMOTING_OPS = [("add", cg.add, np.add), ("subtract", cg.subtract, np.subtract),
                 ("multiply", cg.multiply, np.multiply), ("divide", cg.divide, np.divide),
                 ("maximum", cg.maximum, np.maximum), ("power", cg.power, np.power)]


@pytest.mark.parametrize("idt,fdt", INT_FLOAT, ids=[f"{a}-{b}" for a, b in INT_FLOAT])
@pytest.mark.parametrize("name,fn,np_fn", PROMOTING_OPS, ids=[p[0] for p in PROMOTING_OPS])
def test_int_float_promotion_like_numpy(idt, fdt, name, fn, np_fn):
    ia = np.array([1, 2, 3]).astype(idt)
    fa = np.array([0.5, 1.5, 2.5], dtype=fdt)
    i = cg.tensor(ia)
    x = cg.tensor(fa, requires_grad=True)
    for left, right, np_l, np_r in [(i, x, ia, fa), (x, i, fa, ia)]:
        x.grad = None
        expected = np_fn(np_l, np_r)
        y = fn(left, right)
        assert y.dtype == expected.dtype, f"{name}({np_l.dtype}, {np_r.dtype})"
        np.testing.assert_allclose(y.data, expected, rtol=1e-6)
        assert y.requires_grad
        y.backward(np.ones(3, dtype=y.dtype))
        assert x.grad.dtype == np.dtype(fdt)
        assert i.grad is None


MIXED_FLOAT_OPS = [
    ("add", lambda a, b: a + b), ("multiply", lambda a, b: cg.multiply(a, b)),
    ("divide", lambda a, b: a / b), ("power", lambda a, b: a ** b),
    ("maximum", lambda a, b: cg.maximum(a, b)), ("matmul", lambda a, b: a @ b.T),
    ("concatenate", lambda a, b: cg.concatenate([a, b])), ("stack", lambda a, b: cg.stack([a, b])),
    ("where", lambda a, b: cg.where(np.array([True, False, True]), a, b)),
]


SAME_RANK = {"matmul", "concatenate", "stack"}


@pytest.mark.parametrize("fn", [f for _, f in MIXED_FLOAT_OPS], ids=[n for n, _ in MIXED_FLOAT_OPS])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), ())], ids=["same", "0d-float64"])
def test_float32_with_float64_promotes_and_grads_keep_leaf_dtypes(fn, shapes):
    if shapes[1] == () and fn in [f for n, f in MIXED_FLOAT_OPS if n in SAME_RANK]:
        pytest.skip("needs operands of the same rank")
    rng = np.random.default_rng(2)
    a = cg.tensor(rng.uniform(0.5, 1.5, shapes[0]).astype(np.float32), requires_grad=True)
    b = cg.tensor(rng.uniform(0.5, 1.5, shapes[1]) + 0.01, requires_grad=True)
    for left, right in [(a, b), (b, a)]:
        a.grad = b.grad = None
        y = fn(left, right)
        assert np.result_type(left.data, right.data) == np.float64
        assert y.dtype == np.float64  # like NumPy: float32 with float64 gives float64
        y.backward(np.ones(y.shape))
        assert a.grad.dtype == np.float32 and a.grad.shape == a.shape
        assert b.grad.dtype == np.float64 and b.grad.shape == b.shape


def test_integer_tensors_through_unary_ops_and_reductions_follow_numpy():
    a = np.array([[1, 4], [9, 16]])
    t = cg.tensor(a)
    for fn, np_fn in [(cg.exp, np.exp), (cg.sqrt, np.sqrt), (cg.log, np.log), (cg.sin, np.sin),
                      (cg.negative, np.negative), (cg.abs, np.abs), (cg.relu, lambda v: np.maximum(v, 0)),
                      (cg.sum, np.sum), (cg.mean, np.mean), (cg.max, np.max), (cg.min, np.min),
                      (lambda v: cg.sum(v, axis=0), lambda v: np.sum(v, axis=0)),
                      (lambda v: cg.mean(v, axis=1), lambda v: np.mean(v, axis=1))]:
        r = fn(t)
        e = np.asarray(np_fn(a))
        assert r.dtype == e.dtype
        np.testing.assert_allclose(r.data, e, rtol=1e-12)
        assert r.requires_grad is False


@pytest.mark.parametrize("idt", ["int64", "int32", "int8", "uint8"])
def test_integer_tensors_with_python_numbers_promote_like_numpy(idt):
    a = np.array([1, 2, 3], dtype=idt)
    t = cg.tensor(a)
    assert t.dtype == np.dtype(idt)
    for fn in [lambda v: v * 1.5, lambda v: 1.5 + v, lambda v: v / 2, lambda v: v + 1,
               lambda v: 2 * v, lambda v: v - 1, lambda v: v ** 2, lambda v: -v,
               lambda v: v / v]:
        r = fn(t)
        e = fn(a)
        assert r.dtype == e.dtype
        np.testing.assert_array_equal(r.data, e)
        assert r.requires_grad is False


INT_REQUIRES_GRAD = {
    # (a Python int alone becomes the default float: micrograd's Value(2), API.md 10)
    "list-of-ints": lambda: cg.tensor([1, 2], requires_grad=True),
    "int32": lambda: cg.tensor([1.0, 2.0], dtype="int32", requires_grad=True),
    "bool": lambda: cg.tensor([True, False], requires_grad=True),
    "Tensor-ctor": lambda: cg.Tensor(np.arange(3), requires_grad=True),
    "setter": lambda: setattr(cg.tensor(np.arange(3)), "requires_grad", True),
    "requires_grad_": lambda: cg.tensor(np.arange(3, dtype=np.uint8)).requires_grad_(),
}


@pytest.mark.parametrize("make_it", INT_REQUIRES_GRAD.values(), ids=INT_REQUIRES_GRAD.keys())
def test_integer_tensors_cannot_require_grad(make_it):
    with pytest.raises(TypeError, match=r"(?i)float"):
        make_it()


def test_int_tensor_setter_false_is_fine():
    t = cg.tensor(np.arange(3))
    t.requires_grad = False
    assert t.requires_grad is False


def test_astype_to_integer_does_not_require_grad():
    # PyTorch: x.to(torch.int64) never requires grad; an integer tensor cannot carry one.
    x = cg.tensor(np.array([1.5, 2.5]), requires_grad=True)
    y = cg.astype(x, "int64")
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y.data, [1, 2])
    assert y.requires_grad is False


def test_float_ops_keep_float64_by_default():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    assert x.dtype == np.float64
    y = (x * 2 + 1) ** 2 / 3
    assert y.dtype == np.float64


# ============================================================ NumPy interop

def test_np_asarray():
    a = np.arange(6.0).reshape(2, 3)
    for t in [cg.tensor(a), cg.tensor(a, requires_grad=True), cg.tensor(a) * 2.0,
              cg.tensor(a.astype(np.float32)), cg.tensor(2.5), cg.tensor([1, 2])]:
        arr = np.asarray(t)
        assert type(arr) is np.ndarray
        assert arr.dtype == t.dtype
        assert arr.shape == t.shape
        np.testing.assert_array_equal(arr, t.data)
    f32 = np.asarray(cg.tensor(a), dtype=np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, a.astype(np.float32))
    np.testing.assert_array_equal(np.array(cg.tensor(a, requires_grad=True)), a)


ND_LEFT = [("+", operator.add), ("-", operator.sub), ("*", operator.mul),
           ("/", operator.truediv), ("**", operator.pow), ("@", operator.matmul)]


@pytest.mark.parametrize("sym,op", ND_LEFT, ids=[s for s, _ in ND_LEFT])
@pytest.mark.parametrize("left", ["ndarray", "ndarray-bcast", "np.float64", "np.float32", "python"])
def test_ndarray_and_scalars_on_the_left(sym, op, left):
    rng = np.random.default_rng(stable_seed(sym + left))
    xa = rng.uniform(0.5, 1.5, (3, 3))
    if left.startswith("ndarray"):
        if sym == "@" and left == "ndarray-bcast":
            la = rng.uniform(0.5, 1.5, (3,))
        else:
            la = rng.uniform(0.5, 1.5, (3, 3) if left == "ndarray" else (3,))
    elif sym == "@":
        pytest.skip("scalars cannot be matrix-multiplied")
    else:
        la = {"np.float64": np.float64(1.25), "np.float32": np.float32(1.25), "python": 1.25}[left]
    x = cg.tensor(xa, requires_grad=True)
    y = op(la, x)
    assert type(y) is cg.Tensor, f"{type(la).__name__} {sym} Tensor gave {type(y).__name__}"
    assert y.requires_grad
    expected = op(la, xa)
    assert y.shape == expected.shape
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y.data, expected, rtol=1e-12)
    assert cg.gradcheck(lambda t: op(la, t), xa)


UFUNCS = [
    ("exp", np.exp, "any"), ("log", np.log, "pos"), ("sqrt", np.sqrt, "pos"), ("sin", np.sin, "any"),
    ("cos", np.cos, "any"), ("tan", np.tan, "small"), ("tanh", np.tanh, "any"),
    ("absolute", np.abs, "nz"), ("negative", np.negative, "any"),
    ("add", lambda t: np.add(_A34, t), "any"), ("subtract", lambda t: np.subtract(t, _A34), "any"),
    ("multiply", lambda t: np.multiply(_A34, t), "any"), ("divide", lambda t: np.divide(_A34, t), "nz"),
    ("power", lambda t: np.power(t, 2.0), "any"), ("maximum", lambda t: np.maximum(t, 0.1), "nz"),
    ("minimum", lambda t: np.minimum(0.1, t), "nz"), ("matmul", lambda t: np.matmul(_A34.T, t), "any"),
]


@pytest.mark.parametrize("fn,kind", [u[1:] for u in UFUNCS], ids=[u[0] for u in UFUNCS])
def test_numpy_ufuncs_return_tensors(fn, kind):
    a = make_input(kind, (3, 4), np.random.default_rng(4))
    x = cg.tensor(a, requires_grad=True)
    y = fn(x)
    assert type(y) is cg.Tensor
    assert y.requires_grad
    np.testing.assert_allclose(y.data, fn(a), rtol=1e-12)
    assert cg.gradcheck(fn, a)


def test_np_exp_is_differentiable():
    x = cg.tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = np.exp(x)
    assert isinstance(y, cg.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp([0.0, 1.0]))


# ============================================================ errors (API.md section 7)

def _compact(msg: str) -> str:
    return re.sub(r"\s+", "", msg)


def _assert_names_shapes(msg: str, op: str, *shapes) -> None:
    assert op in msg, f"message does not name {op!r}: {msg}"
    c = _compact(msg)
    for s in shapes:
        assert _compact(str(tuple(s))) in c, f"message does not show shape {s}: {msg}"


_X34 = np.ones((3, 4))
SHAPE_ERRORS = [
    ("add", lambda a, b: cg.add(a, b), (3, 4), (5,)),
    ("add", lambda a, b: a + b, (3, 4), (2, 4)),
    ("add", lambda a, b: b + a, (3, 4), (4, 3)),
    ("subtract", lambda a, b: cg.subtract(a, b), (3, 4), (5,)),
    ("subtract", lambda a, b: a - b, (2, 3), (3, 2)),
    ("multiply", lambda a, b: a * b, (3, 4), (3,)),
    ("divide", lambda a, b: cg.divide(a, b), (3, 4), (5,)),
    ("power", lambda a, b: a ** b, (3, 4), (2,)),
    ("maximum", lambda a, b: cg.maximum(a, b), (3, 4), (5,)),
    ("minimum", lambda a, b: cg.minimum(a, b), (2, 2), (3,)),
    ("matmul", lambda a, b: cg.matmul(a, b), (3, 4), (5, 2)),
    ("matmul", lambda a, b: a @ b, (3, 4), (3, 4)),
    ("matmul", lambda a, b: a @ b, (4,), (5,)),
    ("matmul", lambda a, b: cg.matmul(a, b), (2, 3, 4), (3, 4, 5)),
    ("concatenate", lambda a, b: cg.concatenate([a, b]), (2, 3), (2, 4)),
    ("concatenate", lambda a, b: cg.concatenate([a, b], axis=1), (2, 3), (3, 3)),
    ("concatenate", lambda a, b: cg.concatenate([a, b]), (2, 3), (3,)),
    ("stack", lambda a, b: cg.stack([a, b]), (2, 3), (3, 2)),
]


@pytest.mark.parametrize("op,fn,s1,s2", SHAPE_ERRORS,
                         ids=[f"{e[0]}-{_fmt(e[2])}-{_fmt(e[3])}" for e in SHAPE_ERRORS])
def test_shape_mismatch_messages(op, fn, s1, s2):
    a = cg.tensor(np.ones(s1), requires_grad=True)
    b = cg.tensor(np.ones(s2))
    with pytest.raises(ValueError) as info:
        fn(a, b)
    _assert_names_shapes(str(info.value), op, s1, s2)
    assert "float64" in str(info.value), f"message does not give the dtypes: {info.value}"
    assert a.grad is None


def test_shape_mismatch_other_ops():
    x = cg.tensor(_X34, requires_grad=True)
    with pytest.raises(ValueError) as info:
        cg.dot(x, np.ones(5))
    assert re.search(r"dot|matmul", str(info.value))
    _assert_names_shapes(str(info.value), "", (3, 4), (5,))
    with pytest.raises(ValueError) as info:
        cg.where(np.ones(2, bool), x, 0.0)
    _assert_names_shapes(str(info.value), "where", (2,), (3, 4))
    with pytest.raises(ValueError) as info:
        cg.broadcast_to(x, (5, 4))
    _assert_names_shapes(str(info.value), "broadcast_to", (3, 4), (5, 4))
    with pytest.raises(ValueError) as info:
        cg.reshape(x, (5,))
    _assert_names_shapes(str(info.value), "reshape", (3, 4), (5,))
    with pytest.raises(ValueError) as info:
        x.reshape(5, 2)
    _assert_names_shapes(str(info.value), "reshape", (3, 4), (5, 2))


BAD_OPERANDS = {"str": "abc", "dict": {"a": 1}, "None": None, "object": object()}
BINOPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
          operator.matmul, operator.lt, operator.ge]


@pytest.mark.parametrize("bad", BAD_OPERANDS.values(), ids=BAD_OPERANDS.keys())
@pytest.mark.parametrize("op", BINOPS, ids=[o.__name__ for o in BINOPS])
def test_unsupported_operands_raise_type_error(op, bad):
    x = cg.tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(TypeError):
        op(x, bad)
    if op not in (operator.lt, operator.ge):
        with pytest.raises(TypeError):
            op(bad, x)


FN_BAD = [("add", lambda x: cg.add(x, "abc")), ("add", lambda x: cg.add({"a": 1}, x)),
          ("multiply", lambda x: cg.multiply(x, None)), ("matmul", lambda x: cg.matmul(x, "abc")),
          ("maximum", lambda x: cg.maximum(x, {})), ("power", lambda x: cg.power(x, "2")),
          ("exp", lambda x: cg.exp("abc")), ("where", lambda x: cg.where(x > 0, x, "abc")),
          ("concatenate", lambda x: cg.concatenate([x, "abc"])),
          ("stack", lambda x: cg.stack([x, {"a": 1}]))]


@pytest.mark.parametrize("op,fn", FN_BAD, ids=[f"{o}-{k}" for k, (o, _) in enumerate(FN_BAD)])
def test_unsupported_operands_in_functions(op, fn):
    x = cg.tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(TypeError) as info:
        fn(x)
    assert op in str(info.value), f"message does not name {op!r}: {info.value}"


def test_tensor_from_string_is_type_error():
    with pytest.raises(TypeError):
        cg.tensor("abc")
    with pytest.raises(TypeError):
        cg.tensor({"a": 1})


BAD_AXES = [
    ("sum", "axis2", lambda x: cg.sum(x, axis=2)),
    ("sum", "method-axis-3", lambda x: x.sum(axis=-3)),
    ("sum", "repeated", lambda x: x.sum(axis=(0, 0))),
    ("mean", "axis5", lambda x: cg.mean(x, axis=5)),
    ("mean", "method-tuple", lambda x: x.mean(axis=(0, 2))),
    ("max", "tuple", lambda x: cg.max(x, axis=(0, 2))),
    ("max", "method-axis-3", lambda x: x.max(axis=-3)),
    ("min", "method-axis2", lambda x: x.min(axis=2)),
    ("logsumexp", "axis3", lambda x: cg.logsumexp(x, axis=3)),
    ("softmax", "axis2", lambda x: cg.softmax(x, axis=2)),
    ("log_softmax", "axis-3", lambda x: cg.log_softmax(x, axis=-3)),
    ("concatenate", "axis2", lambda x: cg.concatenate([x, x], axis=2)),
    ("stack", "axis3", lambda x: cg.stack([x, x], axis=3)),
    ("squeeze", "axis2", lambda x: cg.squeeze(x, axis=2)),
    ("squeeze", "not-length-1", lambda x: cg.squeeze(x, axis=0)),
    ("expand_dims", "axis3", lambda x: cg.expand_dims(x, 3)),
    ("swapaxes", "axis2", lambda x: cg.swapaxes(x, 0, 2)),
    ("swapaxes", "axis-3", lambda x: cg.swapaxes(x, -3, 1)),
    ("transpose", "repeated", lambda x: cg.transpose(x, (0, 0))),
    ("transpose", "out-of-range", lambda x: cg.transpose(x, (0, 5))),
    ("transpose", "method-too-many", lambda x: x.transpose(0, 1, 2)),
]


@pytest.mark.parametrize("op,fn", [pytest.param(o, f, id=f"{o}-{i}") for o, i, f in BAD_AXES])
def test_bad_axis_is_value_error_naming_the_op(op, fn):
    # numpy.AxisError is both a ValueError and an IndexError; what compgraph raises must be a
    # ValueError (API.md section 7) naming the function the user called.
    x = cg.tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(ValueError) as info:
        fn(x)
    assert re.search(rf"\b{op}\b", str(info.value)), f"message does not name {op!r}: {info.value}"



@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(256, 10), (40, 3), (9, 2)])
def test_log_softmax_of_classifier_logits(shape, dtype):
    """Many rows of few classes take a transposed path: same values, a row of -inf gives
    -inf (torch gives nan: a deliberate difference, see log_softmax), -inf entries give
    -inf, the gradient checks."""
    pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape) * 30).astype(dtype)
    x[1, 0] = -np.inf
    x[2, :] = -np.inf
    got = cg.log_softmax(cg.tensor(x), axis=1).numpy()
    want = torch.log_softmax(torch.from_numpy(x), dim=1).numpy()
    want[2, :] = -np.inf
    assert got.dtype == dtype and got.flags.c_contiguous
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4 if dtype == np.float32 else 1e-12)
    assert np.isneginf(got[2]).all() and got[1, 0] == -np.inf
    assert cg.gradcheck(lambda t: cg.log_softmax(t, axis=-1) * np.arange(shape[1]),
                        rng.standard_normal(shape))
