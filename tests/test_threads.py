"""cg.set_num_threads / cg.get_num_threads (PyTorch's names): the threads of NumPy's BLAS,
through threadpoolctl (optional: an ImportError naming it when it is missing)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import compgraph as cg


def test_set_and_get_change_numpys_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not any(d.get("user_api") == "blas" for d in threadpoolctl.threadpool_info()):
        pytest.skip("threadpoolctl sees no BLAS in this NumPy")
    before = cg.get_num_threads()
    try:
        cg.set_num_threads(1)
        assert cg.get_num_threads() == 1
        blas = [d for d in threadpoolctl.threadpool_info() if d["user_api"] == "blas"]
        assert all(d["num_threads"] == 1 for d in blas)
        a = np.ones((64, 64))
        np.testing.assert_array_equal((cg.tensor(a) @ a).numpy(), a @ a)
    finally:
        cg.set_num_threads(before)
    assert cg.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2", None])
def test_set_num_threads_refuses_what_is_not_a_positive_int(bad):
    with pytest.raises(ValueError, match="positive int"):
        cg.set_num_threads(bad)


def test_without_threadpoolctl_the_error_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import raises ImportError
    with pytest.raises(ImportError, match="threadpoolctl"):
        cg.set_num_threads(2)
    with pytest.raises(ImportError, match="threadpoolctl"):
        cg.get_num_threads()
