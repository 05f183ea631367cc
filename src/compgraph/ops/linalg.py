"""Matrix product for 1-D, 2-D and batched operands (NumPy ``matmul`` semantics).

Batch broadcasting needs no special care here: the engine sums each cotangent
back to its operand's shape.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .meta import Meta, broadcast_partial, promote
from .registry import NUMPY, defop
from .spec import Codegen, Onnx, no

__all__ = ["MATMUL", "LINEAR", "ADDMM"]


def _matmul_shape(metas):
    a, b = (m.shape if isinstance(m, Meta) else () for m in metas)
    if a is None or b is None:
        return None
    if not a or not b:
        raise ValueError(
            f"matmul: operands must have at least one dimension, got shapes {a} and {b}"
        )
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    if a2[-1] != b2[-2] and a2[-1] is not None and b2[-2] is not None:
        raise ValueError(f"matmul: shapes {a} and {b} do not align ({a2[-1]} != {b2[-2]})")
    out = broadcast_partial(a2[:-2], b2[:-2]) + (a2[-2], b2[-1])
    if len(b) == 1:
        out = out[:-1]
    if len(a) == 1:
        out = out[:-2] + out[-1:] if len(b) > 1 else out[:-1]
    return out


def _matmul_da(ns, g, out, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b
        return ns.expand_dims(g, axis=-1) * b  # (..., n, 1) * (k,) -> (..., n, k)
    if a.ndim == 1:
        # out (..., m) = a (k,) @ b (..., k, m): da = sum over batch and m of b * g.
        return ns.squeeze(ns.matmul(b, ns.expand_dims(g, axis=-1)), axis=-1)
    return ns.matmul(g, ns.swapaxes(b, axis1=-1, axis2=-2))


def _matmul_db(ns, g, out, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return ns.expand_dims(a, axis=-1) * ns.expand_dims(g, axis=-2)  # (k,1)*(...,1,m)
    if b.ndim == 1:
        return ns.squeeze(
            ns.matmul(ns.swapaxes(a, axis1=-1, axis2=-2), ns.expand_dims(g, axis=-1)), axis=-1
        )
    return ns.matmul(ns.swapaxes(a, axis1=-1, axis2=-2), g)


def _matmul_batch(op, prims, tins, out, attrs, k):
    a, b = prims
    ta, tb = tins
    if a.ndim > 2 or b.ndim > 2:
        return None  # batch axes of the operands would meet the tangents' batch axis
    total = None
    if ta is not None:  # (k, n) or (k, m, n) @ b: already the batched product
        total = op.jvp[0](NUMPY, ta, out, a, b)
    if tb is not None:
        if b.ndim == 1:  # a @ (k, n, 1) -> (k, ..., 1): keep the vector a vector
            c = op.jvp[1](NUMPY, tb[..., None], out, a, b)[..., 0]
        else:
            c = op.jvp[1](NUMPY, tb, out, a, b)
        total = c if total is None else total + c
    return total


MATMUL = defop(
    "matmul",
    operator.matmul,
    shape=lambda m, **a: _matmul_shape(m),
    dtype=promote,
    vjp=(_matmul_da, _matmul_db),
    multilinear=True,
    saves=((0, 1), (0, 1)),
    deriv=("g @ y.T", "x.T @ g"),
    doc="Matrix product with NumPy's rules for 1-D, 2-D and batched operands.",
    symbol="@",
    method="matmul",
    numpy=np.matmul,
    cli=no("a product of two arrays; the command line calls one-argument functions"),
    codegen=Codegen(fresh=True),
    onnx=Onnx("MatMul", promote=True),
    batch=_matmul_batch,
)


# --------------------------------------------------------------------------- linear
# ``x @ w.T + b`` as one primitive (PyTorch's F.linear / addmm): one node instead of
# transpose, matmul and add, the bias added in place into the fresh product, and a
# weight gradient that comes out C-contiguous from a single matrix product.
def _linear(x, w, b):
    out = np.matmul(x, w.T)
    if type(out) is np.ndarray and np.result_type(out, b) == out.dtype:
        out += b  # the product is a fresh buffer: adding in place saves a pass
        return out
    return out + b


def _linear_shape(metas, **attrs):
    x, w, b = (m.shape if isinstance(m, Meta) else () for m in metas)
    if x is None or w is None or b is None:
        return None
    if not x or len(w) != 2 or len(b) > 1:
        raise ValueError(
            f"linear: expected x of shape (..., in), weight (out, in) and bias "
            f"(out,), got shapes {x}, {w} and {b}"
        )
    if x[-1] is not None and w[1] is not None and x[-1] != w[1]:
        raise ValueError(
            f"linear: x has {x[-1]} features but the weight of shape {w} expects {w[1]}"
        )
    if b and b[0] is not None and w[0] is not None and b[0] not in (1, w[0]):
        raise ValueError(f"linear: bias of shape {b} does not match weight of shape {w}")
    return x[:-1] + (w[0],)


def _linear_dx(ns, g, out, x, w, b):
    return ns.matmul(g, w)  # (..., out) @ (out, in)


def _linear_dw(ns, g, out, x, w, b):
    if x.ndim == 1:
        return ns.expand_dims(g, axis=-1) * x  # the outer product (out, 1) * (in,)
    # (..., out, N) @ (..., N, in): batch dimensions are summed back by the engine.
    return ns.matmul(ns.swapaxes(g, axis1=-1, axis2=-2), x)


def _linear_onnx(b, n, ins, out):
    prod = b.add("MatMul", [ins[0], b.add("Transpose", [ins[1]])])
    b.add("Add", [prod, ins[2]], out)


LINEAR = defop(
    "linear",
    _linear,
    shape=_linear_shape,
    dtype=promote,
    vjp=(_linear_dx, _linear_dw, lambda ns, g, out, x, w, b: g),
    # Affine, not multilinear (the bias): each input's part written out.
    jvp=(
        lambda ns, t, out, x, w, b: ns.matmul(t, ns.transpose(w, axes=None)),
        lambda ns, t, out, x, w, b: ns.matmul(x, ns.transpose(t, axes=None)),
        lambda ns, t, out, x, w, b: t,
    ),
    saves=((1,), (0,), ()),
    deriv=("w.T", "x", "1"),
    args=("x", "w", "b"),
    doc="x @ w.T + b (a fully connected layer)",
    names=no("cg.linear (a composite) calls it when there is a bias"),
    method=no("a function of a layer's weights"),
    numpy=no("NumPy has no linear"),
    cli=no("a product of arrays"),
    codegen=Codegen(fresh=True),
    onnx=Onnx(_linear_onnx, promote=True),
    batch=no("a product with a transposed operand: the rule runs once per direction"),
)


# --------------------------------------------------------------------------- addmm
# ``beta * c + alpha * (a @ b)`` (PyTorch's addmm, BLAS's gemm): NumPy's matmul, then
# the scaling in place into the fresh product and the sum into ``out`` when given.


def _addmm(c, a, b, alpha=1.0, beta=1.0, out=None):
    if np.ndim(a) != 2 or np.ndim(b) != 2:
        raise ValueError(f"a and b must be matrices, got shapes {np.shape(a)} and {np.shape(b)}")
    r = np.matmul(a, b)
    if r.dtype.kind not in "fc":
        if alpha != int(alpha) or beta != int(beta):
            raise TypeError(
                f"alpha={alpha} and beta={beta} must be integers for "
                f"{r.dtype} matrices (as torch.addmm)"
            )
        alpha, beta = int(alpha), int(beta)  # integer matrices stay integer (torch's)
    if alpha != 1:
        np.multiply(r, alpha, out=r)
    if beta == 0:  # c is ignored, its nan and inf too (as BLAS and torch.addmm)
        return r if out is None else np.copyto(out, r) or out
    if out is not None:  # (c's own dying buffer in a compiled graph: no temporary)
        if beta != 1:
            np.multiply(c, beta, out=out)
            c = out
        return np.add(c, r, out=out)
    return (c if beta == 1 else np.multiply(c, beta)) + r


def _addmm_shape(metas, alpha=1.0, beta=1.0):
    c, a, b = (m.shape if isinstance(m, Meta) else () for m in metas)
    if a is not None and len(a) != 2 or b is not None and len(b) != 2:
        raise ValueError(f"addmm: a and b must be matrices, got shapes {a} and {b}")
    prod = _matmul_shape(metas[1:])
    if prod is None or c is None:
        return prod
    if len(c) > 2:
        raise ValueError(f"addmm: c of shape {c} does not broadcast to the product's shape {prod}")
    return broadcast_partial(prod, c)


def _scaled(ns, g, k):
    return g if k == 1 else g * k


def _addmm_prepare(c: Any, a: Any, b: Any, *, beta: float = 1.0, alpha: float = 1.0) -> tuple:
    """``beta * c + alpha * (a @ b)`` for matrices ``a`` and ``b`` (PyTorch's ``addmm``).

    ``c`` broadcasts to the product's shape.  One primitive (NumPy's matmul, then the
    scaling and the sum in place).

    >>> import compgraph as cg
    >>> cg.addmm(cg.ones((2, 2)), cg.eye(2), cg.full((2, 2), 3.0), alpha=2.0).numpy()
    array([[7., 7.],
           [7., 7.]])
    """
    for k, v in (("alpha", alpha), ("beta", beta)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"addmm: {k} must be a Python number, got {type(v).__name__}")
    return (c, a, b), {"alpha": float(alpha), "beta": float(beta)}


def _addmm_onnx(b, n, ins, out):
    # ONNX Gemm is exactly beta * C + alpha * (A @ B)
    c, x, y = (b.cast(i, m.dtype, n.dtype) for i, m in zip(ins, n.inputs))
    b.add("Gemm", [x, y, c], out, alpha=float(n.attrs["alpha"]), beta=float(n.attrs["beta"]))


ADDMM = defop(
    "addmm",
    _addmm,
    shape=_addmm_shape,
    dtype=promote,
    vjp=(
        lambda ns, g, out, c, a, b, alpha=1.0, beta=1.0: _scaled(ns, g, beta),
        lambda ns, g, out, c, a, b, alpha=1.0, beta=1.0: _scaled(
            ns, ns.matmul(g, ns.swapaxes(b, axis1=-1, axis2=-2)), alpha
        ),
        lambda ns, g, out, c, a, b, alpha=1.0, beta=1.0: _scaled(
            ns, ns.matmul(ns.swapaxes(a, axis1=-1, axis2=-2), g), alpha
        ),
    ),
    # Affine, not multilinear (the scaled c): each input's part written out.
    jvp=(
        lambda ns, t, out, c, a, b, alpha=1.0, beta=1.0: _scaled(ns, t, beta),
        lambda ns, t, out, c, a, b, alpha=1.0, beta=1.0: _scaled(ns, ns.matmul(t, b), alpha),
        lambda ns, t, out, c, a, b, alpha=1.0, beta=1.0: _scaled(ns, ns.matmul(a, t), alpha),
    ),
    saves=((), (2,), (1,)),
    deriv=("beta", "alpha * g @ b.T", "alpha * a.T @ g"),
    args=("c", "a", "b"),
    doc=_addmm_prepare.__doc__,
    prepare=_addmm_prepare,
    method=no("cg.addmm(c, a, b)"),
    numpy=no("NumPy has no addmm"),
    cli=no("a product of arrays"),
    # c is updated in place when its buffer is the compiled graph's and dies here.
    codegen=Codegen(fresh=True, out=_addmm, out_operands=(0,)),
    onnx=Onnx(_addmm_onnx),
    batch=no("a product with a scaled operand: the rule runs once per direction"),
)
