"""Fixtures shared by the whole test suite.

Plain helper functions live in ``tests/helpers.py`` (``from helpers import ...``):
pytest puts this directory on ``sys.path`` when it imports this conftest, which is
what makes ``helpers`` importable from every test directory.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers import stable_seed


@pytest.fixture
def rng(request):
    """A generator with a fixed seed per test (stable under xdist and reordering)."""
    return np.random.default_rng(stable_seed(request.node.name))
