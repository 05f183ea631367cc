"""Writing into part of an array: ``x[index] = v`` as an op.

In-place assignment into a tensor that takes part in a recorded graph (or carries
forward-mode tangents) is recorded as this op: the tensor then stands for its new value
at a new place in the graph, so gradients and tangents see the assignment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import normalize_index
from .meta import same_dtype, same_shape
from .registry import defop
from .spec import Codegen, Onnx, no

__all__ = ["INDEX_UPDATE"]


def _index_update(x: Any, v: Any, index: Any) -> Any:
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _prepare(x: Any, index: Any, v: Any) -> tuple:
    """``x`` with ``x[index]`` replaced by ``v`` (a new array; JAX's ``x.at[index].set(v)``)."""
    return (x, v), {"index": normalize_index(index, x)}


def _onnx(b: Any, n: Any, ins: list, out: str) -> None:
    index = n.attrs["index"]
    items = index if isinstance(index, tuple) else (index,)
    if len(items) != 1 or not isinstance(items[0], (int, np.ndarray)):
        raise ValueError(
            f"to_onnx: node {n.name!r}: only a single int or integer-array index "
            f"is exported for index_update, got {index!r}"
        )
    idx = np.atleast_1d(np.asarray(items[0], dtype=np.int64)).reshape(-1, 1)
    upd = b.cast(ins[1], n.inputs[1].dtype, n.dtype)
    shape = b.known_shape(n)
    upd = b.add("Expand", [upd, b.ints([len(idx), *shape[1:]])])
    b.add("ScatterND", [ins[0], b.const(idx), upd], out)


INDEX_UPDATE = defop(
    "index_update",
    _index_update,
    linear=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, v, index: ns.index_update(g, 0, index=index),
        lambda ns, g, out, x, v, index: ns.getitem(g, index=index),
    ),
    saves=((), ()),
    meta=True,
    deriv=("1 outside index, 0 inside", "1 at index"),
    args=("x", "v"),
    doc=_prepare.__doc__,
    prepare=_prepare,
    method=no("written t[index] = v"),
    numpy=no("NumPy assigns with the [] operator"),
    cli=no("assignment is not in the grammar"),
    codegen=Codegen(fresh=True),
    onnx=Onnx(_onnx),
    batch=no("the rule runs once per direction"),
)
