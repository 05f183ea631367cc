"""Export a static graph to ONNX (opset 18) with the ``onnx`` package (extra ``onnx``).

Inputs keep their names; outputs default to the nodes no other node consumes.
Each op maps to ONNX operators here; a graph using an op without a mapping is
rejected with an error listing every such op.  Python-number constants take the
dtype of the values they combine with, as NumPy's weak scalars do.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Graph, Symbol, _is_scalar

__all__ = ["to_onnx", "OPSET"]

OPSET = 18

_SIMPLE = {
    "add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "Div", "power": "Pow",
    "negative": "Neg", "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "sin": "Sin", "cos": "Cos",
    "tan": "Tan", "tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "abs": "Abs",
    "sign": "Sign", "floor": "Floor", "maximum": "Max", "minimum": "Min", "where": "Where",
    "matmul": "MatMul", "identity": "Identity", "stop_gradient": "Identity",
    "equal": "Equal", "less": "Less", "less_equal": "LessOrEqual", "greater": "Greater",
    "greater_equal": "GreaterOrEqual", "softplus": "Softplus",
}
_HANDLED = set(_SIMPLE) | {"not_equal", "clip", "astype", "sum", "max", "min", "reshape",
                           "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to",
                           "sum_to", "concatenate", "stack", "getitem", "zeros_like",
                           "ones_like", "sum_to_like", "broadcast_like", "reshape_like",
                           "reduced_count", "masked", "linear", "log_softmax", "addmm",
                           "argmax", "erf"}


def _needs_known_shape(n: Symbol, i: int = 0) -> tuple:
    s = n.inputs[i].shape
    if s is None or None in s:
        raise ValueError(f"to_onnx: node {n.name!r} ({n.op}) needs the known shape of its "
                         f"input; declare input shapes")
    return s


class _Builder:
    def __init__(self, onnx: Any, graph: Graph):
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

    def operand(self, n: Symbol, inp: Symbol) -> str:
        """The ONNX name of an input; Python numbers become constants of the right dtype."""
        if inp.op == "constant" and _is_scalar(inp.value):
            others = [i.dtype for i in n.inputs if not (i.op == "constant" and _is_scalar(i.value))
                      and i.dtype is not None]
            dtype = np.result_type(*others, inp.value) if others else \
                (n.dtype if n.dtype is not None and n.dtype.kind != "b" else None)
            return self.const(inp.value, dtype)
        return self.names[id(inp)]


def _elem_type(onnx: Any, dtype: Any, what: str) -> int:
    if dtype is None:
        raise ValueError(f"to_onnx: {what} has no known dtype; declare dtype= on the inputs")
    return onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _value_info(onnx: Any, n: Symbol, name: str) -> Any:
    shape = None if n.shape is None else [d if d is not None else f"{name}_d{k}"
                                          for k, d in enumerate(n.shape)]
    return onnx.helper.make_tensor_value_info(name, _elem_type(onnx, n.dtype, repr(n.name)), shape)


_PROMOTING = {"add", "subtract", "multiply", "divide", "power", "maximum", "minimum",
              "matmul", "linear", "equal", "not_equal", "less", "less_equal", "greater",
              "greater_equal", "clip", "concatenate", "stack"}
_COMPARE = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}


def _cast_to(b: _Builder, name: str, have: Any, want: Any) -> str:
    if have is None or want is None or np.dtype(have) == np.dtype(want):
        return name
    return b.add("Cast", [name], to=_elem_type(b.onnx, want, "cast"))


def _emit(b: _Builder, n: Symbol, out: str) -> None:
    ins = [b.operand(n, i) for i in n.inputs]
    a = n.attrs
    op = n.op
    # ONNX does not promote: cast operands to the dtype NumPy would compute in.
    if op in _PROMOTING or op == "where":
        first = 1 if op == "where" else 0
        arrays = [i for i in n.inputs[first:] if not (i.op == "constant" and _is_scalar(i.value))]
        if op in _COMPARE:
            want = np.result_type(*[i.dtype for i in arrays], *[i.value for i in n.inputs
                                   if i.op == "constant" and _is_scalar(i.value)]) \
                if all(i.dtype is not None for i in arrays) and arrays else None
            want = None if want is None else np.dtype(want)
        else:
            want = n.dtype
        for k in range(first, len(ins)):
            inp = n.inputs[k]
            if not (inp.op == "constant" and _is_scalar(inp.value)):
                ins[k] = _cast_to(b, ins[k], inp.dtype, want)
            elif want is not None and want.kind != "b":
                ins[k] = b.const(inp.value, want)
    if op in ("sum", "max", "min", "softplus", "erf") and n.inputs[0].dtype is not None \
            and n.inputs[0].dtype != n.dtype:
        ins[0] = _cast_to(b, ins[0], n.inputs[0].dtype, n.dtype)  # e.g. sum of bools
    if op in _SIMPLE:
        b.add(_SIMPLE[op], ins, out)
    elif op == "not_equal":
        b.add("Not", [b.add("Equal", ins)], out)
    elif op == "clip":
        lo = "" if a.get("lo") is None else b.const(a["lo"], n.dtype)
        hi = "" if a.get("hi") is None else b.const(a["hi"], n.dtype)
        b.add("Clip", [ins[0], lo, hi], out)
    elif op == "astype":
        b.add("Cast", ins, out, to=_elem_type(b.onnx, a["dtype"], "astype"))
    elif op in ("sum", "max", "min"):
        kind = {"sum": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin"}[op]
        axes = a.get("axis")
        extra = [] if axes is None else [b.ints(axes)]
        b.add(kind, ins + extra, out, keepdims=int(bool(a.get("keepdims"))))
    elif op == "reshape":
        b.add("Reshape", [ins[0], b.ints(a["shape"])], out)
    elif op == "transpose":
        if a["axes"] is None:
            b.add("Transpose", ins, out)
        else:
            b.add("Transpose", ins, out, perm=list(a["axes"]))
    elif op == "linear":
        prod = b.add("MatMul", [ins[0], b.add("Transpose", [ins[1]])])
        b.add("Add", [prod, ins[2]], out)
    elif op == "addmm":  # ONNX Gemm is exactly beta * C + alpha * (A @ B)
        c, x, y = (_cast_to(b, i, m.dtype, n.dtype) for i, m in zip(ins, n.inputs))
        b.add("Gemm", [x, y, c], out, alpha=float(a["alpha"]), beta=float(a["beta"]))
    elif op == "erf":
        if n.dtype == np.float64:
            # onnxruntime has no float64 Erf kernel: compute in float32 (about 1e-7).
            r = b.add("Erf", [_cast_to(b, ins[0], n.dtype, np.float32)])
            b.add("Cast", [r], out, to=_elem_type(b.onnx, n.dtype, "erf"))
        else:
            b.add("Erf", ins, out)
    elif op == "argmax":
        axes, keep = a.get("axis"), int(bool(a.get("keepdims")))
        if axes is None:  # of the flattened array
            flat = b.add("Reshape", [ins[0], b.ints([-1])])
            r = b.add("ArgMax", [flat], axis=0, keepdims=0)
            if keep:
                b.add("Reshape", [r, b.ints([1] * len(n.inputs[0].shape))], out)
            else:
                b.add("Identity", [r], out)
        else:
            b.add("ArgMax", ins, out, axis=int(axes[0]), keepdims=keep)
    elif op == "log_softmax":
        x = _cast_to(b, ins[0], n.inputs[0].dtype, n.dtype)
        axes = a["axis"]
        if axes is not None and len(axes) == 1:
            b.add("LogSoftmax", [x], out, axis=int(axes[0]))
        else:
            extra = [] if axes is None else [b.ints(axes)]
            s = b.add("Sub", [x, b.add("ReduceMax", [x] + extra, keepdims=1)])
            lse = b.add("Log", [b.add("ReduceSum", [b.add("Exp", [s])] + extra, keepdims=1)])
            b.add("Sub", [s, lse], out)
    elif op == "masked":
        zero = b.const(np.zeros((), dtype=n.dtype))
        b.add("Where", [_cast_to(b, ins[1], n.inputs[1].dtype, np.bool_), ins[0], zero], out)
    elif op == "reshape_like":
        b.add("Reshape", [ins[0], b.add("Shape", [ins[1]])], out)
    elif op == "reduced_count":
        if a.get("axis") is None:
            size = b.add("Size", [ins[0]])
        else:
            dims = b.add("Gather", [b.add("Shape", [ins[0]]), b.ints(a["axis"])], axis=0)
            size = b.add("ReduceProd", [dims], keepdims=0)
        b.add("Cast", [size], out, to=_elem_type(b.onnx, n.dtype, "count"))
    elif op == "swapaxes":
        nd = len(_needs_known_shape(n))
        perm = list(range(nd))
        i, j = a["axis1"] % nd, a["axis2"] % nd
        perm[i], perm[j] = perm[j], perm[i]
        b.add("Transpose", ins, out, perm=perm)
    elif op == "expand_dims":
        b.add("Unsqueeze", [ins[0], b.ints(a["axis"])], out)
    elif op == "squeeze":
        b.add("Squeeze", [ins[0], b.ints(a["axis"])], out)
    elif op == "broadcast_to":
        b.add("Expand", [ins[0], b.ints(a["shape"])], out)
    elif op in ("sum_to", "sum_to_like", "broadcast_like"):
        src = _needs_known_shape(n)
        target = tuple(a["shape"]) if op == "sum_to" else _needs_known_shape(n, 1)
        if op == "broadcast_like":
            b.add("Expand", [ins[0], b.ints(target)], out)
            return
        lead = len(src) - len(target)
        axes = list(range(lead)) + [k + lead for k, d in enumerate(target)
                                    if d == 1 and src[k + lead] != 1]
        r = b.add("ReduceSum", [ins[0], b.ints(axes)], keepdims=1) if axes else ins[0]
        b.add("Reshape", [r, b.ints(target)], out)
    elif op == "concatenate":
        b.add("Concat", ins, out, axis=int(a["axis"]))
    elif op == "stack":
        parts = [b.add("Unsqueeze", [x, b.ints([a["axis"]])]) for x in ins]
        b.add("Concat", parts, out, axis=int(a["axis"]))
    elif op in ("zeros_like", "ones_like"):
        fill = np.zeros(1, n.dtype) if op == "zeros_like" else np.ones(1, n.dtype)
        shape = b.add("Shape", ins)
        b.add("ConstantOfShape", [shape], out,
              value=b.onnx.numpy_helper.from_array(fill, b.fresh("fill")))
    elif op == "getitem":
        _emit_getitem(b, n, ins[0], a["index"], out)
    else:  # pragma: no cover - filtered before emitting
        raise ValueError(f"to_onnx: no mapping for op {op!r}")


def _emit_getitem(b: _Builder, n: Symbol, x: str, index: Any, out: str) -> None:
    items = index if isinstance(index, tuple) else (index,)
    if len(items) == 1 and isinstance(items[0], np.ndarray) and items[0].dtype.kind in "iu":
        b.add("Gather", [x, b.const(items[0].astype(np.int64))], out, axis=0)
        return
    if any(not isinstance(i, (int, slice)) for i in items):
        raise ValueError(f"to_onnx: node {n.name!r}: only int, slice and a single integer-array "
                         f"index are exported, got {index!r}")
    starts, ends, axes, steps, drop = [], [], [], [], []
    big = np.iinfo(np.int64).max
    for ax, i in enumerate(items):
        if isinstance(i, int):
            starts.append(i)
            ends.append(i + 1 if i != -1 else big)
            steps.append(1)
            axes.append(ax)
            drop.append(ax)
        elif i != slice(None):
            step = 1 if i.step is None else i.step
            starts.append(i.start if i.start is not None else (0 if step > 0 else -1))
            ends.append(i.stop if i.stop is not None else (big if step > 0 else -big))
            steps.append(step)
            axes.append(ax)
    y = x
    if axes:
        y = b.add("Slice", [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)],
                  None if drop else out)
    if drop:
        b.add("Squeeze", [y, b.ints(drop)], out)
    elif not axes:
        b.add("Identity", [x], out)


def to_onnx(graph: Graph, path: str, outputs: Any = None) -> Any:
    """Write ``graph`` as an ONNX model to ``path`` and return the ModelProto."""
    try:
        import onnx
    except ImportError:
        raise ImportError("to_onnx needs the onnx package: pip install 'compgraph[onnx]'") from None
    outs = graph.outputs() if outputs is None else graph._outputs(outputs, "to_onnx")[0]
    order = graph.needed(outs)
    missing = sorted({n.op for n in order if n.op not in _HANDLED
                      and n.op not in ("input", "constant")})
    if missing:
        raise ValueError(f"to_onnx: no ONNX mapping for op(s) {missing}")
    b = _Builder(onnx, graph)
    inputs = []
    for n in order:
        if n.op == "input":
            b.names[id(n)] = n.name
            inputs.append(_value_info(onnx, n, n.name))
        elif n.op == "constant":
            if not _is_scalar(n.value):
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
    model = onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="compgraph")
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model
