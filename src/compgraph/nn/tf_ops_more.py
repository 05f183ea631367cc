"""More of TensorFlow's ``tf.nn`` (``conv3d``, ``max_pool3d``, ``depth_to_space``, ``lrn``
...), star-imported into ``cg.nn`` (``nn/tf_ops.py`` holds the rest).

Data are channels-last (``NDHWC`` / ``NHWC``) as TensorFlow's defaults; padding is
``'SAME'`` (extra on the high side) or ``'VALID'``.  Where TensorFlow returns a
``SparseTensor`` (the CTC decoders, ``collapse_repeated``) the result here is dense,
padded with ``-1`` (``collapse_repeated``: ``0``, as TensorFlow's own dense output).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from ..tfmath import top_k
from ..transforms import vjp
from . import functional as torch_f
from .tf_ops import (
    avg_pool,
    conv1d_transpose,
    conv2d_transpose,
    depthwise_conv2d,
    local_response_normalization,
    max_pool,
)

__all__ = [  # tf.nn's function names
    "conv3d",
    "conv3d_transpose",
    "conv_transpose",
    "max_pool3d",
    "avg_pool3d",
    "pool",
    "max_pool_with_argmax",
    "depth_to_space",
    "space_to_depth",
    "space_to_batch",
    "space_to_batch_nd",
    "batch_to_space",
    "lrn",
    "dilation2d",
    "erosion2d",
    "collapse_repeated",
    "ctc_greedy_decoder",
    "ctc_beam_search_decoder",
    "atrous_conv2d_transpose",
    "depthwise_conv2d_backprop_input",
    "depthwise_conv2d_backprop_filter",
    "approx_max_k",
    "approx_min_k",
]

lrn = local_response_normalization


def _ints(v: Any, n: int, what: str) -> tuple[int, ...]:
    """TensorFlow's 1, n or n + 2 numbers (channels-last: the middle n) as n ints."""
    v = [v] if isinstance(v, (int, np.integer)) else [int(q) for q in v]
    if len(v) == n + 2:
        v = v[1:-1]
    if len(v) == 1:
        v = v * n
    if len(v) != n:
        raise ValueError(f"{what}: expected 1, {n} or {n + 2} values, got {v}")
    return tuple(int(q) for q in v)


def _same(size: tuple, k: tuple, s: tuple, d: tuple) -> list[tuple[int, int]]:
    """TensorFlow's SAME padding per spatial axis as (low, high), the extra one high."""
    out = []
    for n, kk, ss, dd in zip(size, k, s, d):
        total = max((-(-n // ss) - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        out.append((total // 2, total - total // 2))
    return out


def _pad_cl(x: Any, padding: Any, k: tuple, s: tuple, d: tuple, value: float, fn: str) -> Any:
    """Channels-last ``x`` padded on its spatial axes for TensorFlow's ``padding``."""
    if padding == "VALID":
        return x
    if padding == "SAME":
        p = _same(tuple(int(q) for q in x.shape[1:-1]), k, s, d)
    elif isinstance(padding, str):
        raise ValueError(f"{fn}: padding must be 'SAME', 'VALID' or pairs, got {padding!r}")
    else:
        p = [(int(q[0]), int(q[1])) for q in list(padding)[1:-1]]
    if not any(a or b for a, b in p):
        return x
    flat: list[int] = []
    for lo, hi in reversed(p):
        flat += [lo, hi]
    # torch's pad reads pairs from the last axis: keep channels (last) unpadded
    return torch_f.pad(x, (0, 0, *flat), value=value)


def _to_first(x: Any) -> Any:
    return F.moveaxis(x, -1, 1)


def _to_last(x: Any) -> Any:
    return F.moveaxis(x, 1, -1)


def _check_fmt(fmt: Any, allowed: tuple, fn: str) -> str:
    fmt = fmt or allowed[0]
    if fmt not in allowed:
        raise ValueError(f"{fn}: data_format must be one of {allowed}, got {fmt!r}")
    return fmt


def conv3d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NDHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv3d``: ``NDHWC`` input, filters ``(d, h, w, in, out)``."""
    fmt = _check_fmt(data_format, ("NDHWC", "NCDHW"), "conv3d")
    s = _ints(strides, 3, "conv3d strides")
    d = _ints(1 if dilations is None else dilations, 3, "conv3d dilations")
    f = F.asarray(filters)
    x = F.asarray(input)
    if fmt == "NCDHW":
        x = _to_last(x)
    if f.ndim != 5 or x.ndim != 5 or int(x.shape[-1]) != int(f.shape[3]):
        raise ValueError(
            f"conv3d: need 5-D input and filters with matching channels, got "
            f"{tuple(x.shape)} and {tuple(f.shape)}"
        )
    x = _pad_cl(x, padding, tuple(int(q) for q in f.shape[:3]), s, d, 0.0, "conv3d")
    w = F.permute_dims(f, (4, 3, 0, 1, 2))
    y = torch_f.conv3d(_to_first(x), w, stride=s, dilation=d)
    return y if fmt == "NCDHW" else _to_last(y)


def conv3d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str = "NDHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv3d_transpose``: the gradient of :func:`conv3d` with respect
    to its input, for a ``conv3d`` whose input has ``output_shape``; filters ``(d, h, w,
    out, in)``."""
    fn = "conv3d_transpose"
    fmt = _check_fmt(data_format, ("NDHWC", "NCDHW"), fn)
    s = _ints(strides, 3, f"{fn} strides")
    d = _ints(1 if dilations is None else dilations, 3, f"{fn} dilations")
    f = F.asarray(filters)
    shape = [int(v) for v in np.asarray(getattr(output_shape, "_data", output_shape)).ravel()]
    if len(shape) != 5:
        raise ValueError(f"{fn}: output_shape must have 5 entries, got {shape}")
    if fmt == "NCDHW":
        shape = [shape[0], *shape[2:], shape[1]]
    x = F.asarray(input)
    if fmt == "NCDHW":
        x = _to_last(x)
    k = tuple(int(q) for q in f.shape[:3])
    cout, cin = int(f.shape[3]), int(f.shape[4])
    if int(x.shape[-1]) != cin or shape[-1] != cout:
        raise ValueError(
            f"{fn}: filters of shape {tuple(f.shape)} need {cin} input and {cout} output "
            f"channels; got {int(x.shape[-1])} and output_shape {shape}"
        )
    out_sp = tuple(shape[1:4])
    if padding == "VALID":
        lows = [0, 0, 0]
    elif padding == "SAME":
        lows = [lo for lo, _ in _same(out_sp, k, s, d)]
    else:
        lows = [int(q[0]) for q in list(padding)[1:4]]
    full: Any = torch_f.conv_transpose3d(
        _to_first(x), F.permute_dims(f, (4, 3, 0, 1, 2)), stride=s, dilation=d
    )
    extra = [max(lo + n - int(full.shape[2 + i]), 0) for i, (lo, n) in enumerate(zip(lows, out_sp))]
    if any(extra):  # forward positions no window reached: zero gradient
        full = torch_f.pad(full, (0, extra[2], 0, extra[1], 0, extra[0]))
    y = full[:, :, lows[0] : lows[0] + out_sp[0], lows[1] : lows[1] + out_sp[1],
             lows[2] : lows[2] + out_sp[2]]  # fmt: skip
    return y if fmt == "NCDHW" else _to_last(y)


def conv_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: str = "SAME",
    data_format: Any = None,
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv_transpose``: the 1-, 2- or 3-D transposed convolution by
    the input's rank (3, 4 or 5)."""
    x = F.asarray(input)
    if x.ndim == 3:
        return conv1d_transpose(x, filters, output_shape, strides, padding,
                                data_format or "NWC", dilations)  # fmt: skip
    if x.ndim == 4:
        return conv2d_transpose(x, filters, output_shape, strides, padding,
                                data_format or "NHWC", dilations)  # fmt: skip
    if x.ndim == 5:
        return conv3d_transpose(x, filters, output_shape, strides, padding,
                                data_format or "NDHWC", dilations)  # fmt: skip
    raise ValueError(f"conv_transpose: input must be 3-D, 4-D or 5-D, got {tuple(x.shape)}")


def atrous_conv2d_transpose(
    value: Any, filters: Any, output_shape: Any, rate: int, padding: str, name: Any = None
) -> Any:
    """TensorFlow's ``nn.atrous_conv2d_transpose``: :func:`conv2d_transpose` with stride 1
    and dilation ``rate``."""
    return conv2d_transpose(value, filters, output_shape, 1, padding, dilations=int(rate))


def max_pool3d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NDHWC", name=None):
    """TensorFlow's ``nn.max_pool3d`` (SAME padding never wins the max)."""
    fmt = _check_fmt(data_format, ("NDHWC", "NCDHW"), "max_pool3d")
    k, s = _ints(ksize, 3, "max_pool3d ksize"), _ints(strides, 3, "max_pool3d strides")
    x = F.asarray(input)
    if fmt == "NCDHW":
        x = _to_last(x)
    x = _pad_cl(x, padding, k, s, (1, 1, 1), -np.inf, "max_pool3d")
    y = torch_f.max_pool3d(_to_first(x), k, stride=s)
    return y if fmt == "NCDHW" else _to_last(y)


def avg_pool3d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NDHWC", name=None):
    """TensorFlow's ``nn.avg_pool3d``: with SAME padding each window averages only its
    real entries."""
    fmt = _check_fmt(data_format, ("NDHWC", "NCDHW"), "avg_pool3d")
    k, s = _ints(ksize, 3, "avg_pool3d ksize"), _ints(strides, 3, "avg_pool3d strides")
    x = F.asarray(input)
    if fmt == "NCDHW":
        x = _to_last(x)
    one = (1, 1, 1)
    total = torch_f.avg_pool3d(_to_first(_pad_cl(x, padding, k, s, one, 0.0, "avg_pool3d")), k,
                               stride=s)  # fmt: skip
    if padding != "VALID":
        ones = F.asarray(np.ones((1, *x.shape[1:-1], 1), dtype=x.dtype))
        frac = torch_f.avg_pool3d(_to_first(_pad_cl(ones, padding, k, s, one, 0.0, "avg_pool3d")),
                                  k, stride=s)  # fmt: skip
        total = total / frac
    return total if fmt == "NCDHW" else _to_last(total)


def pool(
    input: Any,
    window_shape: Any,
    pooling_type: str,
    strides: Any = None,
    padding: str = "VALID",
    data_format: Any = None,
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.pool``: ``'MAX'`` or ``'AVG'`` pooling of a 3-, 4- or 5-D input.
    Dilations other than 1 raise NotImplementedError here."""
    x = F.asarray(input)
    n = x.ndim - 2
    if dilations is not None and any(v != 1 for v in _ints(dilations, n, "pool dilations")):
        raise NotImplementedError("pool: dilations other than 1 are not supported by compgraph")
    k = _ints(window_shape, n, "pool window_shape")
    s = k if strides is None else _ints(strides, n, "pool strides")
    s = (1,) * n if strides is None else s
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"pool: pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    if n == 3:
        f3 = max_pool3d if pooling_type == "MAX" else avg_pool3d
        return f3(x, k, s, padding, data_format or "NDHWC")
    f = max_pool if pooling_type == "MAX" else avg_pool
    return f(x, k, s, padding, data_format)


def _windows(x: Any, k: tuple, s: tuple, d: tuple) -> Any:
    """Windows of padded NHWC ``x``: shape ``(n, oh, ow, kh * kw, c)``."""
    h, w = int(x.shape[1]), int(x.shape[2])
    oh = (h - (k[0] - 1) * d[0] - 1) // s[0] + 1
    ow = (w - (k[1] - 1) * d[1] - 1) // s[1] + 1
    parts = []
    for i in range(k[0]):
        for j in range(k[1]):
            r0, c0 = i * d[0], j * d[1]
            parts.append(x[:, r0 : r0 + (oh - 1) * s[0] + 1 : s[0],
                           c0 : c0 + (ow - 1) * s[1] + 1 : s[1], :])  # fmt: skip
    return F.stack(parts, axis=3)


def max_pool_with_argmax(
    input: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    output_dtype: Any = "int64",
    include_batch_in_index: bool = False,
    name: Any = None,
) -> tuple:
    """TensorFlow's ``nn.max_pool_with_argmax``: ``(output, argmax)``, the argmax a flat
    index ``(y * width + x) * channels + c`` (``((b * height + y) * width + x) *
    channels + c`` with ``include_batch_in_index``); ties go to the first position."""
    if data_format != "NHWC":
        raise ValueError(f"max_pool_with_argmax: data_format must be 'NHWC', got {data_format!r}")
    k = _ints(ksize, 2, "max_pool_with_argmax ksize")
    s = _ints(strides, 2, "max_pool_with_argmax strides")
    x = F.asarray(input)
    n, h, w, c = (int(v) for v in x.shape)
    out = max_pool(x, k, s, padding, "NHWC")
    idx = np.arange(n * h * w * c, dtype=np.float64).reshape(n, h, w, c)
    if not include_batch_in_index:
        idx = idx - (np.arange(n) * h * w * c)[:, None, None, None]
    xv = np.asarray(F.stop_gradient(x).numpy() if hasattr(x, "numpy") else x, dtype=np.float64)
    xp = np.asarray(_pad_cl(F.asarray(xv), padding, k, s, (1, 1), -np.inf, "max_pool_with_argmax"))
    ip = np.asarray(_pad_cl(F.asarray(idx), padding, k, s, (1, 1), -1.0, "max_pool_with_argmax"))
    wv = np.asarray(_windows(F.asarray(xp), k, s, (1, 1)))
    wi = np.asarray(_windows(F.asarray(ip), k, s, (1, 1)))
    pick = np.argmax(wv, axis=3)[:, :, :, None, :]
    arg = np.take_along_axis(wi, pick, axis=3)[:, :, :, 0, :]
    return out, F.asarray(arg.astype(np.dtype(getattr(output_dtype, "name", output_dtype))))


def depth_to_space(input: Any, block_size: int, data_format: str = "NHWC", name: Any = None):
    """TensorFlow's ``nn.depth_to_space``: ``(n, h, w, b * b * c)`` to ``(n, h * b, w * b,
    c)``, depth read as ``(row offset, column offset, channel)``."""
    b = int(block_size)
    x = F.asarray(input)
    if data_format == "NCHW":
        x = _to_last(x)
    n, h, w, c = (int(v) for v in x.shape)
    if b < 2 or c % (b * b):
        raise ValueError(
            f"depth_to_space: block_size {b} must be >= 2 and its square divide the depth {c}"
        )
    y = F.reshape(x, (n, h, w, b, b, c // (b * b)))
    y = F.reshape(F.permute_dims(y, (0, 1, 3, 2, 4, 5)), (n, h * b, w * b, c // (b * b)))
    return _to_first(y) if data_format == "NCHW" else y


def space_to_depth(input: Any, block_size: int, data_format: str = "NHWC", name: Any = None):
    """TensorFlow's ``nn.space_to_depth``: the inverse of :func:`depth_to_space`."""
    b = int(block_size)
    x = F.asarray(input)
    if data_format == "NCHW":
        x = _to_last(x)
    n, h, w, c = (int(v) for v in x.shape)
    if b < 2 or h % b or w % b:
        raise ValueError(
            f"space_to_depth: block_size {b} must be >= 2 and divide height {h} and width {w}"
        )
    y = F.reshape(x, (n, h // b, b, w // b, b, c))
    y = F.reshape(F.permute_dims(y, (0, 1, 3, 2, 4, 5)), (n, h // b, w // b, b * b * c))
    return _to_first(y) if data_format == "NCHW" else y


def _intlist(v: Any) -> list:
    return np.asarray(getattr(v, "_data", v)).astype(np.int64).tolist()


def space_to_batch_nd(input: Any, block_shape: Any, paddings: Any, name: Any = None) -> Any:
    """TensorFlow's ``space_to_batch_nd``: zero-pad the ``m`` spatial axes after the batch,
    then move the ``block_shape`` offsets into the batch (offsets outermost)."""
    x = F.asarray(input)
    bs = [int(v) for v in np.ravel(_intlist(block_shape))]
    pads = np.reshape(_intlist(paddings), (-1, 2)).tolist()
    m = len(bs)
    if len(pads) != m or x.ndim < m + 1 or any(v < 1 for v in bs):
        raise ValueError(
            f"space_to_batch_nd: block_shape {bs} and paddings {pads} do not fit input "
            f"shape {tuple(x.shape)}"
        )
    x = F.pad(x, [(0, 0), *[tuple(p) for p in pads]] + [(0, 0)] * (x.ndim - 1 - m))
    shape = [int(v) for v in x.shape]
    for i, b in enumerate(bs):
        if shape[1 + i] % b:
            raise ValueError(
                f"space_to_batch_nd: padded axis {1 + i} of size {shape[1 + i]} is not a "
                f"multiple of block {b}"
            )
    split = [shape[0]]
    for i, b in enumerate(bs):
        split += [shape[1 + i] // b, b]
    rest = shape[1 + m :]
    y = F.reshape(x, split + rest)
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    perm += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = F.permute_dims(y, perm)
    return F.reshape(y, [shape[0] * int(np.prod(bs))] + [shape[1 + i] // b for i, b in
                                                         enumerate(bs)] + rest)  # fmt: skip


def space_to_batch(input: Any, block_shape: Any, paddings: Any, name: Any = None) -> Any:
    """TensorFlow's ``nn.space_to_batch`` (v2): :func:`space_to_batch_nd`."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input: Any, block_shape: Any, crops: Any, name: Any = None) -> Any:
    """TensorFlow's ``batch_to_space`` (v2): the inverse of :func:`space_to_batch_nd`,
    then ``crops`` removed from each spatial axis."""
    x = F.asarray(input)
    bs = [int(v) for v in np.ravel(_intlist(block_shape))]
    cr = np.reshape(_intlist(crops), (-1, 2)).tolist()
    m = len(bs)
    shape = [int(v) for v in x.shape]
    prod = int(np.prod(bs))
    if len(cr) != m or x.ndim < m + 1 or shape[0] % prod:
        raise ValueError(
            f"batch_to_space: block_shape {bs} and crops {cr} do not fit input shape {tuple(shape)}"
        )
    n = shape[0] // prod
    rest = shape[1 + m :]
    y = F.reshape(x, bs + [n] + shape[1 : 1 + m] + rest)
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = F.reshape(F.permute_dims(y, perm), [n] + [shape[1 + i] * b for i, b in enumerate(bs)]
                  + rest)  # fmt: skip
    idx: list = [slice(None)]
    for i, (lo, hi) in enumerate(cr):
        idx.append(slice(lo, shape[1 + i] * bs[i] - hi))
    return y[tuple(idx)]


def dilation2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: str,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.dilation2d`` (grayscale morphological dilation): ``max`` over the
    window of ``input + filters`` (filters ``(h, w, c)``); the gradient goes to the
    maximising position."""
    if data_format != "NHWC":
        raise ValueError(f"dilation2d: data_format must be 'NHWC', got {data_format!r}")
    s = _ints(strides, 2, "dilation2d strides")
    d = _ints(1 if dilations is None else dilations, 2, "dilation2d dilations")
    f = F.asarray(filters)
    x = F.asarray(input)
    if f.ndim != 3 or x.ndim != 4 or int(f.shape[2]) != int(x.shape[3]):
        raise ValueError(
            f"dilation2d: need NHWC input and (h, w, c) filters, got {tuple(x.shape)} and "
            f"{tuple(f.shape)}"
        )
    k = (int(f.shape[0]), int(f.shape[1]))
    xp = _pad_cl(x, padding, k, s, d, -np.inf, "dilation2d")
    win = _windows(xp, k, s, d) + F.reshape(f, (1, 1, 1, k[0] * k[1], int(f.shape[2])))
    return F.max(win, axis=3)


def erosion2d(
    value: Any,
    filters: Any,
    strides: Any,
    padding: str,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.erosion2d``: ``-dilation2d(-value, filters reversed in h and w)``."""
    f = F.asarray(filters)
    return -dilation2d(-F.asarray(value), F.flip(f, (0, 1)), strides, padding, data_format,
                       dilations)  # fmt: skip


def _np(v: Any) -> np.ndarray:
    v = getattr(v, "_data", v)
    return np.asarray(v)


def collapse_repeated(labels: Any, seq_length: Any, name: Any = None) -> tuple:
    """TensorFlow's ``nn.collapse_repeated``: ``(collapsed, new_lengths)``, runs of equal
    labels within each row's length merged, rows padded with 0 to the longest."""
    lab = _np(labels)
    ln = _np(seq_length).astype(np.int64)
    rows = []
    for r in range(lab.shape[0]):
        row = lab[r, : ln[r]]
        keep = np.ones(len(row), dtype=bool)
        keep[1:] = row[1:] != row[:-1]
        rows.append(row[keep])
    width = max([len(r) for r in rows] + [0])
    out = np.zeros((lab.shape[0], width), dtype=lab.dtype)
    for r, row in enumerate(rows):
        out[r, : len(row)] = row
    return F.asarray(out), F.asarray(np.array([len(r) for r in rows], dtype=ln.dtype))


def _dense(seqs: list, dtype: Any = np.int64) -> Any:
    width = max([len(q) for q in seqs] + [0])
    out = np.full((len(seqs), width), -1, dtype=dtype)
    for i, q in enumerate(seqs):
        out[i, : len(q)] = q
    return F.asarray(out)


def ctc_greedy_decoder(
    inputs: Any,
    sequence_length: Any,
    merge_repeated: bool = True,
    blank_index: Any = None,
) -> tuple:
    """TensorFlow's ``nn.ctc_greedy_decoder`` on time-major ``(time, batch, classes)``
    logits: ``([decoded], neg_sum_logits)``.  ``decoded`` is a dense ``(batch,
    max_length)`` int64 tensor padded with -1 (TensorFlow: a SparseTensor)."""
    x = _np(inputs).astype(np.float64)
    t, b, c = x.shape
    ln = _np(sequence_length).astype(np.int64)
    blank = c - 1 if blank_index is None else int(blank_index) % c
    seqs, scores = [], []
    for j in range(b):
        best = np.argmax(x[: ln[j], j], axis=-1)
        scores.append(-np.max(x[: ln[j], j], axis=-1).sum())
        out, prev = [], -1
        for k in best:
            if k != blank and not (merge_repeated and k == prev):
                out.append(int(k))
            prev = k
        seqs.append(out)
    dt = np.asarray(getattr(inputs, "_data", inputs)).dtype
    dt = dt if np.issubdtype(dt, np.floating) else np.dtype(np.float32)
    return [_dense(seqs)], F.asarray(np.array(scores, dtype=dt)[:, None])


def ctc_beam_search_decoder(
    inputs: Any, sequence_length: Any, beam_width: int = 100, top_paths: int = 1
) -> tuple:
    """TensorFlow's ``nn.ctc_beam_search_decoder`` (v2: blank is the last class, repeats
    merged): ``(decoded, log_probabilities)``, ``decoded`` a list of ``top_paths`` dense
    int64 tensors padded with -1 (TensorFlow: SparseTensors).  A CTC prefix beam search
    over ``log_softmax(inputs)``."""
    x = _np(inputs).astype(np.float64)
    x = (
        x
        - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - x.max(-1, keepdims=True)
    )
    t, b, c = x.shape
    blank = c - 1
    ln = _np(sequence_length).astype(np.int64)
    ninf = -np.inf
    results: list[list] = [[] for _ in range(top_paths)]
    logps = np.full((b, top_paths), ninf)
    for j in range(b):
        beams: dict = {(): (0.0, ninf)}  # prefix -> (log p ending in blank, in non-blank)
        for step in range(ln[j]):
            lp = x[step, j]
            nxt: dict = {}

            def add(p: tuple, pb: float, pnb: float) -> None:
                ob, onb = nxt.get(p, (ninf, ninf))
                nxt[p] = (np.logaddexp(ob, pb), np.logaddexp(onb, pnb))

            for prefix, (pb, pnb) in beams.items():
                tot = np.logaddexp(pb, pnb)
                add(prefix, tot + lp[blank], ninf)
                for k in range(c):
                    if k == blank:
                        continue
                    if prefix and prefix[-1] == k:
                        add(prefix, ninf, pnb + lp[k])
                        add(prefix + (k,), ninf, pb + lp[k])
                    else:
                        add(prefix + (k,), ninf, tot + lp[k])
            ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))
            beams = dict(ranked[: int(beam_width)])
        ranked = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        for p in range(top_paths):
            if p < len(ranked):
                results[p].append(list(ranked[p][0]))
                logps[j, p] = np.logaddexp(*ranked[p][1])
            else:
                results[p].append([])
    dt = np.asarray(getattr(inputs, "_data", inputs)).dtype
    dt = dt if np.issubdtype(dt, np.floating) else np.dtype(np.float32)
    return [_dense(r) for r in results], F.asarray(logps.astype(dt))


def _shape(v: Any) -> tuple:
    return tuple(int(q) for q in np.asarray(getattr(v, "_data", v)).ravel())


def depthwise_conv2d_backprop_input(
    input_sizes: Any,
    filter: Any,
    out_backprop: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.depthwise_conv2d_backprop_input``: the gradient of
    ``depthwise_conv2d`` with respect to an input of shape ``input_sizes`` (linear in
    ``out_backprop``, differentiable)."""
    x0 = F.zeros(_shape(input_sizes), dtype=F.asarray(out_backprop).dtype)
    _, back = vjp(lambda x: depthwise_conv2d(x, filter, strides, padding, data_format,
                                             dilations), x0)  # fmt: skip
    return back(F.asarray(out_backprop))[0]


def depthwise_conv2d_backprop_filter(
    input: Any,
    filter_sizes: Any,
    out_backprop: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.depthwise_conv2d_backprop_filter``: the gradient of
    ``depthwise_conv2d`` with respect to a filter of shape ``filter_sizes``."""
    f0 = F.zeros(_shape(filter_sizes), dtype=F.asarray(out_backprop).dtype)
    _, back = vjp(lambda f: depthwise_conv2d(input, f, strides, padding, data_format,
                                             dilations), f0)  # fmt: skip
    return back(F.asarray(out_backprop))[0]


def _approx_k(operand: Any, k: int, axis: int, largest: bool) -> tuple:
    x = F.asarray(operand)
    axis = axis % x.ndim
    moved = F.moveaxis(x, axis, -1)
    vals, idx = top_k(moved if largest else -moved, int(k))
    vals = vals if largest else -vals
    return F.moveaxis(vals, -1, axis), F.moveaxis(F.astype(idx, np.int32), -1, axis)


def approx_max_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
    name: Any = None,
) -> tuple:
    """TensorFlow's ``nn.approx_max_k``: ``(values, int32 indices)`` of the ``k`` largest
    along ``reduction_dimension``; exact here (recall 1), so ``recall_target`` is moot."""
    return _approx_k(operand, k, reduction_dimension, True)


def approx_min_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
    name: Any = None,
) -> tuple:
    """TensorFlow's ``nn.approx_min_k``: the ``k`` smallest, exact (see ``approx_max_k``)."""
    return _approx_k(operand, k, reduction_dimension, False)
