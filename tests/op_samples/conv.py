"""Samples of the convolution and window-pooling primitives (ops/conv.py), reached
through F.conv2d, F.conv_transpose2d and F.max_pool2d, or called directly where only a
gradient builds them (the input and weight gradients of a convolution, the spread of
a window maximum)."""
import numpy as np
from helpers import Sample
from numpy.lib.stride_tricks import sliding_window_view

import compgraph.nn.functional as F
from compgraph.functions import dispatch
from compgraph.ops import get_op


def _patches(x, kh, kw, stride, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _conv(x, w, b, stride=1, pad=0):
    win = _patches(x, w.shape[2], w.shape[3], stride, pad)  # (N, C, oh, ow, kh, kw)
    return np.einsum("ncijkl,ockl->noij", win, w) + b[None, :, None, None]


def _conv_transpose(x, w, stride=1, pad=0):
    # x (N, Ci, H, W), w (Ci, Co, kh, kw): each input pixel spreads a kernel-sized patch.
    n, _, h, wd = x.shape
    _, co, kh, kw = w.shape
    oh, ow = (h - 1) * stride + kh, (wd - 1) * stride + kw
    out = np.zeros((n, co, oh, ow), np.result_type(x, w))
    for k in range(kh):
        for l in range(kw):
            out[:, :, k : k + stride * (h - 1) + 1 : stride, l : l + stride * (wd - 1) + 1 : stride] += (
                np.einsum("nchw,cd->ndhw", x, w[:, :, k, l])
            )
    return out[:, :, pad : oh - pad, pad : ow - pad]


def _conv_weight(x, g, kh, kw, stride=1, pad=0):
    return np.einsum("ncijkl,noij->ockl", _patches(x, kh, kw, stride, pad), g)


def _pool_max(a, k, s):
    return sliding_window_view(a, (k, k), axis=(2, 3))[:, :, ::s, ::s].max(axis=(4, 5))


# window_spread's x and maxima are constants (its gradient reaches g only)
_X = np.random.default_rng(7).permutation(48).reshape(1, 2, 4, 6) * 0.25
_TOP = _X.reshape(1, 2, 2, 2, 3, 2).max(axis=(3, 5))


def _spread(g):
    v = _X.reshape(1, 2, 2, 2, 3, 2)
    first = v == _TOP[:, :, :, None, :, None]  # distinct entries: one maximum per window
    return (first * g[:, :, :, None, :, None]).reshape(_X.shape)


SAMPLES = [
    Sample("convolution2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
           lambda x, w, b: _conv(x, w, b, 2, 1),
           (("any", (2, 3, 5, 6)), ("any", (4, 3, 3, 3)), ("any", (4,))), order2=True),
    Sample("convolution2d_input", lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1),
           lambda x, w: _conv_transpose(x, w, 2, 1),
           (("any", (2, 3, 3, 4)), ("any", (3, 2, 3, 3))), order2=True),
    Sample("convolution2d_weight",
           lambda x, g: dispatch(get_op("convolution2d_weight"), (x, g),
                                 {"kh": 3, "kw": 3, "stride": 2, "pad": 1, "dilation": 1}),
           lambda x, g: _conv_weight(x, g, 3, 3, 2, 1),
           (("any", (2, 3, 5, 6)), ("any", (2, 4, 3, 3))), order2=True),
    Sample("window_max", lambda a: F.max_pool2d(a, 2),
           lambda a: a.reshape(1, 2, 2, 2, 3, 2).max(axis=(3, 5)), (("distinct", (1, 2, 4, 6)),)),
    Sample("window_max_mask",
           lambda a: dispatch(get_op("window_max_mask"), (a,), {"kh": 2, "kw": 2}),
           lambda a: (a.reshape(1, 2, 2, 2, 3, 2)
                      == a.reshape(1, 2, 2, 2, 3, 2).max(axis=(3, 5), keepdims=True)
                      ).reshape(a.shape),
           (("distinct", (1, 2, 4, 6)),), grad=False),
    Sample("window_spread",
           lambda g: dispatch(get_op("window_spread"), (g, _X, _TOP), {"kh": 2, "kw": 2}),
           _spread, (("any", (1, 2, 2, 3)),)),
    # overlapping windows (kernel 3, stride 2) are pooled by the first-maximum op
    Sample("max_first_overlapping", lambda a: F.max_pool2d(a, 3, stride=2),
           lambda a: _pool_max(a, 3, 2), (("distinct", (1, 2, 5, 7)),)),
]
