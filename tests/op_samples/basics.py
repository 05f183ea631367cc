"""Samples of the first ops (the rest of their tests are in tests/ops/test_ops.py)."""
import numpy as np
from helpers import Sample

import compgraph as cg

SAMPLES = [
    Sample("exp", lambda a: cg.exp(a), np.exp, (("any", (3, 4)),), order2=True),
    Sample("sum_axis", lambda a: cg.sum(a, axis=1, keepdims=True),
           lambda a: np.sum(a, axis=1, keepdims=True), (("any", (3, 4)),)),
    Sample("matmul", lambda a, b: a @ b, np.matmul, (("any", (3, 4)), ("any", (4, 2))),
           order2=True),
]
