"""Every op's declared shape/dtype rule agrees with what its forward computes."""
import numpy as np
import pytest

import compgraph as cg  # noqa: F401  (registers the ops)
from compgraph.ops import OPS
from compgraph.ops.meta import Meta, infer
from helpers import sample_ops

BUILTIN = {n: o for n, o in OPS.items() if o.builtin}  # (not the user ops of other tests)

rng = np.random.default_rng(0)
A32 = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((4,))
C = rng.standard_normal((2, 3, 4))

CASES = [
    ("add", (A32, B), {}), ("add", (A32, 2.0), {}), ("subtract", (np.arange(3), 0.5), {}),
    ("multiply", (A32, np.float64(2)), {}), ("divide", (np.arange(3), 2), {}),
    ("power", (A32, 2), {}), ("negative", (np.arange(3),), {}), ("masked", (A32, A32 > 0), {}), ("identity", (A32,), {}),
    ("exp", (np.arange(3),), {}), ("log", (A32,), {}), ("sqrt", (B,), {}), ("sin", (C,), {}),
    ("cos", (C,), {}), ("tan", (C,), {}), ("tanh", (A32,), {}), ("sigmoid", (A32,), {}),
    ("relu", (A32,), {}), ("abs", (np.arange(3),), {}), ("maximum", (A32, B), {}),
    ("minimum", (C, 0.0), {}), ("where", (A32 > 0, A32, B), {}),
    ("clip", (A32,), {"lo": 0, "hi": 1}), ("astype", (A32,), {"dtype": np.dtype("float64")}),
    ("sign", (B,), {}), ("stop_gradient", (A32,), {}), ("less", (A32, B), {}),
    ("equal", (C, 1.0), {}), ("floor", (B,), {}), ("greater", (B, 0), {}),
    ("greater_equal", (A32, B), {}), ("less_equal", (B, B), {}), ("not_equal", (C, B), {}),
    ("sum", (A32,), {"axis": (1,), "keepdims": False}),
    ("sum", (np.ones(3, bool),), {"axis": None, "keepdims": True}),
    ("max", (C,), {"axis": (0, 2), "keepdims": True}), ("min", (C,), {"axis": None, "keepdims": False}),
    ("sum_to", (C,), {"shape": (3, 1)}), ("broadcast_to", (B,), {"shape": (2, 4)}),
    ("sum_to_like", (C, A32[:, :1]), {}), ("broadcast_like", (B, C), {}),
    ("zeros_like", (A32,), {}), ("ones_like", (C,), {}),
    ("reduced_count", (C,), {"axis": (0, 2)}),
    ("im2col", (np.zeros((2, 3, 5, 5)),), {"kh": 3, "kw": 3, "stride": 2, "pad": 1}),
    ("im2col", (np.zeros((2, 3, 7, 6)),), {"kh": 3, "kw": 2, "stride": (2, 1), "pad": (1, 0),
                                           "dilation": (2, 1)}),
    ("col2im", (np.zeros((18, 27)),), {"shape": (2, 3, 5, 5), "kh": 3, "kw": 3, "stride": 2,
                                       "pad": 1}),
    ("concat_part", (np.zeros((5, 3)), np.zeros((2, 3)), np.zeros((3, 3))), {"index": 1, "axis": 0}), ("reshape_like", (A32, np.zeros((2, 6))), {}),
    ("matmul", (C, B), {}), ("matmul", (B, C.transpose(0, 2, 1)), {}), ("matmul", (B, B), {}),
    ("matmul", (A32, A32.T), {}), ("linear", (C, A32, np.zeros(3)), {}),
    ("linear", (B, A32, np.zeros(3, np.float32)), {}),
    ("addmm", (np.zeros((3, 3)), A32, A32.T), {"alpha": -0.5, "beta": 2.0}),
    ("addmm", (np.zeros(3, np.float32), A32, A32.T), {}),
    ("softplus", (A32,), {}), ("softplus", (np.arange(3),), {}), ("erf", (C,), {}),
    ("erf", (A32,), {}), ("argmax", (C,), {"axis": (1,), "keepdims": False}),
    ("argmax", (A32,), {"axis": None, "keepdims": True}), ("argmax", (B,), {}),
    ("log_softmax", (C,), {"axis": (1,)}), ("log_softmax", (np.arange(4),), {"axis": (0,)}), ("matmul", (C, C.transpose(0, 2, 1)), {}),
    ("reshape", (A32,), {"shape": (2, -1)}), ("transpose", (C,), {"axes": (2, 0, 1)}),
    ("swapaxes", (C,), {"axis1": 0, "axis2": 2}), ("expand_dims", (A32,), {"axis": (0, 2)}),
    ("squeeze", (A32[None],), {"axis": (0,)}),
    ("getitem", (C,), {"index": (slice(None), np.array([0, 2]))}), ("getitem", (B,), {"index": 1}),
    ("scatter_add", (B,), {"shape": (6,), "index": np.array([0, 1, 1, 2])}),
    ("scatter_add_like", (B, np.zeros(6)), {"index": np.array([0, 1, 1, 2])}),
    ("concatenate", (A32, A32), {"axis": 1}), ("stack", (A32, A32, A32), {"axis": 1}),
    ("index_update", (C, B), {"index": (0, slice(1, 3))}),
    ("index_update", (A32, 2.0), {"index": np.array([0, 2])}),
]


def test_every_op_has_rules():
    missing = [n for n, o in BUILTIN.items() if o.shape_rule is None or o.dtype_rule is None]
    assert missing == []


def test_every_op_is_exercised_here():
    # (or by a sample in tests/op_samples, whose static check compares the inferred
    # shape and dtype with the computed ones)
    assert set(BUILTIN) - {c[0] for c in CASES} - sample_ops() == set()


@pytest.mark.parametrize("name,args,attrs", CASES, ids=[c[0] for c in CASES])
def test_rule_matches_forward(name, args, attrs):
    op = OPS[name]
    out = op.forward(*args, **attrs)
    shape, dtype = infer(op, args, attrs)
    assert shape == tuple(np.shape(out))
    assert dtype == np.result_type(out)


def test_unknown_shapes_give_none():
    shape, dtype = infer(OPS["add"], (Meta(None, "float32"), 1.0), {})
    assert shape is None and dtype == np.float32


def test_matmul_rule_rejects_misaligned():
    with pytest.raises(ValueError, match=r"matmul.*\(3, 4\).*\(3, 4\)"):
        infer(OPS["matmul"], (Meta((3, 4), "f8"), Meta((3, 4), "f8")), {})
