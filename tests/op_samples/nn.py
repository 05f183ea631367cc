"""Samples of cg.nn.functional's primitives (ops/nnops.py): the fused softmax, the
stack-of-matrices product and the first-maximum, reached through F.softmax,
F.scaled_dot_product_attention and F.max_pool2d."""
import math

import numpy as np
from helpers import Sample

import compgraph.nn.functional as F
from compgraph.functions import dispatch
from compgraph.ops import get_op


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sdpa(q, k, v):
    return _softmax(q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])) @ v


SAMPLES = [
    Sample("softmax_fused", lambda a: F.softmax(a, dim=1), lambda a: _softmax(a, 1),
           (("any", (3, 4)),), order2=True),
    Sample("batched_matmul", lambda q, k, v: F.scaled_dot_product_attention(q, k, v), _sdpa,
           (("any", (5, 3, 2)), ("any", (5, 4, 2)), ("any", (5, 4, 3))), order2=True),
    Sample("max_first", lambda a: F.max_pool2d(a, 2),
           lambda a: a.reshape(1, 2, 2, 2, 3, 2).max(axis=(3, 5)), (("distinct", (1, 2, 4, 6)),)),
    Sample("max_first_mask", lambda a: dispatch(get_op("max_first_mask"), (a,), {"axis": 1}),
           lambda a: np.arange(3)[None, :, None] == a.argmax(1)[:, None], (("distinct", (2, 3, 4)),),
           grad=False),
]
