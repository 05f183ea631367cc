"""``gemm`` with ``beta``: ``c = alpha * a @ b + beta * c`` in place, via NumPy's own BLAS.

NumPy's ``matmul`` always writes a fresh product, so an update such as SGD's
``w - lr * g.T @ h`` costs a product and then two more passes over the weight
(scale and subtract), single-threaded.  BLAS's gemm does it in one multithreaded
pass.  NumPy's Linux and Windows wheels bundle OpenBLAS (``numpy.libs``) and
export its CBLAS interface, so we call that library through :mod:`ctypes`: no new
dependency, and the same library and thread pool NumPy's ``matmul`` uses.

:func:`gemm` returns False when it cannot run (no bundled OpenBLAS found, another
dtype, a layout BLAS cannot take, or ``COMPGRAPH_BLAS=0`` in the environment);
callers then use NumPy.  The library is checked against NumPy on a small product
before it is first used.
"""

from __future__ import annotations

import ctypes
import glob
import os
from typing import Any

import numpy as np

__all__ = ["gemm", "axpy", "available", "MIN_ELEMENTS"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# (file pattern inside NumPy's bundled-library folder, symbol prefix, symbol suffix)
_CANDIDATES = (
    ("libscipy_openblas64_*", "scipy_cblas_", "64_"),  # NumPy >= 2.0 wheels
    ("libopenblas64_*", "cblas_", "64_"),
)  # NumPy 1.2x wheels
_state: dict[str, Any] = {}
# Below this many result elements a call through ctypes (about 10 µs with its checks)
# costs more than NumPy's extra pass saves: measured break-even near 32k for both gemm
# (a 256 x 128 result) and axpy.  Callers then get False and use NumPy.
MIN_ELEMENTS = 1 << 15


def _library_dirs() -> list[str]:
    root = os.path.dirname(os.path.abspath(np.__file__))
    return [os.path.join(os.path.dirname(root), "numpy.libs"), os.path.join(root, ".dylibs")]


def _load() -> dict | None:
    if os.environ.get("COMPGRAPH_BLAS", "1") == "0":
        return None
    for d in _library_dirs():
        for pattern, prefix, suffix in _CANDIDATES:
            for path in sorted(glob.glob(os.path.join(d, pattern))):
                try:
                    lib = ctypes.CDLL(path)
                    fns = {
                        dt: getattr(lib, f"{prefix}{c}gemm{suffix}")
                        for dt, c in ((np.dtype(np.float32), "s"), (np.dtype(np.float64), "d"))
                    }
                    axpys = {
                        dt: getattr(lib, f"{prefix}{c}axpy{suffix}")
                        for dt, c in ((np.dtype(np.float32), "s"), (np.dtype(np.float64), "d"))
                    }
                except (OSError, AttributeError):
                    continue
                idx, ptr, ci = ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
                for dt, f in fns.items():
                    real = ctypes.c_float if dt == np.float32 else ctypes.c_double
                    f.argtypes = [
                        ci,
                        ci,
                        ci,
                        idx,
                        idx,
                        idx,
                        real,
                        ptr,
                        idx,
                        ptr,
                        idx,
                        real,
                        ptr,
                        idx,
                    ]
                    f.restype = None
                    axpys[dt].argtypes = [idx, real, ptr, idx, ptr, idx]
                    axpys[dt].restype = None
                if _self_test(fns, axpys):
                    return {"gemm": fns, "axpy": axpys}
    return None


def _self_test(fns: dict, axpys: dict) -> bool:
    rng = np.random.default_rng(0)
    for dt in fns:
        x, y = rng.standard_normal(5).astype(dt), rng.standard_normal(5).astype(dt)
        want = y - 0.5 * x
        axpys[dt](5, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)
        if not np.allclose(y, want, rtol=1e-5, atol=1e-6):
            return False
        a = rng.standard_normal((3, 4)).astype(dt)
        b = rng.standard_normal((5, 4)).astype(dt).T  # F-ordered: exercises the transpose flag
        c = rng.standard_normal((3, 5)).astype(dt)
        want = -0.5 * (a @ b) + 2.0 * c
        got = c.copy()
        _call(fns[dt], -0.5, a, b, 2.0, got)
        if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
            return False
    return True


def _layout(a: np.ndarray) -> tuple[int, int] | None:
    """(transpose flag, leading dimension) for a 2-D operand, or None if BLAS can't read it."""
    if a.flags.c_contiguous:
        return _NO_TRANS, max(1, a.shape[1])
    if a.flags.f_contiguous:
        return _TRANS, max(1, a.shape[0])
    return None


def _call(fn: Any, alpha: float, a: np.ndarray, b: np.ndarray, beta: float, c: np.ndarray) -> None:
    (m, k), n = a.shape, b.shape[1]
    ta, lda = _layout(a)  # type: ignore[misc]
    tb, ldb = _layout(b)  # type: ignore[misc]
    fn(
        _ROW_MAJOR,
        ta,
        tb,
        m,
        n,
        k,
        float(alpha),
        a.ctypes.data,
        lda,
        b.ctypes.data,
        ldb,
        float(beta),
        c.ctypes.data,
        max(1, n),
    )


def available() -> bool:
    """Whether a BLAS gemm was found (loaded and checked on first call)."""
    return _lib() is not None


def _lib() -> dict | None:
    if "fns" not in _state:
        _state["fns"] = _load()
    return _state["fns"]


def gemm(alpha: float, a: Any, b: Any, beta: float, c: Any) -> bool:
    """``c[...] = alpha * (a @ b) + beta * c`` in place; False (c untouched) if BLAS can't,
    or if c has fewer than :data:`MIN_ELEMENTS` elements (NumPy is faster there).

    ``a`` (m, k) and ``b`` (k, n) must be C- or F-contiguous, ``c`` (m, n) C-contiguous,
    writeable and not overlapping them, all of one dtype, float32 or float64.
    """
    if type(c) is not np.ndarray or c.size < MIN_ELEMENTS:
        return False
    lib = _lib()
    if lib is None or type(a) is not np.ndarray or type(b) is not np.ndarray:
        return False
    fn = lib["gemm"].get(c.dtype)
    if (
        fn is None
        or a.dtype != c.dtype
        or b.dtype != c.dtype
        or a.ndim != 2
        or b.ndim != 2
        or c.ndim != 2
    ):
        return False
    (m, k), (k2, n) = a.shape, b.shape
    if (
        k != k2
        or c.shape != (m, n)
        or 0 in (m, n, k)
        or not c.flags.c_contiguous
        or not c.flags.writeable
        or not (a.flags.aligned and b.flags.aligned and c.flags.aligned)
    ):
        return False
    if _layout(a) is None or _layout(b) is None:
        return False
    if np.may_share_memory(c, a) or np.may_share_memory(c, b):
        return False
    _call(fn, alpha, a, b, beta, c)
    return True


def axpy(alpha: float, x: Any, y: Any) -> bool:
    """``y += alpha * x`` in place, one pass; False (y untouched) if BLAS can't, or if y
    has fewer than :data:`MIN_ELEMENTS` elements.

    ``x`` and ``y`` must be C-contiguous arrays of one shape and one dtype (float32 or
    float64), ``y`` writeable and not overlapping ``x``.  An optimiser's ``p -= lr * g``
    is then one pass and no temporary, instead of two passes and a temporary.
    """
    if type(y) is not np.ndarray or y.size < MIN_ELEMENTS:
        return False
    lib = _lib()
    if lib is None or type(x) is not np.ndarray:
        return False
    fn = lib["axpy"].get(y.dtype)
    if (
        fn is None
        or x.dtype != y.dtype
        or x.shape != y.shape
        or y.size == 0
        or not (
            x.flags.c_contiguous
            and y.flags.c_contiguous
            and y.flags.writeable
            and x.flags.aligned
            and y.flags.aligned
        )
        or np.may_share_memory(x, y)
    ):
        return False
    fn(y.size, float(alpha), x.ctypes.data, 1, y.ctypes.data, 1)
    return True
