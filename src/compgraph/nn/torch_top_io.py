"""``torch.save`` / ``torch.load`` without pickle: the arrays go into a NumPy ``.npz``
beside a JSON description of the structure that held them, and loading reads it back
with ``np.load(allow_pickle=False)``, so a file can never run code.

What can be saved: Tensors (their ``requires_grad`` kept), Parameters, ndarrays, NumPy
scalars, dtypes, ``None``, bools, ints, floats, complex numbers, strings, and lists,
tuples, dicts and OrderedDicts of these (a ``state_dict``).  Anything else (a Module, a
function, an arbitrary object) raises TypeError naming its type: torch pickles those,
which this format refuses to do.  Files torch wrote (pickles) are refused on loading.
"""

from __future__ import annotations

import collections
import io
import json
import os
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from .module import Parameter

__all__ = ["save", "load"]

_KEY = "__compgraph_structure__"
_FORMAT = "compgraph-save-1"


def _encode(obj: Any, arrays: dict, path: str) -> Any:
    if isinstance(obj, Tensor):
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(obj.detach().numpy())
        kind = "parameter" if isinstance(obj, Parameter) else "tensor"
        return {"t": kind, "k": key, "rg": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError(
                f"save: {path} is an object ndarray, which cannot be saved without pickle"
            )
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"t": "ndarray", "k": key}
    if isinstance(obj, np.generic):
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(obj)
        return {"t": "npscalar", "k": key}
    if isinstance(obj, np.dtype):
        return {"t": "dtype", "v": obj.str}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        if isinstance(obj, float) and not np.isfinite(obj):
            return {"t": "float", "v": repr(obj)}
        return {"t": "py", "v": obj}
    if isinstance(obj, complex):
        return {"t": "complex", "v": [repr(obj.real), repr(obj.imag)]}
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        items = [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)]
        return {"t": type(obj).__name__, "v": items}
    if type(obj) in (dict, collections.OrderedDict):
        pairs = [
            [_encode(k, arrays, f"{path} key {k!r}"), _encode(v, arrays, f"{path}[{k!r}]")]
            for k, v in obj.items()
        ]
        return {"t": "odict" if isinstance(obj, collections.OrderedDict) else "dict", "v": pairs}
    raise TypeError(
        f"save: {path} is a {type(obj).__module__}.{type(obj).__qualname__}; compgraph saves "
        "tensors, arrays, numbers, strings, None and lists/tuples/dicts of them without "
        "pickle (save a Module's state_dict() instead of the Module)"
    )


def _decode(node: Any, arrays: Any) -> Any:
    kind = node["t"]
    if kind in ("tensor", "parameter"):
        arr = arrays[node["k"]]
        if kind == "parameter":
            return Parameter(cg.as_tensor(arr), requires_grad=node["rg"])
        t = cg.as_tensor(arr.copy())
        return t.requires_grad_(True) if node["rg"] else t
    if kind == "ndarray":
        return arrays[node["k"]]
    if kind == "npscalar":
        return arrays[node["k"]][()]
    if kind == "dtype":
        return np.dtype(node["v"])
    if kind == "py":
        return node["v"]
    if kind == "float":
        return float(node["v"])
    if kind == "complex":
        return complex(float(node["v"][0]), float(node["v"][1]))
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in node["v"]]
        return items if kind == "list" else tuple(items)
    if kind in ("dict", "odict"):
        pairs = [(_decode(k, arrays), _decode(v, arrays)) for k, v in node["v"]]
        return collections.OrderedDict(pairs) if kind == "odict" else dict(pairs)
    raise ValueError(f"load: unknown entry kind {kind!r} in the file's structure")


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """``torch.save(obj, f)``: ``f`` a path or a binary file object; the file is an
    ``.npz`` (NumPy's zip of arrays) whatever its name (no ``.npz`` is appended)."""
    if pickle_module is not None:
        raise TypeError("save: compgraph never pickles; pickle_module is not supported")
    arrays: dict = {}
    structure = {"format": _FORMAT, "root": _encode(obj, arrays, "obj")}
    arrays[_KEY] = np.array(json.dumps(structure))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            np.savez(fh, **arrays)
    else:
        np.savez(f, **arrays)


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """``torch.load(f)``: what :func:`save` wrote.  ``map_location`` may name the CPU
    (or be None); ``weights_only`` is accepted (loading never runs code either way).
    Files that are not compgraph's (torch's pickles included) raise ValueError."""
    if pickle_module is not None:
        raise TypeError("load: compgraph never unpickles; pickle_module is not supported")
    if map_location is not None and not (
        isinstance(map_location, str)
        and map_location.split(":")[0] == "cpu"
        or str(map_location) == "cpu"
    ):
        raise ValueError(f"load: compgraph keeps tensors on the CPU; map_location={map_location!r}")
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(f, "rb") as fh:
            data = fh.read()
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as err:
        raise ValueError(
            "load: this file holds pickled data, which compgraph never loads (it could run "
            "code); save it again with compgraph's save"
        ) from err
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError("load: not a file written by compgraph's save (a bare .npy array)")
    with npz:
        if _KEY not in npz.files:
            raise ValueError(
                "load: not a file written by compgraph's save (no structure record); "
                "torch's own files are pickles, which compgraph does not read"
            )
        try:
            structure = json.loads(str(npz[_KEY][()]))
            arrays = {k: npz[k] for k in npz.files if k != _KEY}
        except (ValueError, KeyError) as err:
            raise ValueError(f"load: the file is damaged or holds pickled data ({err})") from err
    if structure.get("format") != _FORMAT:
        raise ValueError(f"load: unknown format {structure.get('format')!r}")
    return _decode(structure["root"], arrays)
