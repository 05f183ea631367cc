"""``jax.lax``'s products and convolutions: ``dot``, ``dot_general`` (``cg.einsum``),
``batch_matmul``, ``conv_general_dilated`` and its variants (on ``cg.nn.functional``'s
``conv1d``/``conv2d``/``conv3d``, with lax's layouts, explicit/negative padding and
input dilation by interior padding), and their shape helpers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..functions import cg
from ..nn import functional as F
from .reductions import padtype_to_pads
from .shapes import _arr, _shape, pad

__all__ = [
    "ConvDimensionNumbers", "dot", "dot_general", "batch_matmul", "conv_dimension_numbers",
    "conv_general_permutations", "conv_general_dilated", "conv", "conv_with_general_padding",
    "conv_transpose", "conv_general_dilated_patches", "conv_shape_tuple",
    "conv_general_shape_tuple", "conv_transpose_shape_tuple",
]  # fmt: skip

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _cast(out: Any, preferred_element_type: Any) -> Any:
    return (
        out if preferred_element_type is None else cg.astype(out, np.dtype(preferred_element_type))
    )


def dot_general(
    lhs: Any,
    rhs: Any,
    dimension_numbers: Any,
    precision: Any = None,
    preferred_element_type: Any = None,
    out_sharding: Any = None,
) -> Any:
    """lax's ``dot_general``: ``dimension_numbers = ((lhs_contract, rhs_contract),
    (lhs_batch, rhs_batch))``; the result's axes are the batch axes, then ``lhs``'s
    free axes, then ``rhs``'s.  ``precision`` is ignored."""
    a, b = _arr(lhs), _arr(rhs)
    sa, sb = _shape(a), _shape(b)
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        lc, rc, lb, rb = (tuple(int(d) for d in v) for v in (lc, rc, lb, rb))
    except (TypeError, ValueError) as e:
        raise TypeError(f"dot_general: dimension_numbers must be ((lhs_contract, rhs_contract), "
                        f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}") from e  # fmt: skip
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError(f"dot_general: contracting {lc}/{rc} and batch {lb}/{rb} must pair up")
    for x, y in ((lc, rc), (lb, rb)):
        for i, j in zip(x, y, strict=True):
            if not (0 <= i < len(sa) and 0 <= j < len(sb)) or sa[i] != sb[j]:
                raise TypeError(f"dot_general: axes {x} of {sa} and {y} of {sb} must exist and "
                                "match in size")  # fmt: skip
    la = list(_LETTERS[: len(sa)])
    lb_ = list(_LETTERS[len(sa) : len(sa) + len(sb)])
    for i, j in (*zip(lc, rc, strict=True), *zip(lb, rb, strict=True)):
        lb_[j] = la[i]
    batch = [la[i] for i in lb]
    free_a = [la[i] for i in range(len(sa)) if i not in lc and i not in lb]
    free_b = [lb_[j] for j in range(len(sb)) if j not in rc and j not in rb]
    spec = f"{''.join(la)},{''.join(lb_)}->{''.join(batch + free_a + free_b)}"
    dt = np.result_type(a.dtype, b.dtype)
    out = cg.einsum(spec, cg.astype(a, dt), cg.astype(b, dt))
    return _cast(out, preferred_element_type)


def dot(
    lhs: Any,
    rhs: Any,
    precision: Any = None,
    preferred_element_type: Any = None,
    out_sharding: Any = None,
) -> Any:
    """lax's ``dot``: vector·vector, matrix·vector or matrix·matrix (the last axis of
    ``lhs`` against the first of ``rhs``)."""
    a, b = _arr(lhs), _arr(rhs)
    if not (1 <= len(_shape(a)) <= 2 and 1 <= len(_shape(b)) <= 2):
        raise TypeError(f"dot: expects vectors or matrices, got shapes {_shape(a)} and {_shape(b)}")
    return dot_general(
        a, b, (([len(_shape(a)) - 1], [0]), ([], [])), precision, preferred_element_type
    )


def batch_matmul(lhs: Any, rhs: Any, precision: Any = None) -> Any:
    """Matrix products over the leading batch axes (equal ranks, at least 2)."""
    a, b = _arr(lhs), _arr(rhs)
    sa, sb = _shape(a), _shape(b)
    if len(sa) != len(sb) or len(sa) < 2 or sa[:-2] != sb[:-2]:
        raise ValueError(
            f"batch_matmul: expects arrays of one rank >= 2 and batch shape, got {sa} and {sb}"
        )
    batch = list(range(len(sa) - 2))
    return dot_general(a, b, (([len(sa) - 1], [len(sb) - 2]), (batch, batch)), precision)


class ConvDimensionNumbers(NamedTuple):
    """lax's ``ConvDimensionNumbers``: for lhs, rhs and output, the axis of batch (or
    output features) first, then features (input features), then the spatial axes."""

    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


def conv_general_permutations(dimension_numbers: Any) -> tuple:
    """The three axis orders of string dimension numbers (spatial axes matched by
    letter, in the order of the rhs spec, as lax)."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    if len(lhs_spec) != len(rhs_spec) or len(out_spec) != len(rhs_spec):
        raise TypeError(
            f"conv_general_permutations: specs must have one length, got {dimension_numbers}"
        )
    for spec, chars in ((lhs_spec, "NC"), (rhs_spec, "OI"), (out_spec, "NC")):
        if len(set(spec)) != len(spec) or any(c not in spec for c in chars):
            raise TypeError(
                f"conv_general_permutations: {spec!r} needs {chars[0]!r} and {chars[1]!r} once each"
            )
    spatial = [c for c in rhs_spec if c not in "OI"]
    if sorted(c for c in lhs_spec if c not in "NC") != sorted(spatial) or sorted(
        c for c in out_spec if c not in "NC"
    ) != sorted(spatial):
        raise TypeError(f"conv_general_permutations: spatial letters differ in {dimension_numbers}")

    def perm(spec: str, a: str, b: str) -> tuple:
        return (spec.index(a), spec.index(b), *[spec.index(c) for c in spatial])

    return perm(lhs_spec, "N", "C"), perm(rhs_spec, "O", "I"), perm(out_spec, "N", "C")


def conv_dimension_numbers(
    lhs_shape: Sequence[int], rhs_shape: Sequence[int], dimension_numbers: Any
) -> ConvDimensionNumbers:
    """``ConvDimensionNumbers`` from None (``NC...``, ``OI...``, ``NC...``), strings such
    as ``('NHWC', 'HWIO', 'NHWC')`` or a ``ConvDimensionNumbers``."""
    nd = len(lhs_shape)
    if len(rhs_shape) != nd:
        raise TypeError(
            f"conv_dimension_numbers: lhs {tuple(lhs_shape)} and rhs {tuple(rhs_shape)} need one rank"
        )
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if dimension_numbers is None:
        iota = tuple(range(nd))
        return ConvDimensionNumbers(iota, iota, iota)
    if len(dimension_numbers) == 3 and all(isinstance(s, str) for s in dimension_numbers):
        if any(len(s) != nd for s in dimension_numbers):
            raise TypeError(
                f"conv_dimension_numbers: specs {dimension_numbers} must have {nd} letters"
            )
        return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))
    if len(dimension_numbers) == 3:
        return ConvDimensionNumbers(*[tuple(int(i) for i in s) for s in dimension_numbers])
    raise TypeError(f"conv_dimension_numbers: cannot read {dimension_numbers!r}")


def _conv_fn(n: int) -> Any:
    fns = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
    if n not in fns:
        raise NotImplementedError(
            f"conv_general_dilated: {n} spatial dimensions; cg's convolutions take 1 to 3"
        )
    return fns[n]


def conv_general_dilated(
    lhs: Any,
    rhs: Any,
    window_strides: Sequence[int],
    padding: Any,
    lhs_dilation: Any = None,
    rhs_dilation: Any = None,
    dimension_numbers: Any = None,
    feature_group_count: int = 1,
    batch_group_count: int = 1,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """lax's ``conv_general_dilated`` (a cross-correlation, as lax's): ``padding`` is
    'SAME', 'SAME_LOWER', 'VALID' or ``(low, high)`` pairs (negative crops),
    ``lhs_dilation`` spreads the input (transposed convolutions), ``rhs_dilation`` the
    kernel; 1 to 3 spatial axes.  ``batch_group_count`` other than 1 is not supported."""
    if batch_group_count != 1:
        raise NotImplementedError(
            "conv_general_dilated: batch_group_count other than 1 is not supported"
        )
    a, w = _arr(lhs), _arr(rhs)
    dn = conv_dimension_numbers(_shape(a), _shape(w), dimension_numbers)
    a = cg.transpose(a, dn.lhs_spec)
    w = cg.transpose(w, dn.rhs_spec)
    sa, sw = _shape(a), _shape(w)
    ns = len(sa) - 2
    strides = [int(s) for s in window_strides]
    ld = [int(v) for v in (lhs_dilation or (1,) * ns)]
    rd = [int(v) for v in (rhs_dilation or (1,) * ns)]
    if not len(strides) == len(ld) == len(rd) == ns:
        raise ValueError(f"conv_general_dilated: window_strides and dilations need {ns} entries")
    g = int(feature_group_count)
    if g < 1 or sa[1] % g or sw[1] * g != sa[1] or sw[0] % g:
        raise TypeError(f"conv_general_dilated: lhs features {sa[1]}, rhs input features {sw[1]} "
                        f"and outputs {sw[0]} do not fit feature_group_count={g}")  # fmt: skip
    if isinstance(padding, str):
        in_shape = [0 if n == 0 else (n - 1) * d + 1 for n, d in zip(sa[2:], ld, strict=True)]
        eff = [(k - 1) * d + 1 for k, d in zip(sw[2:], rd, strict=True)]
        pads = padtype_to_pads(in_shape, eff, strides, padding)
    else:
        pads = [tuple(int(v) for v in p) for p in padding]
        if len(pads) != ns:
            raise ValueError(
                f"conv_general_dilated: padding needs {ns} (low, high) pairs, got {padding}"
            )
    config = [(0, 0, 0), (0, 0, 0)] + [
        (lo, hi, d - 1) for (lo, hi), d in zip(pads, ld, strict=True)
    ]
    a = pad(a, 0, config)
    dt = np.result_type(a.dtype, w.dtype)
    out = _conv_fn(ns)(
        cg.astype(a, dt), cg.astype(w, dt), stride=tuple(strides), dilation=tuple(rd), groups=g
    )
    out = cg.transpose(out, tuple(int(i) for i in np.argsort(dn.out_spec)))
    return _cast(out, preferred_element_type)


def conv(
    lhs: Any, rhs: Any, window_strides: Sequence[int], padding: Any, precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:  # fmt: skip
    """``conv_general_dilated`` in the NCHW/OIHW layout without dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)  # fmt: skip


def conv_with_general_padding(
    lhs: Any, rhs: Any, window_strides: Sequence[int], padding: Any, lhs_dilation: Any,
    rhs_dilation: Any, precision: Any = None, preferred_element_type: Any = None,
) -> Any:  # fmt: skip
    """``conv_general_dilated`` in the NCHW/OIHW layout."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                precision=precision, preferred_element_type=preferred_element_type)  # fmt: skip


def _transpose_padding(k: int, s: int, padding: str) -> tuple:
    if padding == "SAME":
        total = k + s - 2
        lo = k - 1 if s > k - 1 else -(-total // 2)
    elif padding == "VALID":
        total = k + s - 2 + max(k - s, 0)
        lo = k - 1
    else:
        raise ValueError(f"conv_transpose: padding must be 'SAME' or 'VALID', got {padding!r}")
    return lo, total - lo


def conv_transpose(
    lhs: Any,
    rhs: Any,
    strides: Sequence[int],
    padding: Any,
    rhs_dilation: Any = None,
    dimension_numbers: Any = None,
    transpose_kernel: bool = False,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """lax's ``conv_transpose``: a convolution of the input spread by ``strides`` (lax's
    rule, as TensorFlow's ``conv2d_transpose``); the default layout is channels-last
    (``'NHWC', 'HWIO', 'NHWC'``); ``transpose_kernel`` flips the kernel's spatial axes
    and swaps its feature axes (the gradient of a forward convolution)."""
    a, w = _arr(lhs), _arr(rhs)
    nd = len(_shape(a))
    if dimension_numbers is None:
        defaults = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                    5: ("NHWDC", "HWDIO", "NHWDC")}  # fmt: skip
        if nd not in defaults:
            raise ValueError(f"conv_transpose: no default layout for rank {nd}")
        dimension_numbers = defaults[nd]
    dn = conv_dimension_numbers(_shape(a), _shape(w), dimension_numbers)
    ks = [_shape(w)[i] for i in dn.rhs_spec[2:]]
    rd = [int(v) for v in (rhs_dilation or (1,) * (nd - 2))]
    eff = [(k - 1) * d + 1 for k, d in zip(ks, rd, strict=True)]
    if isinstance(padding, str):
        pads = [_transpose_padding(k, int(s), padding) for k, s in zip(eff, strides, strict=True)]
    else:
        pads = padding
    if transpose_kernel:
        w = cg.flip(w, axis=tuple(dn.rhs_spec[2:]))
        w = cg.swapaxes(w, dn.rhs_spec[0], dn.rhs_spec[1])
    return conv_general_dilated(a, w, (1,) * (nd - 2), pads, strides, rd, dn, precision=precision,
                                preferred_element_type=preferred_element_type)  # fmt: skip


def conv_general_dilated_patches(
    lhs: Any,
    filter_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Any,
    lhs_dilation: Any = None,
    rhs_dilation: Any = None,
    dimension_numbers: Any = None,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """lax's patches: each output position's window as features, ordered channel-major
    (``c * prod(filter_shape) + flat window index``), by a convolution with one-hot
    kernels as lax."""
    a = _arr(lhs)
    fs = tuple(int(k) for k in filter_shape)
    dn = conv_dimension_numbers(_shape(a), (1, 1, *fs), dimension_numbers)
    size = math.prod(fs)
    c = _shape(a)[dn.lhs_spec[1]]
    eye = np.eye(size, dtype=np.dtype(a.dtype)).reshape((size, 1, *fs))
    kernel = np.tile(eye, (c,) + (1,) * (eye.ndim - 1))
    kernel = np.moveaxis(kernel, (0, 1), (dn.rhs_spec[0], dn.rhs_spec[1]))
    return conv_general_dilated(a, cg.asarray(kernel), window_strides, padding, lhs_dilation, rhs_dilation, dn,
                                feature_group_count=c, precision=precision,
                                preferred_element_type=preferred_element_type)  # fmt: skip


def conv_shape_tuple(
    lhs_shape: Sequence[int], rhs_shape: Sequence[int], strides: Sequence[int], pads: Any,
    batch_group_count: int = 1,
) -> tuple:  # fmt: skip
    """The output shape (N, O, spatial...) of a convolution in the NC.../OI... layout."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    spatial = []
    for n, k, s, (lo, hi) in zip(lhs_shape[2:], rhs_shape[2:], strides, pads, strict=True):
        size = int(n) + int(lo) + int(hi) - int(k)
        spatial.append(max(size // int(s) + 1, 0) if size >= 0 else 0)
    return (int(lhs_shape[0]) // batch_group_count, int(rhs_shape[0]), *spatial)


def conv_general_shape_tuple(
    lhs_shape: Sequence[int], rhs_shape: Sequence[int], window_strides: Sequence[int], padding: Any,
    dimension_numbers: Any,
) -> tuple:  # fmt: skip
    """``conv_shape_tuple`` for any layout (the output in ``out_spec``'s order)."""
    dn = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    lhs = tuple(lhs_shape[i] for i in dn.lhs_spec)
    rhs = tuple(rhs_shape[i] for i in dn.rhs_spec)
    out = conv_shape_tuple(lhs, rhs, window_strides, padding)
    return tuple(out[i] for i in np.argsort(dn.out_spec))


def conv_transpose_shape_tuple(
    lhs_shape: Sequence[int], rhs_shape: Sequence[int], window_strides: Sequence[int], padding: Any,
    dimension_numbers: Any,
) -> tuple:  # fmt: skip
    """The output shape of ``conv_transpose`` (explicit or 'SAME'/'VALID' padding)."""
    dn = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    lhs = tuple(lhs_shape[i] for i in dn.lhs_spec)
    rhs = tuple(rhs_shape[i] for i in dn.rhs_spec)
    if isinstance(padding, str):
        padding = [
            _transpose_padding(int(k), int(s), padding)
            for k, s in zip(rhs[2:], window_strides, strict=True)
        ]
    spatial = [
        max((int(n) - 1) * int(s) + 1 + int(lo) + int(hi) - int(k) + 1, 0)
        for n, k, s, (lo, hi) in zip(lhs[2:], rhs[2:], window_strides, padding, strict=True)
    ]
    out = (lhs[0], rhs[0], *spatial)
    return tuple(out[i] for i in np.argsort(dn.out_spec))
