"""The pooling modules of nn/pooling.py and the functions of nn/pool_fns.py against
PyTorch: values, indices and gradients (float64, ties, NaN and -inf windows),
unbatched inputs, ceil_mode / padding / dilation, repr and state_dict, errors."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
import compgraph.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(7)


def _run(fn, x, *args, **kw):
    """(values, indices or None, input gradient) of ``fn`` (a compgraph or torch
    function) on ``x``, the gradient of ``sum(values * w)`` with fixed weights."""
    if fn.__module__.startswith("torch"):
        t = torch.tensor(x, requires_grad=True)
        out = fn(t, *args, **kw)
        y, idx = out if isinstance(out, tuple) else (out, None)
        w = np.random.default_rng(1).standard_normal(tuple(y.shape))
        (y * torch.tensor(w)).sum().backward()
        ind = None if idx is None else idx.numpy()
        return y.detach().numpy(), ind, t.grad.numpy()
    t = cg.tensor(x, requires_grad=True)
    out = fn(t, *args, **kw)
    y, idx = out if isinstance(out, tuple) else (out, None)
    w = np.random.default_rng(1).standard_normal(tuple(y.shape))
    (y * w).sum().backward()
    ind = None if idx is None else idx.numpy()
    return y.numpy(), ind, t.grad.numpy()


def _same(mine, theirs, exact=False):
    (y, i, g), (ty, ti, tg) = mine, theirs
    assert y.shape == ty.shape and y.dtype == ty.dtype
    if exact:
        np.testing.assert_array_equal(y, ty)
    else:
        tol = 1e-12 if y.dtype == np.float64 else 1e-5
        np.testing.assert_allclose(y, ty, rtol=tol, atol=tol / 100)
    if ti is not None:
        assert i is not None and i.dtype == np.int64
        np.testing.assert_array_equal(i, ti)
    tol = 1e-12 if g.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(g, tg, rtol=tol, atol=tol / 100)


def _both(name, x, *args, exact=False, **kw):
    _same(_run(getattr(F, name), x, *args, **kw), _run(getattr(TF, name), x, *args, **kw), exact)


# ------------------------------------------------------------------ F functions
MAX_CASES = [
    # nd, shape, kernel_size, stride, padding, dilation, ceil_mode
    (1, (2, 3, 11), 3, None, 0, 1, False),
    (1, (3, 10), 3, 2, 1, 2, True),
    (1, (2, 2, 9), 4, 3, 2, 1, True),
    (2, (2, 3, 7, 8), 2, None, 0, 1, False),
    (2, (2, 2, 9, 8), (3, 2), (2, 1), (1, 0), (1, 2), True),
    (2, (3, 6, 7), 3, 2, 1, 1, False),
    (3, (2, 2, 5, 6, 7), 2, None, 0, 1, False),
    (3, (1, 2, 7, 6, 8), (3, 2, 3), (2, 1, 2), (1, 1, 0), (1, 2, 2), True),
    (3, (2, 5, 6, 7), 3, 2, 1, 1, True),
]


@pytest.mark.parametrize("nd,shape,k,s,p,d,ceil", MAX_CASES)
def test_max_pool_with_indices_equals_torch(nd, shape, k, s, p, d, ceil):
    x = RNG.standard_normal(shape)
    _both(f"max_pool{nd}d_with_indices", x, k, s, p, d, ceil, exact=True)
    # ties everywhere: the index and the gradient go to the first maximum, as torch's
    _both(f"max_pool{nd}d_with_indices", RNG.integers(0, 3, shape).astype(float), k, s, p, d, ceil)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_with_indices_always_give_the_pair_and_agree_with_max_pool(nd):
    x = RNG.standard_normal((2, 3) + (6,) * nd)
    y, i = getattr(F, f"max_pool{nd}d_with_indices")(x, 2, return_indices=False)
    ref = getattr(F, f"max_pool{nd}d")(x, 2)
    np.testing.assert_array_equal(y.numpy(), ref.numpy())
    y, i = getattr(F, f"adaptive_max_pool{nd}d_with_indices")(x, 4)
    ty, ti = getattr(TF, f"adaptive_max_pool{nd}d_with_indices")(torch.tensor(x), 4)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())


def test_nan_and_minus_inf_windows_pick_as_torch():
    nan, inf = np.nan, np.inf
    x = np.array([[[1.0, nan, 3.0, nan, 2.0, 0.0, -inf, -inf, -inf, 5.0]]])
    # torch's loops: the last NaN of a window; a window of -inf its first entry inside
    _both("max_pool1d_with_indices", x, 3, 1, 1, 1, False, exact=True)
    _both("max_pool1d_with_indices", x, 10, exact=True)
    _both("adaptive_max_pool1d_with_indices", x, 4, exact=True)
    x3 = x.reshape(1, 1, 1, 2, 5)
    _both("max_pool3d_with_indices", x3, (1, 2, 2), 1, (0, 1, 1), 1, True, exact=True)
    _both("adaptive_max_pool3d_with_indices", x3, (1, 1, 3), exact=True)
    samples = np.full((1, 1, 2), 0.3)
    mine = _run(F.fractional_max_pool2d_with_indices, x3[0], 2, (1, 3), _random_samples=samples)
    theirs = _run(TF.fractional_max_pool2d_with_indices, x3[0], 2, (1, 3),
                  _random_samples=torch.tensor(samples))  # fmt: skip
    _same(mine, theirs, exact=True)


ADAPTIVE_CASES = [
    (1, (2, 3, 10), 4),
    (1, (3, 7), 7),
    (1, (2, 2, 5), 8),
    (2, (2, 3, 7, 9), (3, 4)),
    (2, (3, 8, 6), (None, 4)),
    (2, (1, 2, 5, 5), 1),
    (3, (2, 2, 7, 6, 9), (3, None, 4)),
    (3, (3, 5, 6, 7), 2),
    (3, (1, 2, 4, 4, 4), (2, 4, 1)),
    (3, (1, 1, 3, 2, 5), (5, 3, 2)),  # more cells than entries: overlapping windows
]


@pytest.mark.parametrize("nd,shape,size", ADAPTIVE_CASES)
def test_adaptive_pooling_equals_torch(nd, shape, size):
    x = RNG.standard_normal(shape)
    _both(f"adaptive_max_pool{nd}d_with_indices", x, size, exact=True)
    _both(f"adaptive_max_pool{nd}d_with_indices", RNG.integers(0, 2, shape).astype(float), size)
    if nd == 3:
        _both("adaptive_max_pool3d", x, size, exact=True)
        _both("adaptive_max_pool3d", x, size, True, exact=True)
        _both("adaptive_avg_pool3d", x, size)
        _both("adaptive_avg_pool3d", x.astype(np.float32), size)


@pytest.mark.filterwarnings("ignore:invalid value encountered in power")  # NaN, as torch's
@pytest.mark.parametrize(
    "shape,p,k,s,ceil",
    [
        ((2, 3, 6, 7, 8), 2.0, 2, None, False),
        ((2, 2, 7, 6, 9), 1.5, (3, 2, 3), (2, 1, 2), True),
        ((3, 5, 6, 7), 3.0, 3, 2, True),
        ((2, 2, 5, 6, 7), float("inf"), 2, 1, False),
        ((2, 5, 5, 5), -float("inf"), 3, 2, True),
        ((1, 2, 4, 4, 4), 1.0, (4, 2, 1), None, False),
    ],
)
def test_lp_pool3d_equals_torch(shape, p, k, s, ceil):
    x = RNG.standard_normal(shape)
    if abs(p) == np.inf or p == int(p):
        _both("lp_pool3d", x, p, k, s, ceil)
    _both("lp_pool3d", np.abs(x) + 0.1, p, k, s, ceil)


def test_lp_pool3d_float32_and_module_match_torch():
    x = (np.abs(RNG.standard_normal((2, 3, 6, 6, 6))) + 0.1).astype(np.float32)
    y = F.lp_pool3d(x, 2, 3, 2, True)
    ty = TF.lp_pool3d(torch.tensor(x), 2, 3, 2, True)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-5)


@pytest.mark.parametrize(
    "nd,shape,k,size,ratio",
    [
        (2, (2, 3, 9, 11), 2, (4, 6), None),
        (2, (2, 3, 10, 8), (3, 2), None, (0.5, 0.7)),
        (2, (3, 7, 7), 2, 5, None),
        (2, (1, 2, 6, 6), 3, (4, 1), None),
        (3, (2, 2, 7, 9, 8), (2, 3, 2), (3, 5, 4), None),
        (3, (2, 6, 7, 8), 2, None, 0.6),
    ],
)
def test_fractional_max_pool_with_samples_equals_torch(nd, shape, k, size, ratio):
    x = RNG.standard_normal(shape)
    lead = shape[: len(shape) - nd]
    samples = RNG.random(((1,) if len(lead) == 1 else lead[:1]) + lead[-1:] + (nd,))
    for name in (f"fractional_max_pool{nd}d_with_indices", f"fractional_max_pool{nd}d"):
        mine = _run(getattr(F, name), x, k, size, ratio, True, _random_samples=samples)
        theirs = _run(getattr(TF, name), x, k, size, ratio, True,
                      _random_samples=torch.tensor(samples))  # fmt: skip
        _same(mine, theirs, exact=True)
    y = getattr(F, f"fractional_max_pool{nd}d")(x, k, size, ratio, _random_samples=samples)
    assert y.shape == mine[0].shape


def test_fractional_windows_equal_torch_in_float32():
    # the steps are computed in the input's type, so float32 rounding must match too
    for _ in range(25):
        h, w = RNG.integers(5, 40, 2)
        oh, ow = RNG.integers(2, 5, 2)
        x = RNG.standard_normal((1, 3, h, w)).astype(np.float32)
        s = torch.rand(1, 3, 2)
        ty, ti = TF.fractional_max_pool2d(torch.tensor(x), 2, (oh, ow), None, True, s)
        y, i = F.fractional_max_pool2d(x, 2, (oh, ow), None, True, s.numpy())
        assert y.dtype == np.float32
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())


def test_fractional_without_samples_draws_from_compgraphs_generator():
    x = RNG.standard_normal((2, 3, 9, 10))
    cg.manual_seed(5)
    y, i = F.fractional_max_pool2d(x, 2, output_ratio=0.5, return_indices=True)
    cg.manual_seed(5)
    y2 = F.fractional_max_pool2d(x, 2, output_ratio=0.5)
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    assert y.shape == (2, 3, 4, 5)
    # each value is the input at its index, and the maximum of a 2x2 window there
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(y.numpy().reshape(2, 3, -1),
                                  np.take_along_axis(flat, i.numpy().reshape(2, 3, -1), -1))  # fmt: skip
    pool = F.fractional_max_pool3d(RNG.standard_normal((2, 6, 6, 6)), 2, output_size=3)
    assert pool.shape == (2, 3, 3, 3)


def test_gradcheck_through_the_gather():
    x = RNG.standard_normal((1, 1, 4, 4, 3))
    assert cg.gradcheck(lambda v: F.max_pool3d_with_indices(v, 2, 1, 1)[0], x)
    assert cg.gradcheck(lambda v: F.adaptive_avg_pool3d(v, (2, 3, 3)), x)
    assert cg.gradcheck(lambda v: F.lp_pool3d(v, 2, 2, 1, True), np.abs(x) + 0.5)


# ------------------------------------------------------------------ modules
MODULES = [
    # name, args, kwargs, input shape
    ("MaxPool1d", (3,), {}, (2, 3, 10)),
    ("MaxPool1d", (3, 2, 1, 2, True, True), {}, (3, 11)),
    ("MaxPool3d", (2,), {}, (2, 2, 4, 6, 6)),
    (
        "MaxPool3d",
        ((3, 2, 3),),
        dict(stride=(2, 1, 2), padding=1, dilation=(1, 2, 1), return_indices=True, ceil_mode=True),
        (2, 7, 6, 8),
    ),  # fmt: skip
    ("AvgPool1d", (3,), {}, (2, 3, 10)),
    ("AvgPool1d", (4, 3, 2, True, False), {}, (3, 11)),
    ("AvgPool3d", (2,), {}, (2, 2, 4, 6, 6)),
    ("AvgPool3d", ((3, 2, 3), (2, 1, 2), 1, True, False), {}, (2, 7, 6, 8)),
    ("AvgPool3d", (3,), dict(stride=2, padding=1, divisor_override=5), (1, 2, 5, 6, 7)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool1d", (3,), {}, (3, 8)),
    ("AdaptiveAvgPool3d", ((3, None, 2),), {}, (2, 2, 7, 5, 5)),
    ("AdaptiveAvgPool3d", (2,), {}, (3, 5, 4, 6)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool1d", (3, True), {}, (3, 8)),
    ("AdaptiveMaxPool2d", ((None, 3),), {}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", (3,), dict(return_indices=True), (3, 7, 5)),
    ("AdaptiveMaxPool3d", ((2, 3, None),), {}, (2, 2, 5, 6, 4)),
    ("AdaptiveMaxPool3d", (2, True), {}, (3, 5, 4, 6)),
    ("LPPool1d", (2, 3), {}, (2, 3, 10)),
    ("LPPool1d", (3.0, 4, 3, True), {}, (3, 11)),
    ("LPPool2d", (2, (3, 2)), dict(stride=(2, 1)), (2, 3, 7, 8)),
    ("LPPool2d", (1.5, 2, None, True), {}, (3, 7, 5)),
    ("LPPool3d", (2, 2), {}, (2, 2, 4, 6, 6)),
    ("LPPool3d", (1.5, (3, 2, 2), (2, 1, 2), True), {}, (2, 7, 6, 8)),
    ("LPPool3d", (float("inf"), 2), {}, (2, 5, 4, 6)),
]


def _pair_of(name, args, kw):
    return getattr(cg.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)


@pytest.mark.parametrize("name,args,kw,shape", MODULES)
def test_module_equals_torch(name, args, kw, shape):
    mine, theirs = _pair_of(name, args, kw)
    assert repr(mine) == repr(theirs)
    assert mine.extra_repr() == theirs.extra_repr()
    assert list(mine.state_dict()) == list(theirs.state_dict()) == []
    x = RNG.standard_normal(shape)
    if name.startswith("LPPool"):
        x = np.abs(x) + 0.1
    exact = "Max" in name
    _same(_run(mine, x), _run(theirs, x), exact=exact)
    if exact:  # ties: the index and the gradient go to the first maximum
        x = RNG.integers(0, 3, shape).astype(float)
        _same(_run(mine, x), _run(theirs, x), exact=True)


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_module_with_samples_equals_torch(nd):
    n, c = 2, 3
    samples = RNG.random((n, c, nd))
    shape = (n, c) + (9, 8, 7)[:nd]
    kw = dict(output_size=(4, 3, 5)[:nd], return_indices=True, _random_samples=samples)
    mine = getattr(cg.nn, f"FractionalMaxPool{nd}d")(2, **kw)
    kw["_random_samples"] = torch.tensor(samples)
    theirs = getattr(torch.nn, f"FractionalMaxPool{nd}d")(2, **kw)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    assert mine.kernel_size == theirs.kernel_size and mine.output_size == theirs.output_size
    x = RNG.standard_normal(shape)
    _same(_run(mine, x), _run(theirs, x), exact=True)
    m = getattr(cg.nn, f"FractionalMaxPool{nd}d")(2, output_ratio=0.5)
    t = getattr(torch.nn, f"FractionalMaxPool{nd}d")(2, output_ratio=0.5)
    assert m.output_ratio == t.output_ratio and list(m.state_dict()) == list(t.state_dict())
    assert tuple(m(x).shape) == tuple(t(torch.tensor(x)).shape)


def test_every_torch_pooling_module_and_function_exists():
    for name in torch.nn.modules.pooling.__all__:
        assert hasattr(cg.nn, name), name
    for name in dir(TF):
        if "pool" in name and not name.startswith("_"):
            assert hasattr(F, name), name


def test_module_stores_arguments_as_torch():
    for name, args, kw, _ in MODULES:
        mine, theirs = _pair_of(name, args, kw)
        for attr in ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                     "return_indices", "count_include_pad", "divisor_override", "norm_type",
                     "output_size"):  # fmt: skip
            assert getattr(mine, attr, None) == getattr(theirs, attr, None), (name, attr)


# ------------------------------------------------------------------ errors
def test_function_errors_name_the_function_and_the_problem():
    x = np.ones((1, 1, 4, 4, 4))
    with pytest.raises(ValueError, match=r"max_pool3d_with_indices: expected a 4-D .* 5-D"):
        F.max_pool3d_with_indices(np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match="padding 2 must be at most half the kernel size 3"):
        F.max_pool2d_with_indices(x[0], 3, padding=2)
    with pytest.raises(ValueError, match="output size is too small"):
        F.max_pool1d_with_indices(np.ones((1, 3)), 4)
    with pytest.raises(TypeError, match="kernel_size: expected an int or 3 ints"):
        F.max_pool3d_with_indices(x, (2, 2))
    with pytest.raises(ValueError, match="stride: must be >= 1"):
        F.max_pool3d_with_indices(x, 2, 0)
    with pytest.raises(ValueError, match="non-empty spatial"):
        F.adaptive_max_pool3d(np.ones((1, 1, 0, 2, 2)), 1)
    with pytest.raises(ValueError, match="adaptive_avg_pool3d: output_size must be positive"):
        F.adaptive_avg_pool3d(x, (0, 1, 1))
    with pytest.raises(TypeError, match="adaptive_avg_pool3d: output_size must be"):
        F.adaptive_avg_pool3d(x, (1, 2))
    with pytest.raises(ValueError, match="lp_pool3d: norm_type must be non-zero"):
        F.lp_pool3d(x, 0, 2)
    with pytest.raises(ValueError, match="requires specifying either an output_size"):
        F.fractional_max_pool2d(x[0], 2)
    with pytest.raises(ValueError, match="must be at most the input size"):
        F.fractional_max_pool3d(x, 2, output_size=4)
    with pytest.raises(ValueError, match=r"_random_samples must have shape \(1, 4, 2\)"):
        F.fractional_max_pool2d(x[0, 0], 2, 2, _random_samples=np.zeros((1, 1, 3)))


def test_module_errors():
    with pytest.raises(ValueError, match="MaxPool1d: padding 2 must be at most half"):
        cg.nn.MaxPool1d(3, padding=2)
    with pytest.raises(TypeError, match="MaxPool3d kernel_size: expected an int or 3 ints"):
        cg.nn.MaxPool3d((2, 2))
    with pytest.raises(ValueError, match="AvgPool3d: divisor_override must be a positive int"):
        cg.nn.AvgPool3d(2, divisor_override=0)
    with pytest.raises(ValueError, match="AvgPool1d stride: must be >= 1"):
        cg.nn.AvgPool1d(2, 0)
    with pytest.raises(ValueError, match="FractionalMaxPool2d requires specifying either"):
        cg.nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        cg.nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError, match="output_ratio must be 2 numbers between 0 and 1"):
        cg.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.0))
    with pytest.raises(ValueError, match="FractionalMaxPool3d kernel_size: must be >= 1"):
        cg.nn.FractionalMaxPool3d(0, output_size=2)
    with pytest.raises(ValueError, match="lp_pool1d: norm_type must be non-zero"):
        cg.nn.LPPool1d(0, 2)(np.ones((1, 4)))
