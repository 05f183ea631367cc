"""Padding, upsampling, shuffle, fold, unflatten and channel-dropout modules (and
F.channel_shuffle / F.dropout3d) against PyTorch: values and float64 gradients, the
padding-argument forms, unbatched inputs, repr, train/eval and dropout statistics."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
import compgraph.nn.functional as F

torch = pytest.importorskip("torch")
nn = cg.nn


def run_both(cg_mod, t_mod, x, tol=1e-12):
    """Forward and backward of both modules on the same float64 data: values and the
    input's gradient (under a random cotangent) must agree."""
    tx = torch.tensor(x, requires_grad=True)
    ty = t_mod(tx)
    w = np.random.default_rng(99).standard_normal(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    cx = cg.tensor(x, requires_grad=True)
    cy = cg_mod(cx)
    assert tuple(cy.shape) == tuple(ty.shape)
    np.testing.assert_allclose(cy.numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    (cy * w).sum().backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)
    assert repr(cg_mod) == repr(t_mod)
    assert list(cg_mod.state_dict()) == list(t_mod.state_dict()) == []
    return cy


# ------------------------------------------------------------------ padding
PAD_CASES = [
    # (name, args, input shape): int and tuple forms, batched and unbatched
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)),
    ("ConstantPad1d", ((3, 1), -1.0), (3, 4)),
    ("ConstantPad1d", ((-1, 2), 0.5), (2, 3, 5)),  # negative amounts crop
    ("ConstantPad2d", (1, 2.0), (2, 3, 4, 5)),
    ("ConstantPad2d", ((3, 0, 2, 1), 3.5), (3, 4, 5)),
    ("ConstantPad3d", (1, 1.5), (1, 2, 3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 2, 1, 0, 3), 0.0), (2, 3, 4, 5)),
    ("ZeroPad1d", (2,), (2, 3, 4)),
    ("ZeroPad1d", ((0, 3),), (3, 4)),
    ("ZeroPad2d", (1,), (2, 3, 4, 5)),
    ("ZeroPad2d", ((1, 2, -1, 0),), (3, 4, 5)),
    ("ZeroPad3d", (1,), (2, 3, 4, 5)),
    ("ZeroPad3d", ((0, 1, 1, 0, 2, 2),), (1, 2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 4)),
    ("ReflectionPad1d", ((3, 1),), (3, 5)),
    ("ReflectionPad2d", (2,), (2, 3, 4, 5)),
    ("ReflectionPad2d", ((1, 1, 2, 0),), (3, 3, 3)),
    ("ReflectionPad3d", (1,), (1, 2, 2, 3, 4)),
    ("ReflectionPad3d", ((1, 2, 0, 1, 2, 1),), (2, 3, 4, 5)),
    ("ReplicationPad1d", (3,), (2, 3, 4)),
    ("ReplicationPad1d", ((0, 4),), (3, 2)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad2d", ((3, 0, 1, 4),), (3, 2, 2)),
    ("ReplicationPad3d", (1,), (1, 2, 2, 3, 4)),
    ("ReplicationPad3d", ((2, 0, 1, 1, 0, 3),), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 4)),
    ("CircularPad1d", ((3, 1),), (3, 4)),
    ("CircularPad1d", ((-1, 2),), (2, 3, 5)),
    ("CircularPad2d", (2,), (2, 3, 3, 3)),
    ("CircularPad2d", ((1, 1, 2, 0),), (3, 3, 4)),
    ("CircularPad3d", (1,), (1, 2, 2, 3, 4)),
    ("CircularPad3d", ((1, 2, 0, 1, 2, 1),), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name,args,shape", PAD_CASES)
def test_padding_values_gradients_repr(name, args, shape):
    x = np.random.default_rng(len(shape) + len(name)).standard_normal(shape)
    run_both(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), x)


def test_padding_list_argument_and_known_values():
    m = nn.ReflectionPad1d([3, 1])
    assert m.padding == (3, 1)
    x = np.arange(8.0).reshape(1, 2, 4)
    np.testing.assert_array_equal(
        m(x).numpy(), [[[3, 2, 1, 0, 1, 2, 3, 2], [7, 6, 5, 4, 5, 6, 7, 6]]]
    )
    np.testing.assert_array_equal(
        nn.CircularPad1d(2)(x).numpy(), [[[2, 3, 0, 1, 2, 3, 0, 1], [6, 7, 4, 5, 6, 7, 4, 5]]]
    )


@pytest.mark.parametrize(
    "name,arg,shape",
    [
        ("ReflectionPad2d", 1, (4, 5)),
        ("ReflectionPad2d", 1, (1, 2, 3, 4, 5)),
        ("ReplicationPad1d", 1, (2, 3, 4, 5)),
        ("ReplicationPad3d", 1, (3, 4, 5)),
        ("CircularPad2d", 1, (4, 5)),
        ("CircularPad1d", 1, (1, 2, 3, 4)),
    ],
)
def test_padding_input_dimensions_rejected(name, arg, shape):
    x = np.zeros(shape)
    with pytest.raises((ValueError, NotImplementedError, RuntimeError)):
        getattr(torch.nn, name)(arg)(torch.tensor(x))
    with pytest.raises(ValueError, match=name):
        getattr(nn, name)(arg)(x)


def test_padding_constant_pads_any_leading_dimensions():
    x = np.random.default_rng(0).standard_normal((2, 2, 2, 3, 4))
    run_both(nn.ConstantPad1d(1, 2.0), torch.nn.ConstantPad1d(1, 2.0), x)
    run_both(nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1), x[0, 0, 0])


def test_padding_argument_errors():
    with pytest.raises(ValueError, match="ReflectionPad2d"):
        nn.ReflectionPad2d((1, 2, 3))
    with pytest.raises(ValueError, match="ZeroPad1d"):
        nn.ZeroPad1d(())
    with pytest.raises(TypeError, match="ConstantPad2d"):
        nn.ConstantPad2d(1.5, 0.0)
    with pytest.raises(TypeError, match="ReplicationPad1d"):
        nn.ReplicationPad1d((1, "2"))
    # reflection needs a padding smaller than the dimension (torch refuses it too)
    with pytest.raises(RuntimeError):
        torch.nn.ReflectionPad1d(4)(torch.zeros(1, 2, 4))
    with pytest.raises(ValueError):
        nn.ReflectionPad1d(4)(np.zeros((1, 2, 4)))


# ------------------------------------------------------------------ upsampling
UPSAMPLE_CASES = [
    (dict(scale_factor=2), (2, 3, 4)),
    (dict(size=7), (2, 3, 4)),
    (dict(scale_factor=2, mode="linear"), (2, 3, 4)),
    (dict(size=9, mode="linear", align_corners=True), (1, 2, 5)),
    (dict(scale_factor=(2, 3)), (2, 2, 3, 4)),
    (dict(size=(5, 7), mode="nearest-exact"), (1, 2, 3, 4)),
    (dict(scale_factor=1.5, mode="bilinear"), (2, 2, 4, 5)),
    (dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True), (1, 2, 4, 5)),
    (dict(size=(6, 8), mode="bilinear", align_corners=True), (1, 3, 3, 4)),
    (dict(scale_factor=2, mode="bicubic"), (1, 2, 3, 4)),
    (dict(size=(5, 3), mode="bicubic", align_corners=True), (1, 1, 4, 4)),
    (dict(size=(2, 3), mode="area"), (2, 2, 5, 7)),
    (dict(scale_factor=2, mode="trilinear"), (1, 2, 2, 3, 2)),
    (dict(size=(3, 4, 5), mode="trilinear", align_corners=True), (1, 1, 2, 3, 4)),
    (dict(scale_factor=(1, 2, 2)), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("kw,shape", UPSAMPLE_CASES)
def test_upsample_vs_torch_and_interpolate(kw, shape):
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    y = run_both(nn.Upsample(**kw), torch.nn.Upsample(**kw), x)
    ref = F.interpolate(x, **kw)
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-13, atol=1e-13)


def test_upsample_attributes_as_torch():
    for kw in [
        dict(scale_factor=2),
        dict(scale_factor=(2, 3)),
        dict(size=(4, 5)),
        dict(size=3, scale_factor=0),
    ]:
        m, t = nn.Upsample(**kw), torch.nn.Upsample(**kw)
        assert (m.size, m.scale_factor, m.mode, m.align_corners, m.recompute_scale_factor) == (
            t.size,
            t.scale_factor,
            t.mode,
            t.align_corners,
            t.recompute_scale_factor,
        )
        assert repr(m) == repr(t)
    assert nn.Upsample(scale_factor=2).name == "Upsample"
    with pytest.raises(ValueError):
        nn.Upsample()(np.zeros((1, 1, 2, 2)))
    with pytest.raises(NotImplementedError):
        nn.Upsample(scale_factor=2, mode="bilinear")(np.zeros((1, 1, 2)))


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 7)), dict(scale_factor=1.5)])
def test_upsampling_nearest_and_bilinear_2d(kw):
    x = np.random.default_rng(5).standard_normal((2, 3, 3, 4))
    run_both(nn.UpsamplingNearest2d(**kw), torch.nn.UpsamplingNearest2d(**kw), x)
    b = nn.UpsamplingBilinear2d(**kw)
    assert b.align_corners is True and b.mode == "bilinear"
    run_both(b, torch.nn.UpsamplingBilinear2d(**kw), x)


# ------------------------------------------------------------------ shuffles
@pytest.mark.parametrize("r,shape", [(2, (2, 8, 3, 4)), (3, (9, 2, 2)), (2, (2, 3, 4, 2, 3))])
def test_pixel_shuffle_and_unshuffle(r, shape):
    x = np.random.default_rng(r).standard_normal(shape)
    y = run_both(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), x)
    back = run_both(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), y.numpy())
    np.testing.assert_array_equal(back.numpy(), x)


@pytest.mark.parametrize(
    "g,shape",
    [
        (2, (2, 6, 3)),
        (3, (2, 6, 2, 2)),
        (3, (2, 6, 2, 2, 2)),
        (3, (6, 3, 3)),
        (1, (2, 4, 3)),
        (4, (1, 4, 1, 2)),
    ],
)
def test_channel_shuffle_vs_torch(g, shape):
    x = np.random.default_rng(g).standard_normal(shape)
    run_both(nn.ChannelShuffle(g), torch.nn.ChannelShuffle(g), x)
    tx = torch.tensor(x)
    for fn, tfn in [
        (F.channel_shuffle, torch.nn.functional.channel_shuffle),
        (F.native_channel_shuffle, torch.nn.functional.native_channel_shuffle),
    ]:
        np.testing.assert_array_equal(fn(x, g).numpy(), tfn(tx, g).numpy())


def test_channel_shuffle_known_order_and_gradcheck():
    x = np.arange(4.0).reshape(1, 4, 1, 1)
    np.testing.assert_array_equal(F.channel_shuffle(x, 2).numpy().ravel(), [0, 2, 1, 3])
    assert cg.gradcheck(
        lambda v: F.channel_shuffle(v, 3), np.random.default_rng(0).standard_normal((2, 6, 2))
    )


def test_channel_shuffle_errors():
    x = np.zeros((2, 6, 2, 2))
    with pytest.raises(ValueError, match="positive"):
        F.channel_shuffle(x, 0)
    with pytest.raises(ValueError, match="divisible"):
        nn.ChannelShuffle(4)(x)
    with pytest.raises(ValueError, match="more than 2 dimensions"):
        F.channel_shuffle(np.zeros((2, 6)), 2)
    with pytest.raises(TypeError, match="groups must be an int"):
        F.channel_shuffle(x, 2.0)


# ------------------------------------------------------------------ fold / unfold
FOLD_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=(2, 3), stride=(1, 2)),
    dict(kernel_size=3, padding=1, stride=2),
    dict(kernel_size=2, dilation=2, padding=(1, 0)),
    dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=(2, 1)),
]


@pytest.mark.parametrize("kw", FOLD_CASES)
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_fold_vs_torch_and_round_trip(kw, batched):
    shape = (2, 3, 6, 7) if batched else (3, 6, 7)
    x = np.random.default_rng(7).standard_normal(shape)
    cols = run_both(nn.Unfold(**kw), torch.nn.Unfold(**kw), x)
    fold, tfold = nn.Fold((6, 7), **kw), torch.nn.Fold((6, 7), **kw)
    back = run_both(fold, tfold, cols.numpy())
    # fold(unfold(x)) = x times how many blocks cover each place
    count = fold(nn.Unfold(**kw)(np.ones(shape))).numpy()
    np.testing.assert_allclose(back.numpy(), x * count, rtol=1e-12, atol=1e-12)
    want = tfold(torch.nn.Unfold(**kw)(torch.ones(shape, dtype=torch.float64))).numpy()
    np.testing.assert_allclose(count, want)


def test_fold_unfold_errors():
    with pytest.raises(ValueError, match="Unfold"):
        nn.Unfold(2)(np.zeros((2, 3, 4, 4, 4)))
    with pytest.raises(ValueError, match="Fold"):
        nn.Fold((4, 4), 2)(np.zeros((1, 2, 12, 9)))
    with pytest.raises(ValueError, match="fold"):
        nn.Fold((4, 4), 2)(np.zeros((1, 12, 10)))  # 9 blocks fit, not 10


# ------------------------------------------------------------------ unflatten
@pytest.mark.parametrize(
    "dim,size,shape",
    [
        (1, (2, 5, 5), (2, 50)),
        (-1, [2, 3], (4, 6)),
        (0, (3, -1), (6, 2)),
        (1, torch.Size([2, 2]), (3, 4, 5)),
    ],
)
def test_unflatten_vs_torch(dim, size, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    run_both(nn.Unflatten(dim, size), torch.nn.Unflatten(dim, size), x)


@pytest.mark.parametrize(
    "bad,match",
    [
        ((("C", 2), ("H", 5)), "element of type tuple at pos 0"),  # named sizes
        (6, "found type int"),
        ((2, 3.0), "element of type float at pos 1"),
        ("ab", "found type str"),
    ],
)
def test_unflatten_argument_errors(bad, match):
    with pytest.raises(TypeError):
        torch.nn.Unflatten(1, bad)
    with pytest.raises(TypeError, match=match):
        nn.Unflatten(1, bad)


@pytest.mark.parametrize(
    "dim,size",
    [(1, (4, 2)), (1, (4, -1)), (1, (-1, -1)), (1, (-2, -3)), (1, ()), (2, (2, 3)), (-3, (2, 3))],
)
def test_unflatten_size_mismatch(dim, size):
    with pytest.raises((RuntimeError, IndexError)):
        torch.nn.Unflatten(dim, size)(torch.zeros(2, 6))
    with pytest.raises(ValueError, match="Unflatten"):
        nn.Unflatten(dim, size)(np.zeros((2, 6)))


# ------------------------------------------------------------------ dropout
DROPOUTS = ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
CHANNEL_SHAPES = {
    "Dropout1d": [(40, 50, 6), (300, 7)],
    "Dropout2d": [(40, 50, 3, 2), (300, 3, 2)],
    "Dropout3d": [(40, 50, 2, 2, 2), (300, 2, 3, 2)],
}


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_repr_defaults_eval_identity(name):
    m, t = getattr(nn, name)(), getattr(torch.nn, name)()
    assert (m.p, m.inplace) == (t.p, t.inplace) == (0.5, False)
    assert repr(m) == repr(t)
    m2, t2 = getattr(nn, name)(0.2, True), getattr(torch.nn, name)(0.2, True)
    assert repr(m2) == repr(t2) == f"{name}(p=0.2, inplace=True)"
    assert list(m.state_dict()) == []
    x = np.random.default_rng(0).standard_normal(
        (3, 4, 2, 2, 2) if name == "Dropout3d" else (3, 4, 5)
    )
    m.eval()
    cx = cg.tensor(x, requires_grad=True)
    y = m(cx)
    np.testing.assert_array_equal(y.numpy(), x)
    y.sum().backward()
    np.testing.assert_array_equal(cx.grad.numpy(), np.ones_like(x))


@pytest.mark.parametrize("name", DROPOUTS)
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_invalid_p(name, p):
    with pytest.raises(ValueError):
        getattr(torch.nn, name)(p)
    with pytest.raises(ValueError, match=name):
        getattr(nn, name)(p)


@pytest.mark.parametrize("name", ["Dropout1d", "Dropout2d", "Dropout3d"])
@pytest.mark.parametrize("p", [0.3, 0.75])
def test_channel_dropout_zeroes_whole_channels(name, p):
    for shape in CHANNEL_SHAPES[name]:
        m = getattr(nn, name)(p, seed=3)
        spatial = {"Dropout1d": 1, "Dropout2d": 2, "Dropout3d": 3}[name]
        x = cg.tensor(np.ones(shape), requires_grad=True)
        y = m(x)
        v = y.numpy().reshape(shape[: len(shape) - spatial] + (-1,))
        # every channel is all zeros or all 1/(1-p)
        assert np.all(v == v[..., :1])
        first = v[..., 0]
        assert set(np.unique(first)) <= {0.0, 1.0 / (1.0 - p)}
        assert abs((first == 0).mean() - p) < 0.06
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # the gradient is the mask


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_p0_and_p1(name):
    shape = {"Dropout3d": (3, 4, 2, 2, 2), "Dropout2d": (3, 4, 2, 5)}.get(name, (3, 4, 5))
    x = np.random.default_rng(2).standard_normal(shape) + 3.0
    np.testing.assert_array_equal(getattr(nn, name)(0.0)(x).numpy(), x)
    t = getattr(torch.nn, name)(1.0)(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(getattr(nn, name)(1.0)(x).numpy(), t)
    np.testing.assert_array_equal(t, np.zeros(shape))


def test_alpha_dropout_keeps_mean_and_variance():
    x = np.random.default_rng(4).standard_normal((400, 500))
    for name in ["AlphaDropout", "FeatureAlphaDropout"]:
        for p in (0.2, 0.5):
            y = getattr(nn, name)(p, seed=5)(x).numpy()
            t = getattr(torch.nn, name)(p)(torch.tensor(x)).numpy()
            assert abs(y.mean()) < 0.03 and abs(y.std() - 1.0) < 0.03
            assert abs(y.mean() - t.mean()) < 0.05 and abs(y.std() - t.std()) < 0.05
            assert not np.allclose(y, x)


def test_feature_alpha_dropout_drops_whole_channels():
    x = np.zeros((60, 50, 4, 3))
    y = nn.FeatureAlphaDropout(0.4, seed=1)(x).numpy().reshape(60, 50, -1)
    assert np.all(y == y[..., :1])
    assert len(np.unique(y)) == 2
    t = torch.nn.FeatureAlphaDropout(0.4)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(np.sort(np.unique(y)), np.sort(np.unique(t)), rtol=1e-12)


def test_dropout_seeding():
    x = np.ones((20, 30, 4))
    a, b = nn.Dropout1d(0.5, seed=7), nn.Dropout1d(0.5, seed=7)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    m = nn.Dropout3d(0.5)
    x3 = np.ones((4, 30, 2, 2, 2))
    cg.manual_seed(11)
    first = m(x3).numpy()
    cg.manual_seed(11)
    np.testing.assert_array_equal(m(x3).numpy(), first)
    assert not np.array_equal(m(x3).numpy(), first)


def test_f_dropout3d():
    x = np.ones((2, 40, 2, 2, 2))
    g = cg.Generator().manual_seed(0)
    y = F.dropout3d(x, 0.5, generator=g).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(F.dropout3d(x, 0.5, training=False).numpy(), x)
    # unbatched (C, D, H, W): channels dropped whole
    u = F.dropout3d(np.ones((300, 2, 2, 2)), 0.5).numpy().reshape(300, -1)
    assert np.all(u == u[:, :1]) and 0 < (u[:, 0] == 0).sum() < 300
    with pytest.raises(ValueError, match="dropout3d: dropout probability"):
        F.dropout3d(x, 1.5)
    with pytest.raises(ValueError, match="4-D"):
        F.dropout3d(np.ones((2, 3, 4)), 0.5)


def test_pixel_shuffle_errors():
    with pytest.raises(ValueError, match="pixel_shuffle"):
        nn.PixelShuffle(2)(np.zeros((1, 6, 2, 2)))
    with pytest.raises(ValueError, match="pixel_unshuffle"):
        nn.PixelUnshuffle(2)(np.zeros((1, 1, 3, 4)))


def test_modules_in_a_sequential_train_end_to_end():
    model = nn.Sequential(
        nn.Unflatten(1, (2, 4, 4)),
        nn.ReflectionPad2d(1),
        nn.Unfold(3),
        nn.Fold((6, 6), 3),
        nn.PixelUnshuffle(2),
        nn.ChannelShuffle(2),
        nn.Dropout2d(0.25, seed=0),
        nn.Upsample(scale_factor=2, mode="bilinear"),
    )
    x = cg.tensor(np.random.default_rng(8).standard_normal((3, 32)), requires_grad=True)
    y = model(x)
    assert y.shape == (3, 8, 6, 6)
    y.sum().backward()
    assert x.grad.shape == (3, 32) and np.isfinite(x.grad.numpy()).all()
    model.eval()
    assert isinstance(nn.Dropout1d()(np.ones((2, 3))), cg.Tensor)
