"""PyTorch's ``torch.set_num_threads`` and ``torch.get_num_threads``.

compgraph's only multithreaded work is NumPy's BLAS (matrix products), so these set and
read its thread count, through ``threadpoolctl`` (an optional dependency: the
``threads`` extra).  PyTorch's count is that of its own intra-op pool; here it is the
BLAS pools' (the largest, when NumPy has loaded more than one library).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = ["get_num_threads", "set_num_threads"]


def _threadpoolctl() -> Any:
    """``threadpoolctl``, imported on first use (optional, as SciPy for cg.special)."""
    try:
        return importlib.import_module("threadpoolctl")
    except ImportError:
        raise ImportError(
            "compgraph's set_num_threads/get_num_threads change the threads of NumPy's "
            "BLAS through threadpoolctl, which is not installed: pip install threadpoolctl "
            "(or compgraph[threads])"
        ) from None


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in NumPy's BLAS from now on (``torch.set_num_threads``).

    >>> import compgraph as cg
    >>> cg.set_num_threads(1)  # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    # Applied on construction and kept: the limiter only restores when used with `with`.
    _threadpoolctl().threadpool_limits(limits=int(n), user_api="blas")


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses (``torch.get_num_threads``); 1 when NumPy
    loaded no BLAS that threadpoolctl knows."""
    info = _threadpoolctl().threadpool_info()
    counts = [int(d["num_threads"]) for d in info if d.get("user_api") == "blas"]
    return max(counts) if counts else 1
