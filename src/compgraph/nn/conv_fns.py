"""Convolution functions of torch.nn.functional written on cg functions (F.conv_transpose3d,
F.conv_tbc).

Both are compositions of differentiable ops (``convolution2d`` and
``convolution2d_input``, the 2-D convolution and its input gradient, plus reshapes,
pads and slices), so their first and higher derivatives come from those ops' rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..functions import dispatch
from ..ops.registry import get_op
from ..tensor import Tensor
from .fn_args import shape_of as _shape

__all__ = ["conv_transpose3d", "conv_tbc"]


def _triple(v: Any, what: str, low: int) -> tuple[int, int, int]:
    """An int or 1 or 3 ints >= ``low`` as a triple (PyTorch's _triple)."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * 3
    if len(vals) == 1:
        vals = vals * 3
    if len(vals) != 3 or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals
    ):
        raise TypeError(f"conv_transpose3d: {what} must be an int or 3 ints, got {v!r}")
    if min(vals) < low:
        raise ValueError(f"conv_transpose3d: {what} must be >= {low}, got {v!r}")
    return int(vals[0]), int(vals[1]), int(vals[2])


def _full_2d(x: Any, w: Any, groups: int, st: tuple, dl: tuple, full: tuple) -> Tensor:
    """The transposed 2-D convolution of (M, C_in, H, W) by (C_in, C_out/groups, kh, kw)
    without padding: the input gradient of a convolution of a (M, C_out, *full) array,
    one ``convolution2d_input`` per group."""
    m, c = _shape(x)[:2]
    og = _shape(w)[1]
    geo = {"stride": st, "pad": (0, 0), "dilation": dl}
    op = get_op("convolution2d_input")
    cig = c // groups
    parts = [
        dispatch(
            op,
            (x[:, g * cig : (g + 1) * cig], w[g * cig : (g + 1) * cig]),
            {"shape": (m, og) + full, **geo},
        )
        for g in range(groups)
    ]
    return parts[0] if groups == 1 else cg.concatenate(parts, axis=1)


def conv_transpose3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 3-D convolution (the gradient of ``conv3d`` with respect to its input)
    of (N, C_in, D, H, W) or (C_in, D, H, W) by weight (C_in, C_out/groups, kd, kh, kw),
    as ``F.conv_transpose3d``.

    For each kernel depth, every depth slice goes through an unpadded transposed 2-D
    convolution (``convolution2d_input``, one per group); the slices land ``stride``
    apart, shifted by the kernel depth times ``dilation``, and are summed.  The full
    result is then cropped by ``padding`` (``output_padding`` extends the far end).

    >>> import compgraph as cg
    >>> cg.nn.functional.conv_transpose3d(cg.ones((1, 2, 3, 3, 3)), cg.ones((2, 4, 2, 2, 2)),
    ...                                   stride=2).shape
    (1, 4, 6, 6, 6)
    """
    shape, ws = _shape(input), _shape(weight)
    if len(shape) not in (4, 5):
        raise ValueError(
            f"conv_transpose3d: expected a 4-D (unbatched) or 5-D (batched) input, got shape "
            f"{shape}"
        )
    if len(ws) != 5:
        raise ValueError(
            f"conv_transpose3d: weight must be 5-D (in, out/groups, kd, kh, kw), got {ws}"
        )
    unbatched = len(shape) == 4
    x = cg.expand_dims(input, 0) if unbatched else input
    n, c, d, h, w = _shape(x)
    groups = int(groups)
    if ws[0] != c or groups < 1 or c % groups:
        raise ValueError(
            f"conv_transpose3d: input of shape {shape} and weight of shape {ws} with "
            f"groups={groups}: expected weight (in={c}, out/groups, kd, kh, kw) and "
            f"in channels divisible by groups"
        )
    st = _triple(stride, "stride", 1)
    pad = _triple(padding, "padding", 0)
    opad = _triple(output_padding, "output_padding", 0)
    dl = _triple(dilation, "dilation", 1)
    if any(op >= max(s, q) for op, s, q in zip(opad, st, dl)):
        raise ValueError(
            f"conv_transpose3d: output_padding {opad} must be smaller than either stride "
            f"{st} or dilation {dl}"
        )
    ks, ins = ws[2:], (d, h, w)
    full = tuple((i - 1) * s + q * (k - 1) + 1 for i, s, q, k in zip(ins, st, dl, ks))
    outs = tuple(f - 2 * p + op for f, p, op in zip(full, pad, opad))
    if min(outs) < 1 or min(ins) < 1:
        raise ValueError(
            f"conv_transpose3d: the output size {outs} of input {shape} with kernel {ks}, "
            f"stride {st}, padding {pad} and dilation {dl} is too small"
        )
    o = ws[1] * groups
    xs = cg.reshape(cg.transpose(x, (0, 2, 1, 3, 4)), (n * d, c, h, w))
    span = (d - 1) * st[0] + 1  # the depth the slices cover, ``stride`` apart
    y = None
    for a in range(ks[0]):
        ya = cg.reshape(
            _full_2d(xs, weight[:, :, a], groups, st[1:], dl[1:], full[1:]),
            (n, d, 1, o) + full[1:],
        )
        if st[0] > 1:  # stride - 1 zero slices after each one
            ya = cg.pad(ya, ((0, 0), (0, 0), (0, st[0] - 1)) + ((0, 0),) * 3)
        ya = cg.reshape(ya, (n, d * st[0], o) + full[1:])[:, :span]
        start = a * dl[0]
        ya = cg.pad(ya, ((0, 0), (start, full[0] - start - span)) + ((0, 0),) * 3)
        y = ya if y is None else cg.add(y, ya)
    y = cg.transpose(y, (0, 2, 1, 3, 4))  # (N, C_out, *full)
    crop = (slice(None),) * 2 + tuple(slice(p, p + s) for p, s in zip(pad, outs))
    y = y[crop]
    extra = tuple(max(0, p + s - f) for p, s, f in zip(pad, outs, full))
    if any(extra):  # output_padding past the full result: zeros there
        y = cg.pad(y, ((0, 0), (0, 0)) + tuple((0, e) for e in extra))
    if bias is not None:
        y = cg.add(y, cg.reshape(bias, (o, 1, 1, 1)))
    return cg.squeeze(y, 0) if unbatched else y


def conv_tbc(input: Any, weight: Any, bias: Any, pad: int = 0) -> Tensor:  # noqa: A002
    """1-D convolution of a time-batch-channel (T, B, C_in) input by weight
    (K, C_in, C_out) plus bias (C_out,), ``pad`` zeros at both ends of the time axis,
    as ``torch.conv_tbc``: output (T + 2 * pad - K + 1, B, C_out).

    >>> import compgraph as cg
    >>> cg.nn.functional.conv_tbc(cg.ones((5, 2, 3)), cg.ones((3, 3, 4)), cg.zeros(4), 1).shape
    (5, 2, 4)
    """
    xs, ws, bs = _shape(input), _shape(weight), _shape(bias)
    if len(xs) != 3:
        raise ValueError(f"conv_tbc: input must have 3 dims (time, batch, in_channel), got {xs}")
    if len(ws) != 3:
        raise ValueError(
            f"conv_tbc: weight must have 3 dims (kernel, in_channel, out_channel), got {ws}"
        )
    if len(bs) != 1:
        raise ValueError(f"conv_tbc: bias must be 1-D (out_channel,), got {bs}")
    if xs[2] != ws[1]:
        raise ValueError(
            f"conv_tbc: input channels {xs[2]} (input {xs}) must equal dim 1 of weight {ws}"
        )
    if bs[0] != ws[2]:
        raise ValueError(f"conv_tbc: bias {bs} must have weight's out channels {ws[2]}")
    pad = int(pad)
    if pad < 0 or xs[0] + 2 * pad - ws[0] + 1 < 0:
        raise ValueError(
            f"conv_tbc: kernel size {ws[0]} with pad {pad} does not fit {xs[0]} time steps"
        )
    # (B, C, 1, T) by (O, C, 1, K): one 2-D convolution of height 1
    x = cg.expand_dims(cg.transpose(input, (1, 2, 0)), 2)
    w = cg.expand_dims(cg.transpose(weight, (2, 1, 0)), 2)
    y = dispatch(
        get_op("convolution2d"),
        (x, w, bias),
        {"stride": (1, 1), "pad": (0, pad), "dilation": (1, 1)},
    )
    return cg.transpose(cg.squeeze(y, 2), (2, 0, 1))
