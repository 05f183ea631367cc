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
  ``{"t": "slice", "v": [start, stop, step]}``, ``{"t": "ellipsis"}``, ``{"t": "str"}``,
  ``{"t": "dtype", "v": "float32"}``, ``{"t": "array", "v": "a3", "shape": [2, 3],
  "dtype": "<f8"}`` (an array in the archive; files written before shape and dtype
  were recorded lack them).
- ``a0``, ``a1``, ...: the arrays (constants and array attributes).

Loading checks every field: op names must be registered, inputs must refer to
earlier nodes, attribute names must be attributes the op declares (never an input's
name, nor a NumPy call keyword such as ``out`` or ``where``: a file cannot make an op
write into an array or skip elements), values must be of the kind the attribute takes
(an ``axis`` is None or ints ...), tags and dtypes must be known and numeric.  Arrays
are read from their ``.npy`` headers first: an entry whose shape or dtype differs
from the document's, an entry the document does not name (never decompressed), or
arrays adding up to more than the file can honestly hold (a zip bomb) are refused.
Anything else is rejected with a ValueError naming the file.  Saving writes a
temporary file and renames it: a failed save leaves the previous file intact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.fileio import NUMERIC_KINDS, NpzArchive, atomic_write, write_npz
from ..ops.meta import Meta, infer
from ..ops.registry import OPS
from .ir import is_scalar

__all__ = ["save", "load", "FORMAT", "VERSION", "MAX_EXPANSION", "MIN_BUDGET"]

FORMAT = "compgraph-graph"
VERSION = 1
_MAX_NODES = 10_000_000
_DOC = "graph.json"
#: Arrays read from a graph file may add up to at most ``MAX_EXPANSION`` times the
#: file's size (or ``MIN_BUDGET`` bytes if more): compgraph stores arrays
#: uncompressed, so an honest file holds at least the bytes it declares, while a zip
#: bomb declares far more than it holds.
MAX_EXPANSION = 16
MIN_BUDGET = 16 << 20

# Keywords of NumPy's calls that steer where and how a result is written (into an
# existing array, only some elements), never what an op computes: no file may set
# them, whatever an op's forward accepts.
_STEERING = frozenset({"out", "where", "casting", "order", "subok", "signature", "extobj"})


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
        if isinstance(v, str):  # (fft's norm, qr's mode, einsum's subscripts ...)
            return {"t": "str", "v": v}
        if isinstance(v, (np.ndarray, np.generic)):
            return self._array(v)
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

    def _array(self, v: Any) -> dict:
        arr = np.asarray(v)
        if arr.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"Graph.save: cannot store an array of {arr.dtype} (not numbers)")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        # shape and dtype let the reader check the entry's header before reading it
        return {
            "t": "array",
            "v": key,
            "scalar": isinstance(v, np.generic),
            "shape": list(arr.shape),
            "dtype": arr.dtype.str,
        }


def _check_attr_name(op: str, key: Any, opdef: Any = None) -> str | None:
    """Why ``op`` (declared by ``opdef``, default: the registry's) cannot have an
    attribute ``key`` (None: it can)."""
    if not isinstance(key, str) or not key.isidentifier():
        return "not a name"
    if key in _STEERING:
        return "a NumPy call keyword, not an attribute"
    opdef = opdef if opdef is not None else OPS.get(op)
    if opdef is None:  # inputs and constants have no attributes
        return "not an attribute"
    allowed = opdef.attr_names
    if allowed is None:  # a forward taking **kwargs: any name but NumPy's dtype
        return "a NumPy call keyword, not an attribute" if key == "dtype" else None
    return None if key in allowed else "not an attribute the op declares"


def _record_of(n: Any, w: _Writer, index: dict) -> dict:
    """One node's JSON record (attributes the loader would refuse fail here already)."""
    for k in n.attrs:
        why = _check_attr_name(n.op, k, n.opdef)
        if why is not None:
            raise ValueError(f"Graph.save: node {n.name!r}: attribute {k!r} of {n.op}: {why}")
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
    return rec


def save(graph: Any, path: str) -> None:
    """Write ``graph`` to ``path`` (see the module docstring for the format), atomically:
    if anything fails the previous file stays as it was."""
    w = _Writer()
    index = {id(n): k for k, n in enumerate(graph.nodes)}
    nodes = [_record_of(n, w, index) for n in graph.nodes]
    doc = {"format": FORMAT, "version": VERSION, "nodes": nodes}
    payload = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    members = [(_DOC, payload), *w.arrays.items()]  # arrays are a0, a1, ...
    atomic_write(path, lambda fh: write_npz(fh, members))


def _bad(msg: str) -> ValueError:
    return ValueError(f"Graph.load: {msg}")


def _dtype(name: Any) -> np.dtype:
    if not isinstance(name, str) or len(name) > 64:
        raise _bad(f"dtype must be a string, got {str(name)[:80]!r}")
    try:
        dt = np.dtype(name)
    except TypeError:
        raise _bad(f"unknown dtype {name!r}") from None
    if dt.kind not in NUMERIC_KINDS or dt.names is not None or dt.subdtype is not None:
        raise _bad(f"dtype {name!r} is not numeric")
    return dt


def _shape(v: Any) -> tuple | None:
    """A list of non-negative ints as a tuple (None if it is not one)."""
    if not isinstance(v, list) or len(v) > 64:
        return None
    if any(type(d) is not int or d < 0 for d in v):
        return None
    return tuple(v)


class _Reader:
    """Decodes tagged values; arrays come from the archive, checked against the tag."""

    def __init__(self, archive: NpzArchive):
        self.archive = archive
        self.cache: dict[str, np.ndarray] = {}

    def dec(self, v: Any, depth: int = 0) -> Any:
        if depth > 32 or not isinstance(v, dict) or "t" not in v:
            raise _bad(f"malformed value {str(v)[:80]!r}")
        t = v["t"]
        if t in ("none", "bool", "int", "float", "ellipsis", "dtype", "str"):
            return self._scalar(t, v)
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
            if any(p is not None and not _is_int(p) for p in parts):
                raise _bad("slice bounds must be ints or null")
            return slice(*parts)
        if t == "array":
            return self._array(v)
        raise _bad(f"unknown value tag {str(t)[:80]!r}")

    def _scalar(self, t: str, v: dict) -> Any:
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
        if t == "ellipsis":
            return Ellipsis
        if t == "str":
            if not isinstance(v.get("v"), str) or len(v["v"]) > 256:
                raise _bad("a string of at most 256 characters expected")
            return v["v"]
        return _dtype(v.get("v"))

    def _array(self, v: dict) -> Any:
        key = v.get("v")
        if not isinstance(key, str) or key == _DOC or key not in self.archive.entries:
            raise _bad(f"missing array {str(key)[:80]!r}")
        shape = None if v.get("shape") is None else _shape(v.get("shape"))
        if v.get("shape") is not None and shape is None:
            raise _bad(f"array {key!r}: bad shape {str(v.get('shape'))[:80]}")
        dtype = None if v.get("dtype") is None else _dtype(v.get("dtype"))
        if v.get("scalar") and shape not in (None, ()):
            raise _bad(f"array {key!r}: a scalar has shape (), not {shape}")
        arr = self.cache.get(key)
        if arr is None:
            arr = self.cache[key] = self.archive.read(key, shape, dtype)
        elif (shape is not None and arr.shape != shape) or (
            dtype is not None and arr.dtype != dtype
        ):
            raise _bad(f"array {key!r} is declared twice, differently")
        if v.get("scalar"):
            if arr.shape != ():
                raise _bad(f"array {key!r}: a scalar has shape (), not {arr.shape}")
            return arr[()]
        return arr


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ints(v: Any) -> bool:
    return isinstance(v, (tuple, list)) and len(v) <= 64 and all(_is_int(x) for x in v)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))


def _index_part(v: Any) -> bool:
    if v is None or v is Ellipsis or _is_int(v) or isinstance(v, slice):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind in "biu"


def _index(v: Any) -> bool:
    if isinstance(v, (tuple, list)):
        return len(v) <= 64 and all(_index_part(x) or _ints(x) for x in v)
    return _index_part(v)


def _pair(low: int) -> Callable[[Any], bool]:
    """An int or an (h, w) pair of ints, each at least ``low`` (convolution geometry:
    im2col makes a strided view from these, so they must be sane)."""
    return lambda v: (_is_int(v) and v >= low) or (_ints(v) and len(v) == 2 and min(v) >= low)


def _bound(v: Any) -> bool:
    return v is None or _is_number(v) or isinstance(v, np.ndarray)


# The kind of value each attribute name takes (names not listed take any decoded value;
# the op's shape rule, run on every loaded node, checks them further).
_KINDS: dict[str, Callable[[Any], bool]] = {
    "axis": lambda v: v is None or _is_int(v) or _ints(v),
    "axes": lambda v: v is None or _ints(v),
    "axis1": _is_int,
    "axis2": _is_int,
    "keepdims": lambda v: isinstance(v, (bool, np.bool_)),
    "shape": lambda v: _ints(v) and all(d >= -1 for d in v),  # (reshape's -1)
    "dtype": lambda v: isinstance(v, np.dtype),
    "kh": lambda v: _is_int(v) and v > 0,
    "kw": lambda v: _is_int(v) and v > 0,
    "stride": _pair(1),
    "pad": _pair(0),
    "dilation": _pair(1),
    "alpha": _is_number,
    "beta": _is_number,
    "lo": _bound,
    "hi": _bound,
    "index": _index,
    "nondiff": lambda v: isinstance(v, tuple),
}


def _attrs(name: str, op: str, attrs_raw: Any, r: _Reader) -> dict:
    """A node's attributes: each a name the op declares, with a value of the right kind."""
    if not isinstance(attrs_raw, dict):
        raise _bad(f"node {name!r}: attrs must be an object")
    attrs = {}
    for key, val in attrs_raw.items():
        why = _check_attr_name(op, key)
        if why is not None:
            raise _bad(f"node {name!r}: op {op!r} has no attribute {str(key)[:80]!r} ({why})")
        value = r.dec(val)
        check = _KINDS.get(key)
        if check is not None and not check(value):
            raise _bad(f"node {name!r}: attribute {key!r} cannot be {str(value)[:80]!r}")
        attrs[key] = value
    return attrs


def _unknown_op(name: str, op: Any) -> ValueError:
    text = str(op)[:200]
    if isinstance(op, str) and ":" in op:
        return _bad(
            f"node {name!r}: the user-defined op {text!r} is not defined in this "
            f"program; define it under that name (import the module that declares "
            f"it) before loading: loading never imports or runs code named in a file"
        )
    return _bad(f"node {name!r}: unknown op {text[:80]!r}")


def _open(path: str) -> NpzArchive:
    """The archive, with a byte budget an honest file of its size never exceeds."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as err:
        raise _bad(f"cannot read {path!r} ({err})") from None
    if magic[:2] != b"PK":
        raise _bad(f"{path!r} is not a compgraph graph file (not an .npz archive)")
    archive = NpzArchive(path, "Graph.load")
    archive.budget = max(MIN_BUDGET, MAX_EXPANSION * archive.size)
    try:
        for key in archive.names:
            # Headers only (no entry's data): a file holding anything but numbers is
            # malformed, even in an entry the document does not name.
            archive.header(key)
    except ValueError:
        archive.close()
        raise
    return archive


def _read_document(archive: NpzArchive) -> dict:
    """The JSON document of a graph file, checked for format and version."""
    if _DOC not in archive.entries:
        raise archive.error(f"is not a compgraph graph file (no {_DOC} entry)")
    head = archive.header(_DOC)
    if head.dtype != np.uint8 or len(head.shape) != 1:
        raise _bad(f"{_DOC} must be stored as bytes")
    raw = archive.read(_DOC)
    try:
        doc = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise _bad(f"{_DOC} is not valid JSON ({type(err).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(f"not a {FORMAT} document")
    if type(doc.get("version")) is not int or doc.get("version") != VERSION:
        raise _bad(f"unsupported version {doc.get('version')!r} (this compgraph reads {VERSION})")
    if not isinstance(doc.get("nodes"), list) or len(doc["nodes"]) > _MAX_NODES:
        raise _bad("nodes must be a list")
    return doc


def _record(g: Any, r: _Reader, k: int, rec: Any) -> tuple:
    """One node record's fields, each checked: (name, op, inputs, shape, dtype, attrs)."""
    if not isinstance(rec, dict):
        raise _bad(f"node {k} is not an object")
    name, op = rec.get("name"), rec.get("op")
    if not isinstance(name, str) or not name or len(name) > 1000:
        raise _bad(f"node {k}: bad name {str(name)[:80]!r}")
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
        raise _bad(f"node {name!r}: bad shape {str(shape)[:80]}")
    dtype = None if rec.get("dtype") is None else _dtype(rec.get("dtype"))
    attrs = _attrs(name, op, rec.get("attrs", {}), r)
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
    malformed (with a ValueError naming the file)."""
    try:
        with _open(path) as archive:
            return _build(_read_document(archive), _Reader(archive), cls)
    except ValueError as err:
        msg = str(err)
        if repr(str(path)) in msg:
            raise
        raise ValueError(f"{msg} (in {str(path)!r})") from None


def _build(doc: dict, r: _Reader, cls: type) -> Any:
    """The graph a checked document describes, node by node."""
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
