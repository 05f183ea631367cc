"""Saving and loading static graphs: a versioned format with no pickle and no eval.

The file is a NumPy ``.npz`` archive (read with ``allow_pickle=False``) holding:

- ``graph.json``: the structure, as UTF-8 JSON bytes::

    {"format": "compgraph-graph", "version": 1,
     "nodes": [{"name": "a", "op": "input", "inputs": [], "attrs": {},
                "shape": [null, 3] | null, "dtype": "float64" | null,
                "value": <encoded constant, for op "constant" only>}, ...]}

  ``inputs`` are indices of earlier nodes.  Attribute values and constants are
  tagged: ``{"t": "int", "v": 3}``, ``{"t": "float", "v": "0.5"}`` (repr, so inf
  and nan survive), ``{"t": "bool"}``, ``{"t": "none"}``, ``{"t": "tuple", "v": [...]}``,
  ``{"t": "slice", "v": [start, stop, step]}``, ``{"t": "ellipsis"}``,
  ``{"t": "dtype", "v": "float32"}``, ``{"t": "array", "v": "a3"}`` (an array in the archive).
- ``a0``, ``a1``, ...: the arrays (constants and array attributes).

Loading checks every field: op names must be registered, inputs must refer to
earlier nodes, attribute names must be parameters of the op, tags and dtypes
must be known and numeric.  Anything else is rejected with a ValueError.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..ops.meta import Meta, infer
from ..ops.registry import OPS
from .ir import is_scalar

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "compgraph-graph"
VERSION = 1
_MAX_NODES = 10_000_000


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def enc(self, v: Any) -> Any:
        if v is None:
            return {"t": "none"}
        if isinstance(v, (bool, np.bool_)):
            return {"t": "bool", "v": bool(v)}
        if isinstance(v, (int, np.integer)) and not isinstance(v, np.generic):
            return {"t": "int", "v": int(v)}
        if isinstance(v, float) and not isinstance(v, np.generic):
            return {"t": "float", "v": repr(v)}
        if isinstance(v, (np.ndarray, np.generic)):
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.asarray(v)
            return {"t": "array", "v": key, "scalar": isinstance(v, np.generic)}
        if isinstance(v, tuple):
            return {"t": "tuple", "v": [self.enc(x) for x in v]}
        if isinstance(v, list):
            return {"t": "list", "v": [self.enc(x) for x in v]}
        if isinstance(v, slice):
            return {"t": "slice", "v": [self.enc(v.start), self.enc(v.stop), self.enc(v.step)]}
        if v is Ellipsis:
            return {"t": "ellipsis"}
        if isinstance(v, np.dtype):
            return {"t": "dtype", "v": v.name}
        raise TypeError(f"Graph.save: cannot store an attribute of type {type(v).__name__}")


def save(graph: Any, path: str) -> None:
    """Write ``graph`` to ``path`` (see the module docstring for the format)."""
    w = _Writer()
    index = {id(n): k for k, n in enumerate(graph.nodes)}
    nodes = []
    for n in graph.nodes:
        rec: dict[str, Any] = {
            "name": n.name,
            "op": n.op,
            "inputs": [index[id(i)] for i in n.inputs],
            "attrs": {k: w.enc(v) for k, v in n.attrs.items()},
            "shape": None if n.shape is None else list(n.shape),
            "dtype": None if n.dtype is None else n.dtype.name,
        }
        if n.op == "constant":
            rec["value"] = w.enc(n.value)
        nodes.append(rec)
    doc = {"format": FORMAT, "version": VERSION, "nodes": nodes}
    payload = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    # One dict typed Any: with **ndarray dicts mypy fears a key named allow_pickle.
    members: dict[str, Any] = {"graph.json": payload, **w.arrays}  # arrays are a0, a1, ...
    with open(path, "wb") as fh:
        np.savez(fh, **members)


def _bad(msg: str) -> ValueError:
    return ValueError(f"Graph.load: {msg}")


def _dtype(name: Any) -> np.dtype:
    if not isinstance(name, str):
        raise _bad(f"dtype must be a string, got {name!r}")
    try:
        dt = np.dtype(name)
    except TypeError:
        raise _bad(f"unknown dtype {name!r}") from None
    if dt.kind not in "biufc":
        raise _bad(f"dtype {name!r} is not numeric")
    return dt


class _Reader:
    def __init__(self, arrays: Any):
        self.arrays = arrays

    def dec(self, v: Any, depth: int = 0) -> Any:
        if depth > 32 or not isinstance(v, dict) or "t" not in v:
            raise _bad(f"malformed value {str(v)[:80]!r}")
        t = v["t"]
        if t == "none":
            return None
        if t == "bool":
            return bool(v.get("v"))
        if t == "int":
            if not isinstance(v.get("v"), int) or isinstance(v.get("v"), bool):
                raise _bad("int value expected")
            return v["v"]
        if t == "float":
            s = v.get("v")
            if not isinstance(s, str) or len(s) > 64:
                raise _bad("float value expected")
            try:
                return float(s)  # float() parses numbers only: no code runs
            except ValueError:
                raise _bad(f"not a float: {s!r}") from None
        if t in ("tuple", "list"):
            items = v.get("v")
            if not isinstance(items, list):
                raise _bad(f"{t} value expected")
            out = [self.dec(x, depth + 1) for x in items]
            return tuple(out) if t == "tuple" else out
        if t == "slice":
            items = v.get("v")
            if not isinstance(items, list) or len(items) != 3:
                raise _bad("slice needs [start, stop, step]")
            parts = [self.dec(x, depth + 1) for x in items]
            if any(p is not None and not isinstance(p, int) for p in parts):
                raise _bad("slice bounds must be ints or null")
            return slice(*parts)
        if t == "ellipsis":
            return Ellipsis
        if t == "dtype":
            return _dtype(v.get("v"))
        if t == "array":
            key = v.get("v")
            if not isinstance(key, str) or key not in self.arrays or key == "graph.json":
                raise _bad(f"missing array {key!r}")
            arr = self.arrays[key]
            if arr.dtype.kind not in "biufc":
                raise _bad(f"array {key!r} is not numeric")
            return arr[()] if v.get("scalar") else arr
        raise _bad(f"unknown value tag {t!r}")


def _unknown_op(name: str, op: Any) -> ValueError:
    text = str(op)[:200]
    if isinstance(op, str) and ":" in op:
        return _bad(
            f"node {name!r}: the user-defined op {text!r} is not defined in this "
            f"program; define it under that name (import the module that declares "
            f"it) before loading: loading never imports or runs code named in a file"
        )
    return _bad(f"node {name!r}: unknown op {text[:80]!r}")


def _read_document(path: str) -> tuple[dict, dict]:
    """The JSON document and the arrays of a graph file, checked for shape and types."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as err:
        raise _bad(f"cannot read {path!r} ({err})") from None
    if magic[:2] != b"PK":
        raise _bad(f"{path!r} is not a compgraph graph file (not an .npz archive)")
    try:
        archive = np.load(path, allow_pickle=False)
        with archive:
            if "graph.json" not in archive.files:
                raise _bad(f"{path!r} has no graph.json entry")
            raw = archive["graph.json"]
            arrays = {k: archive[k] for k in archive.files if k != "graph.json"}
    except ValueError:
        raise
    except Exception as err:  # a damaged archive: zip, CRC or .npy header errors
        raise _bad(
            f"{path!r} is not a readable compgraph graph file ({type(err).__name__}: {err})"
        ) from None
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1:
        raise _bad("graph.json must be stored as bytes")
    for k, v in arrays.items():
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "biufc":
            raise _bad(f"entry {k!r} is not a numeric array")
    try:
        doc = json.loads(bytes(raw).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise _bad(f"graph.json is not valid JSON ({type(err).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(f"not a {FORMAT} document")
    if type(doc.get("version")) is not int or doc.get("version") != VERSION:
        raise _bad(f"unsupported version {doc.get('version')!r} (this compgraph reads {VERSION})")
    if not isinstance(doc.get("nodes"), list) or len(doc["nodes"]) > _MAX_NODES:
        raise _bad("nodes must be a list")
    return doc, arrays


def _record(g: Any, r: _Reader, k: int, rec: Any) -> tuple:
    """One node record's fields, each checked: (name, op, inputs, shape, dtype, attrs)."""
    if not isinstance(rec, dict):
        raise _bad(f"node {k} is not an object")
    name, op = rec.get("name"), rec.get("op")
    if not isinstance(name, str) or not name or len(name) > 1000:
        raise _bad(f"node {k}: bad name {name!r}")
    if name in g:
        raise _bad(f"node {k}: duplicate name {name!r}")
    if not isinstance(op, str) or (op not in ("input", "constant") and op not in OPS):
        raise _unknown_op(name, op)
    ins = rec.get("inputs", [])
    if not isinstance(ins, list) or any(
        not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < k for i in ins
    ):
        raise _bad(f"node {name!r}: inputs must be indices of earlier nodes")
    shape = rec.get("shape")
    if shape is not None and (
        not isinstance(shape, list)
        or any(
            d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0)
            for d in shape
        )
    ):
        raise _bad(f"node {name!r}: bad shape {shape!r}")
    dtype = None if rec.get("dtype") is None else _dtype(rec.get("dtype"))
    attrs_raw = rec.get("attrs", {})
    if not isinstance(attrs_raw, dict):
        raise _bad(f"node {name!r}: attrs must be an object")
    allowed = OPS[op].attr_names if op in OPS else set()
    attrs = {}
    for key, val in attrs_raw.items():
        if (
            not isinstance(key, str)
            or not key.isidentifier()
            or (allowed is not None and key not in allowed)
        ):
            raise _bad(f"node {name!r}: op {op!r} has no attribute {key!r}")
        attrs[key] = r.dec(val)
    return name, op, ins, shape, dtype, attrs


def _op_node(
    g: Any, name: str, op: str, operands: list, shape: Any, dtype: Any, attrs: dict
) -> Any:
    """An op node whose operand count, shape and dtype agree with the op's rules."""
    o = OPS[op]
    if not o.variadic and o.nargs is not None and len(operands) != o.nargs:
        raise _bad(f"node {name!r}: op {op!r} takes {o.nargs} input(s), got {len(operands)}")
    metas = [
        n.value if n.op == "constant" and is_scalar(n.value) else Meta(n.shape, n.dtype)
        for n in operands
    ]
    try:
        ishape, idtype = infer(o, metas, attrs)
    except Exception as err:  # a file must not be able to crash us any other way
        raise _bad(f"node {name!r}: {op} cannot take these operands ({err})") from None
    if ishape is not None and shape is not None and tuple(shape) != tuple(ishape):
        raise _bad(
            f"node {name!r}: recorded shape {tuple(shape)} but the operands give {tuple(ishape)}"
        )
    return g._add(
        op,
        operands,
        attrs,
        ishape if ishape is not None else (None if shape is None else tuple(shape)),
        idtype if idtype is not None else dtype,
        name=name,
        source=None,
    )


def load(path: str, cls: type) -> Any:
    """Read a graph written by :func:`save` into a new ``cls``, rejecting anything
    malformed."""
    doc, arrays = _read_document(path)
    r = _Reader(arrays)
    g = cls()
    built: list = []
    for k, rec in enumerate(doc["nodes"]):
        name, op, ins, shape, dtype, attrs = _record(g, r, k, rec)
        if op == "input":
            if ins or attrs:
                raise _bad(f"input {name!r} cannot have inputs or attributes")
            built.append(g.input(name, shape=None if shape is None else tuple(shape), dtype=dtype))
        elif op == "constant":
            if ins or attrs or "value" not in rec:
                raise _bad(f"constant {name!r} needs a value and nothing else")
            value = r.dec(rec["value"])
            if not isinstance(value, (bool, int, float, np.ndarray, np.generic)):
                raise _bad(f"constant {name!r} must be a number or an array")
            built.append(g.constant(value, name=name))
        else:
            built.append(_op_node(g, name, op, [built[i] for i in ins], shape, dtype, attrs))
    return g
