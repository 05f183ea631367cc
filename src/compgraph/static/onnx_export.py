"""Export a static graph to ONNX (opset 18) with the ``onnx`` package (extra ``onnx``).

Inputs keep their names; outputs default to the nodes no other node consumes.
Each op's declaration says how it maps to ONNX operators (``onnx=``, see
:class:`compgraph.ops.spec.Onnx`, or ``no(reason)``); a graph using an op without a
mapping is rejected with an error listing every such op and the reason.  Python-number constants take the
dtype of the values they combine with, as NumPy's weak scalars do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.fileio import atomic_write
from ..ops.spec import Absent, Onnx
from .ir import Symbol, is_scalar

__all__ = ["to_onnx", "OPSET"]

OPSET = 18


def _needs_known_shape(n: Symbol, i: int = 0) -> tuple:
    s = n.inputs[i].shape
    if s is None or None in s:
        raise ValueError(
            f"to_onnx: node {n.name!r} ({n.op}) needs the known shape of its "
            f"input; declare input shapes"
        )
    return s


class _Builder:
    """Writes ONNX nodes; op declarations' ``onnx=`` functions receive one as ``b``."""

    def __init__(self, onnx: Any, graph: Any):
        self.onnx = onnx
        self.h = onnx.helper
        self.graph = graph
        self.nodes: list = []
        self.inits: list = []
        self.names: dict[int, str] = {}
        self.count = 0

    def fresh(self, base: str) -> str:
        self.count += 1
        return f"_{base}_{self.count}"

    def const(self, value: Any, dtype: Any = None) -> str:
        arr = np.asarray(value, dtype=dtype)
        name = self.fresh("c")
        self.inits.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def ints(self, values: Any) -> str:
        return self.const(np.asarray(list(values), dtype=np.int64))

    def add(self, op: str, ins: list, out: str | None = None, **attrs: Any) -> str:
        out = out or self.fresh(op.lower())
        self.nodes.append(self.h.make_node(op, ins, [out], **attrs))
        return out

    def cast(self, name: str, have: Any, want: Any) -> str:
        """``name`` cast from dtype ``have`` to ``want`` (itself when they agree)."""
        return _cast_to(self, name, have, want)

    def elem(self, dtype: Any) -> int:
        """The ONNX element type of a NumPy dtype."""
        return _elem_type(self.onnx, dtype, "dtype")

    def tensor(self, value: Any) -> Any:
        """An ONNX TensorProto holding ``value`` (for attributes such as ConstantOfShape's)."""
        return self.onnx.numpy_helper.from_array(np.asarray(value), self.fresh("value"))

    def known_shape(self, n: Symbol, i: int = 0) -> tuple:
        """The known shape of input ``i`` of ``n``, or an error asking to declare it."""
        return _needs_known_shape(n, i)

    def operand(self, n: Symbol, inp: Symbol) -> str:
        """The ONNX name of an input; Python numbers become constants of the right dtype."""
        if inp.op == "constant" and is_scalar(inp.value):
            others = [
                i.dtype
                for i in n.inputs
                if not (i.op == "constant" and is_scalar(i.value)) and i.dtype is not None
            ]
            dtype = (
                np.result_type(*others, inp.value)
                if others
                else (n.dtype if n.dtype is not None and n.dtype.kind != "b" else None)
            )
            return self.const(inp.value, dtype)
        return self.names[id(inp)]


def _elem_type(onnx: Any, dtype: Any, what: str) -> int:
    if dtype is None:
        raise ValueError(f"to_onnx: {what} has no known dtype; declare dtype= on the inputs")
    return onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _value_info(onnx: Any, n: Symbol, name: str) -> Any:
    shape = (
        None
        if n.shape is None
        else [d if d is not None else f"{name}_d{k}" for k, d in enumerate(n.shape)]
    )
    return onnx.helper.make_tensor_value_info(name, _elem_type(onnx, n.dtype, repr(n.name)), shape)


def _cast_to(b: _Builder, name: str, have: Any, want: Any) -> str:
    if have is None or want is None or np.dtype(have) == np.dtype(want):
        return name
    return b.add("Cast", [name], to=_elem_type(b.onnx, want, "cast"))


def _promoted(b: _Builder, n: Symbol, ins: list, spec: Onnx) -> list:
    """ONNX does not promote: cast operands to the dtype NumPy would compute in."""
    first = spec.first
    scalar = [i for i in n.inputs if i.op == "constant" and is_scalar(i.value)]
    arrays = [i for i in n.inputs[first:] if not (i.op == "constant" and is_scalar(i.value))]
    if spec.promote == "operands":  # comparisons: the operands' common dtype, not bool
        want = (
            np.dtype(np.result_type(*[i.dtype for i in arrays], *[i.value for i in scalar]))
            if arrays and all(i.dtype is not None for i in arrays)
            else None
        )
    else:
        want = n.dtype
    ins = list(ins)
    for k in range(first, len(ins)):
        inp = n.inputs[k]
        if not (inp.op == "constant" and is_scalar(inp.value)):
            ins[k] = _cast_to(b, ins[k], inp.dtype, want)
        elif want is not None and want.kind != "b":
            ins[k] = b.const(inp.value, want)
    return ins


def _emit(b: _Builder, n: Symbol, out: str) -> None:
    """The node as ONNX operators, as its op's declaration says (``onnx=``)."""
    assert n.opdef is not None  # an op node: the caller skips inputs and constants
    spec = n.opdef.onnx
    ins = [b.operand(n, i) for i in n.inputs]
    if spec.promote:
        ins = _promoted(b, n, ins, spec)
    if spec.cast_input and n.inputs[0].dtype is not None and n.inputs[0].dtype != n.dtype:
        ins[0] = _cast_to(b, ins[0], n.inputs[0].dtype, n.dtype)  # e.g. a sum of bools
    if isinstance(spec.op, str):
        b.add(spec.op, ins, out)
    else:
        spec.op(b, n, ins, out)


def _unexportable(order: list) -> dict[str, str]:
    """Ops of the graph with no ONNX translation, and why."""
    missing: dict[str, str] = {}
    for n in order:
        if n.op in ("input", "constant"):
            continue
        spec = n.opdef.onnx
        if isinstance(spec, Absent):
            missing[n.op] = spec.reason
        elif not isinstance(spec, Onnx):
            missing[n.op] = "no ONNX translation is declared"
    return missing


def to_onnx(graph: Any, path: str, outputs: Any = None) -> Any:
    """Write ``graph`` as an ONNX model to ``path`` and return the ModelProto."""
    try:
        import onnx
    except ImportError:
        raise ImportError("to_onnx needs the onnx package: pip install 'compgraph[onnx]'") from None
    outs = graph.outputs() if outputs is None else graph._outputs(outputs, "to_onnx")[0]
    order = graph.needed(outs)
    missing = _unexportable(order)
    if missing:
        raise ValueError(
            "to_onnx: no ONNX mapping for op(s) "
            + "; ".join(f"{op!r} ({why})" for op, why in sorted(missing.items()))
        )
    b = _Builder(onnx, graph)
    inputs = []
    for n in order:
        if n.op == "input":
            b.names[id(n)] = n.name
            inputs.append(_value_info(onnx, n, n.name))
        elif n.op == "constant":
            if not is_scalar(n.value):
                b.names[id(n)] = b.const(n.value)
    out_names = {id(o): o.name for o in outs}
    for n in order:
        if n.op in ("input", "constant"):
            continue
        name = out_names.get(id(n), b.fresh(n.op))
        b.names[id(n)] = name
        _emit(b, n, name)
    outputs_vi = []
    for o in outs:
        if o.op == "input" or (o.op == "constant") or b.names[id(o)] != o.name:
            src = b.operand(o, o) if o.op == "constant" else b.names[id(o)]
            b.add("Identity", [src], o.name + "_out" if o.op == "input" else o.name)
            outputs_vi.append(_value_info(onnx, o, o.name + "_out" if o.op == "input" else o.name))
        else:
            outputs_vi.append(_value_info(onnx, o, o.name))
    g = onnx.helper.make_graph(b.nodes, "compgraph", inputs, outputs_vi, initializer=b.inits)
    model = onnx.helper.make_model(
        g, opset_imports=[onnx.helper.make_opsetid("", OPSET)], producer_name="compgraph"
    )
    onnx.checker.check_model(model)
    atomic_write(path, lambda fh: fh.write(model.SerializeToString()))
    return model
