"""More of torch.nn.functional's names against torch: prelu rrelu gumbel_softmax
alpha_dropout feature_alpha_dropout lp_pool1d lp_pool2d local_response_norm
multi_margin_loss multilabel_soft_margin_loss embedding_bag upsample (values and the
gradients of every floating input, float64 tight and float32 loose; the random ones by
their distribution and their gradients' formula)."""

import warnings

import numpy as np
import pytest

import compgraph as cg
import compgraph.nn.functional as F

RNG = np.random.default_rng(11)
TOL = {np.float64: 1e-9, np.float32: 2e-4}
DT = [np.float64, np.float32]


def compare(f, tf, arrays, dtype=np.float64, kw=None, tkw=None, grad=None):
    torch = pytest.importorskip("torch")
    kw = kw or {}
    tkw = kw if tkw is None else tkw
    tol = TOL[dtype]
    arrs = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    grad = [i for i, a in enumerate(arrs) if a.dtype.kind == "f"] if grad is None else grad
    xs = [cg.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrs)]
    ts = [torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrs)]
    y, ty = f(*xs, **kw), tf(*ts, **tkw)
    assert tuple(y.shape) == tuple(ty.shape), (y.shape, ty.shape)
    assert y.dtype == np.dtype(str(ty.dtype).replace("torch.", "")), (y.dtype, ty.dtype)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=tol, atol=tol)
    g = RNG.normal(size=tuple(ty.shape)).astype(dtype)
    cg.sum(y * g).backward()
    (ty * torch.tensor(g)).sum().backward()
    for i in grad:
        np.testing.assert_allclose(
            xs[i].grad, ts[i].grad.numpy(), rtol=tol, atol=tol, err_msg=f"gradient of input {i}"
        )


def r(*shape):
    return RNG.normal(size=shape)


def tf():
    return pytest.importorskip("torch").nn.functional


@pytest.mark.parametrize("dtype", DT)
def test_prelu(dtype):
    x = r(3, 4, 5)
    x[0, 0, 0] = 0.0  # the gradient at 0 goes to the weight's side, as torch
    compare(F.prelu, tf().prelu, [x, r(4)], dtype)
    compare(F.prelu, tf().prelu, [r(3, 4, 2, 2), np.array([0.25])], dtype)
    compare(F.prelu, tf().prelu, [r(4), np.array([0.3])], dtype)
    for x, w in ((r(3, 4), r(3)), (r(4), r(4))):  # a 1-D input has one channel
        with pytest.raises(ValueError, match="prelu"):
            F.prelu(cg.tensor(x), cg.tensor(w))


@pytest.mark.parametrize("dtype", DT)
def test_rrelu_eval_is_leaky_relu_with_the_mean_slope(dtype):
    compare(F.rrelu, tf().rrelu, [r(4, 6)], dtype, kw={"lower": 0.1, "upper": 0.3})
    compare(F.rrelu, tf().rrelu, [r(4, 6)], dtype)


def test_rrelu_training_draws_slopes_in_range_and_differentiates_with_them():
    x = cg.tensor(r(2000), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    neg = x.data < 0
    slope = y.data[neg] / x.data[neg]
    assert (slope >= 0.1).all() and (slope <= 0.3).all() and slope.std() > 0.03
    np.testing.assert_array_equal(y.data[~neg], x.data[~neg])
    cg.sum(y).backward()
    np.testing.assert_allclose(x.grad.numpy()[neg], slope, rtol=1e-12)
    assert (x.grad.numpy()[~neg] == 1).all()
    cg.manual_seed(5)
    a = F.rrelu(x, training=True).data
    cg.manual_seed(5)
    np.testing.assert_array_equal(a, F.rrelu(x, training=True).data)
    with pytest.raises(ValueError, match="rrelu"):
        F.rrelu(x, 0.5, 0.2)


def test_gumbel_softmax_samples_the_softmax_and_has_its_gradient():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    gen = np.random.default_rng(0)
    hits = np.zeros(3)
    batch = cg.tensor(np.tile(logits, (4000, 1)))
    y = F.gumbel_softmax(batch, tau=0.5, hard=True, generator=gen)
    assert set(np.unique(y.data)) == {0.0, 1.0} and (y.data.sum(1) == 1).all()
    hits += y.data.sum(0)
    np.testing.assert_allclose(hits / 4000, [0.1, 0.2, 0.7], atol=0.03)  # Gumbel-max
    # soft: a softmax of (logits + noise) / tau, so its gradient is softmax's / tau
    x = cg.tensor(r(5, 4), requires_grad=True)
    w = r(5, 4)
    y = F.gumbel_softmax(x, tau=2.0, generator=np.random.default_rng(1))
    np.testing.assert_allclose(y.data.sum(1), 1)
    cg.sum(y * w).backward()
    yv = y.data
    want = yv * (w - (w * yv).sum(1, keepdims=True)) / 2.0
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-10, atol=1e-12)
    # hard: the one-hot of the soft sample, with the soft sample's gradient
    x.grad = None
    yh = F.gumbel_softmax(x, tau=2.0, hard=True, dim=1, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(yh.data.argmax(1), yv.argmax(1))
    cg.sum(yh * w).backward()
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-10, atol=1e-12)
    assert F.gumbel_softmax(cg.tensor(r(3, 2).astype(np.float32))).dtype == np.float32


@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_keeps_mean_and_variance(fn):
    f = getattr(F, fn)
    x = cg.tensor(r(400, 50, 4), requires_grad=True)
    assert f(x, 0.3) is x or np.array_equal(f(x, 0.3).data, x.data)  # eval: identity
    y = f(x, 0.3, training=True, generator=np.random.default_rng(2))
    a = ((1 - 0.3) * (1 + 0.3 * 1.7580993408473766**2)) ** -0.5
    b = a * 1.7580993408473766 * 0.3
    kept = np.isclose(y.data, a * x.data + b)
    dropped = np.isclose(y.data, b - a * 1.7580993408473766)
    assert (kept | dropped).all() and 0.65 < kept.mean() < 0.75
    if fn == "feature_alpha_dropout":  # whole channels
        assert (kept.all(axis=2) | dropped.all(axis=2)).all()
    assert abs(y.data.mean()) < 0.03 and abs(y.data.std() - 1) < 0.03
    cg.sum(y).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0))
    assert np.array_equal(f(x, 0.0, training=True).data, x.data)
    assert not f(x, 1.0, training=True).data.any()
    with pytest.raises(ValueError, match="probability"):
        f(x, 1.5, training=True)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("p", [2, 3.0, 1.5])
def test_lp_pool(dtype, p):
    x = np.abs(r(2, 3, 6, 7)) + 0.1 if p == 1.5 else r(2, 3, 6, 7)
    compare(F.lp_pool2d, tf().lp_pool2d, [x], dtype, kw={"norm_type": p, "kernel_size": 2})
    compare(
        F.lp_pool2d,
        tf().lp_pool2d,
        [x],
        dtype,
        kw={"norm_type": p, "kernel_size": (3, 2), "stride": (2, 1), "ceil_mode": True},
    )
    compare(
        F.lp_pool1d,
        tf().lp_pool1d,
        [x[0]],
        dtype,
        kw={"norm_type": p, "kernel_size": 3, "stride": 2},
    )


def test_lp_pool_infinite_norm():
    compare(
        F.lp_pool2d,
        tf().lp_pool2d,
        [r(2, 3, 4, 4)],
        kw={"norm_type": float("inf"), "kernel_size": 2},
    )
    compare(
        F.lp_pool1d, tf().lp_pool1d, [r(2, 3, 8)], kw={"norm_type": float("inf"), "kernel_size": 2}
    )


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("shape", [(2, 7, 5), (2, 6, 4, 3), (1, 5, 2, 3, 2)])
def test_local_response_norm(dtype, shape):
    for size in (1, 2, 3, 4):
        compare(
            F.local_response_norm,
            tf().local_response_norm,
            [r(*shape)],
            dtype,
            kw={"size": size, "alpha": 0.3, "beta": 0.6, "k": 1.5},
        )
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(cg.tensor(r(3, 4)), 2)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multi_margin_loss(dtype, reduction):
    x, t = r(6, 5), RNG.integers(0, 5, 6)
    for kw in ({}, {"p": 2, "margin": 0.7}, {"weight": None}):
        compare(
            F.multi_margin_loss,
            tf().multi_margin_loss,
            [x, t],
            dtype,
            kw={"reduction": reduction, **kw},
        )
    compare(
        lambda x, t, w: F.multi_margin_loss(x, t, weight=w, reduction=reduction),
        lambda x, t, w: tf().multi_margin_loss(x, t, weight=w, reduction=reduction),
        [x, t, np.abs(r(5))],
        dtype,
        grad=[0],
    )  # (torch: no gradient of the weight)
    compare(
        F.multi_margin_loss,
        tf().multi_margin_loss,
        [r(5), np.array(2)],
        dtype,
        kw={"reduction": reduction},
    )
    with pytest.raises(ValueError, match="p == 1"):
        F.multi_margin_loss(cg.tensor(x), t, p=3)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_soft_margin_loss(dtype, reduction):
    x, t = r(4, 6), (RNG.random((4, 6)) > 0.5).astype(np.float64)
    compare(
        F.multilabel_soft_margin_loss,
        tf().multilabel_soft_margin_loss,
        [x, t],
        dtype,
        kw={"reduction": reduction},
    )
    compare(
        lambda x, t, w: F.multilabel_soft_margin_loss(x, t, w, reduction=reduction),
        lambda x, t, w: tf().multilabel_soft_margin_loss(x, t, w, reduction=reduction),
        [x, t, np.abs(r(6))],
        dtype,
    )


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(dtype, mode):
    torch = pytest.importorskip("torch")
    w = r(10, 3)
    idx2 = RNG.integers(0, 10, (4, 5))
    compare(
        lambda i, w: F.embedding_bag(i, w, mode=mode),
        lambda i, w: tf().embedding_bag(i, w, mode=mode),
        [idx2, w],
        dtype,
    )
    flat = RNG.permutation(10)[:7]  # distinct: max has one argmax per bag
    offsets = np.array([0, 2, 2, 5])  # an empty bag (zeros)
    compare(
        lambda i, w: F.embedding_bag(i, w, offsets, mode=mode),
        lambda i, w: tf().embedding_bag(i, w, torch.tensor(offsets), mode=mode),
        [flat, w],
        dtype,
    )
    compare(
        lambda i, w: F.embedding_bag(
            i, w, np.array([0, 3, 7]), mode=mode, include_last_offset=True
        ),
        lambda i, w: tf().embedding_bag(
            i, w, torch.tensor([0, 3, 7]), mode=mode, include_last_offset=True
        ),
        [flat, w],
        dtype,
    )
    compare(
        lambda i, w: F.embedding_bag(i, w, mode=mode, padding_idx=int(idx2[0, 0])),
        lambda i, w: tf().embedding_bag(i, w, mode=mode, padding_idx=int(idx2[0, 0])),
        [idx2, w],
        dtype,
    )
    if mode == "sum":
        compare(
            lambda i, w, p: F.embedding_bag(i, w, mode="sum", per_sample_weights=p),
            lambda i, w, p: tf().embedding_bag(i, w, mode="sum", per_sample_weights=p),
            [idx2, w, r(4, 5)],
            dtype,
        )
    else:
        with pytest.raises(ValueError, match="per_sample_weights"):
            F.embedding_bag(idx2, cg.tensor(w), mode=mode, per_sample_weights=r(4, 5))


def test_embedding_bag_errors():
    w = cg.tensor(r(10, 3))
    with pytest.raises(ValueError, match="mode"):
        F.embedding_bag(np.array([[1, 2]]), w, mode="median")
    with pytest.raises(ValueError, match="offsets"):
        F.embedding_bag(np.array([1, 2]), w)
    with pytest.raises(ValueError, match="offsets"):
        F.embedding_bag(np.array([[1, 2]]), w, np.array([0]))
    with pytest.raises(TypeError, match="integers"):
        F.embedding_bag(np.array([[1.0]]), w)


@pytest.mark.parametrize("dtype", DT)
def test_upsample_aliases_warn_and_interpolate(dtype):
    x = r(2, 3, 4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(F.upsample, tf().upsample, [x], dtype, kw={"scale_factor": 2})
        compare(
            F.upsample,
            tf().upsample,
            [x],
            dtype,
            kw={"size": (7, 3), "mode": "bilinear", "align_corners": False},
        )
        compare(F.upsample_nearest, tf().upsample_nearest, [x], dtype, kw={"size": (6, 6)})
        compare(F.upsample_bilinear, tf().upsample_bilinear, [x], dtype, kw={"scale_factor": 2})
    with pytest.warns(UserWarning, match="deprecated"):
        F.upsample(cg.tensor(x), scale_factor=2)


# ------------------------------------------------------------------ 3-D
@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2, "padding": 1},
        {"dilation": (2, 1, 1)},
        {"padding": "same"},
        {"groups": 2, "stride": (1, 2, 1)},
        {"padding": (0, 1, 2), "stride": (2, 1, 2)},
    ],
)
def test_conv3d(dtype, kw):
    w = r(4, 4 // kw.get("groups", 1), 3, 2, 3)
    compare(F.conv3d, tf().conv3d, [r(2, 4, 5, 6, 7), w, r(4)], dtype, kw=kw)


def test_conv3d_unbatched_and_errors():
    compare(F.conv3d, tf().conv3d, [r(2, 4, 4, 4), r(3, 2, 2, 2, 2)])
    with pytest.raises(ValueError, match="conv3d"):
        F.conv3d(cg.tensor(r(1, 2, 4, 4, 4)), cg.tensor(r(3, 2, 2, 2)))
    with pytest.raises(ValueError, match="conv3d"):
        F.conv3d(cg.tensor(r(1, 2, 2, 4, 4)), cg.tensor(r(3, 2, 3, 2, 2)))


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3, 2), "stride": 1, "dilation": (2, 1, 1)},
        {"kernel_size": 2, "ceil_mode": True, "stride": 2},
    ],
)
def test_max_pool3d(dtype, kw):
    """Values, gradients and (return_indices) the flat index of each maximum."""
    x = RNG.permutation(2 * 3 * 5 * 6 * 7).reshape(2, 3, 5, 6, 7) / 10.0  # no ties
    compare(F.max_pool3d, tf().max_pool3d, [x], dtype, kw=kw)
    ties = np.maximum(r(2, 3, 5, 6, 7), 0)  # many tied zeros: the first maximum, as torch
    compare(F.max_pool3d, tf().max_pool3d, [ties], dtype, kw=kw)
    compare(F.max_pool3d, tf().max_pool3d, [x[0]], dtype, kw=kw)
    torch = pytest.importorskip("torch")
    for a in (x, ties, x[0]):
        _, idx = F.max_pool3d(cg.tensor(a.astype(dtype)), return_indices=True, **kw)
        _, tidx = tf().max_pool3d(torch.tensor(a.astype(dtype)), return_indices=True, **kw)
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        {"kernel_size": (2, 3, 2), "stride": 2, "ceil_mode": True},
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
        },
        {"kernel_size": 2, "divisor_override": 3},
    ],
)
def test_avg_pool3d(dtype, kw):
    compare(F.avg_pool3d, tf().avg_pool3d, [r(2, 3, 5, 6, 7)], dtype, kw=kw)
    compare(F.avg_pool3d, tf().avg_pool3d, [r(3, 5, 6, 7)], dtype, kw=kw)


# ------------------------------------------------------------------ sampling grids
@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid(dtype, align):
    compare(
        F.affine_grid,
        tf().affine_grid,
        [r(2, 2, 3)],
        dtype,
        kw={"size": (2, 3, 4, 5), "align_corners": align},
    )
    compare(
        F.affine_grid,
        tf().affine_grid,
        [r(2, 3, 4)],
        dtype,
        kw={"size": (2, 1, 3, 4, 2), "align_corners": align},
    )
    with pytest.raises(ValueError, match="affine_grid"):
        F.affine_grid(cg.tensor(r(2, 2, 3)), (2, 3, 4, 5, 6), align_corners=align)
    with pytest.warns(UserWarning, match="align_corners"):
        F.affine_grid(cg.tensor(r(1, 2, 3)), (1, 1, 2, 2))


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_bilinear(dtype, align, padding_mode):
    grid = RNG.uniform(-3.3, 3.3, size=(2, 3, 4, 2))  # points outside, reflected twice
    kw = {"mode": "bilinear", "padding_mode": padding_mode, "align_corners": align}
    compare(F.grid_sample, tf().grid_sample, [r(2, 3, 5, 6), grid], dtype, kw=kw)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_nearest(align, padding_mode):
    grid = RNG.uniform(-1.3, 1.3, size=(2, 3, 4, 2))
    kw = {"mode": "nearest", "padding_mode": padding_mode, "align_corners": align}
    compare(F.grid_sample, tf().grid_sample, [r(2, 3, 5, 6), grid], kw=kw, grad=[0])


def test_grid_sample_of_an_affine_grid_and_errors():
    theta = np.array([[[0.8, -0.3, 0.1], [0.2, 0.9, -0.2]]])
    compare(
        lambda x, t: F.grid_sample(
            x, F.affine_grid(t, (1, 2, 6, 5), align_corners=False), align_corners=False
        ),
        lambda x, t: tf().grid_sample(
            x, tf().affine_grid(t, (1, 2, 6, 5), align_corners=False), align_corners=False
        ),
        [r(1, 2, 4, 4), theta],
    )
    x, g = cg.tensor(r(1, 2, 4, 4)), cg.tensor(r(1, 3, 3, 2))
    for kw in ({"mode": "bicubic"}, {"padding_mode": "mirror"}):
        with pytest.raises(ValueError, match="grid_sample"):
            F.grid_sample(x, g, align_corners=False, **kw)
    with pytest.raises(ValueError, match="grid_sample"):  # a 5-D input needs (x, y, z)
        F.grid_sample(cg.tensor(r(1, 2, 3, 4, 4)), cg.tensor(r(1, 3, 3, 3, 2)), align_corners=False)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_5d(dtype, mode, padding_mode):
    for align in (False, True):
        grid = RNG.uniform(-1.6, 1.6, size=(2, 3, 2, 4, 3))
        kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align}
        compare(
            F.grid_sample,
            tf().grid_sample,
            [r(2, 3, 4, 5, 6), grid],
            dtype,
            kw=kw,
            grad=[0, 1] if mode == "bilinear" else [0],
        )


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, float("inf")])
def test_pdist_matches_torch_with_equal_rows(p):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.normal(size=(5, 3))
    a[3] = a[1]  # a zero distance: gradient 0 there, as torch
    x = cg.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y, ty = F.pdist(x, p), torch.pdist(t, p)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = rng.normal(size=ty.shape)
    cg.sum(y * w).backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert cg.pdist is F.pdist
    with pytest.raises(ValueError, match="2-D"):
        F.pdist(cg.tensor(np.ones(3)))


@pytest.mark.parametrize(
    "shape, out, name",
    [
        ((2, 3, 7, 5), (3, 2), "adaptive_max_pool2d"),
        ((3, 6, 6), (3, 3), "adaptive_max_pool2d"),  # unbatched
        ((2, 2, 8, 8), (None, 4), "adaptive_max_pool2d"),  # equal windows
        ((2, 3, 9), 4, "adaptive_max_pool1d"),
    ],
)
def test_adaptive_max_pool_return_indices_match_torch(shape, out, name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a = rng.integers(0, 3, size=shape).astype(float)  # ties: the first maximum wins
    a.flat[5] = np.nan  # NaN counts as the maximum, as torch
    x = cg.tensor(a, requires_grad=True)
    v, i = getattr(F, name)(x, out, return_indices=True)
    tx = torch.tensor(a, requires_grad=True)
    tv, ti = getattr(torch.nn.functional, name)(tx, out, return_indices=True)
    np.testing.assert_allclose(v.numpy(), tv.detach().numpy(), equal_nan=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == np.int64 and not i.requires_grad
    w = rng.normal(size=tv.shape)
    # the gradient flows to each window's first maximum (the NaN's window: to the NaN)
    cg.sum(cg.where(cg.isnan(v), 0.0, v) * w).backward()
    tv2 = torch.where(torch.isnan(tv), torch.zeros_like(tv), tv)
    (tv2 * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
