"""Samples of cg.nn.functional's primitives (ops/nnops.py): the fused softmax, the
stack-of-matrices product, the first-maximum and CTC's likelihood, reached through
F.softmax, F.scaled_dot_product_attention, F.max_pool2d and F.ctc_loss."""
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


# Three sequences of up to 6 frames over 4 classes: a repeat, an empty target, a short input.
_CTC = (np.array([[1, 1, 2], [3, 0, 0], [2, 3, 0]]), np.array([6, 4, 5]), np.array([3, 0, 2]))


def _ctc_ref(a):
    tg, il, tl = _CTC
    lp = a - np.log(np.exp(a).sum(-1, keepdims=True))
    out = []
    for n in range(3):  # the alpha recursion in probabilities, one sequence at a time
        ext = [0]
        for k in tg[n, : tl[n]]:
            ext += [int(k), 0]
        p = np.exp(lp[: il[n], n])
        alpha = np.zeros(len(ext))
        alpha[0] = p[0, 0]
        if len(ext) > 1:
            alpha[1] = p[0, ext[1]]
        for t in range(1, il[n]):
            prev = alpha.copy()
            for s in range(len(ext)):
                total = prev[s] + (prev[s - 1] if s else 0)
                if s > 1 and ext[s] != 0 and ext[s] != ext[s - 2]:
                    total += prev[s - 2]
                alpha[s] = total * p[t, ext[s]]
        out.append(-np.log(alpha[-1] + (alpha[-2] if len(ext) > 1 else 0)))
    return np.array(out, a.dtype)


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
    Sample("ctc_nll", lambda a: F.ctc_loss(F.log_softmax(a, -1), *_CTC, reduction="none"),
           _ctc_ref, (("any", (6, 3, 4)),)),
    Sample("ctc_nll_grad",
           lambda g, a: dispatch(get_op("ctc_nll_grad"), (g, a, *_CTC),
                                 {"blank": 0, "zero_infinity": False}),
           None, (("any", (3,)), ("any", (6, 3, 4))), grad=False),
]
