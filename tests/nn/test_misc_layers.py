"""BatchNorm3d, SyncBatchNorm, InstanceNorm1d/2d/3d, LocalResponseNorm, CrossMapLRN2d,
Conv3d, ConvTranspose1d/3d, Bilinear, CosineSimilarity, PairwiseDistance, EmbeddingBag,
ParameterDict and F.conv_transpose3d / F.conv_tbc against torch: values, gradients,
running statistics, options, repr, state_dict keys and errors."""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")
nn = cg.nn
F = cg.nn.functional
TOL = 1e-10


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _copy_state(tmod, cmod) -> None:
    """torch's parameters and buffers into the compgraph module, by state_dict key."""
    tsd = tmod.state_dict()
    assert list(tsd) == list(cmod.state_dict())
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tsd.items()})


def _compare(tmod, cmod, *inputs, grad_inputs=True, kwargs=None, seed=1):
    """Same output and the same gradients (inputs and parameters) of sum(y * g)."""
    kwargs = kwargs or {}
    tin = [torch.tensor(a, requires_grad=grad_inputs and a.dtype.kind == "f") for a in inputs]
    cin = [cg.tensor(a, requires_grad=grad_inputs and a.dtype.kind == "f") for a in inputs]
    ty = tmod(*tin, **kwargs)
    cy = cmod(*cin, **kwargs)
    assert tuple(ty.shape) == tuple(cy.shape)
    np.testing.assert_allclose(cy.data, ty.detach().numpy(), atol=TOL, rtol=TOL)
    g = _rng(seed).standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    (cy * g).sum().backward()
    for t, c in zip(tin, cin):
        if t.requires_grad:
            np.testing.assert_allclose(c.grad.data, t.grad.numpy(), atol=TOL, rtol=TOL)
    tparams = dict(tmod.named_parameters())
    for name, p in cmod.named_parameters():
        np.testing.assert_allclose(p.grad.data, tparams[name].grad.numpy(), atol=TOL, rtol=TOL)
    return ty, cy


def _buffers_equal(tmod, cmod) -> None:
    tsd = tmod.state_dict()
    for k, v in cmod.state_dict().items():
        np.testing.assert_allclose(v, tsd[k].numpy(), atol=TOL, rtol=TOL)


# ------------------------------------------------------------------ batch norm
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"momentum": None},
        {"affine": False},
        {"track_running_stats": False},
        {"bias": False, "eps": 1e-3, "momentum": 0.3},
    ],
)
def test_batchnorm3d_train_eval_and_running_stats(kwargs):
    t = torch.nn.BatchNorm3d(3, dtype=torch.float64, **kwargs)
    c = nn.BatchNorm3d(3, **kwargs)
    with torch.no_grad():
        for p in t.parameters():
            p.copy_(torch.tensor(_rng(5).standard_normal(p.shape)))
    _copy_state(t, c)
    for step in range(3):
        x = _rng(step).standard_normal((2, 3, 2, 3, 2)) * 2 + 1
        _compare(t, c, x, seed=step)
        _buffers_equal(t, c)
    t.eval()
    c.eval()
    _compare(t, c, _rng(9).standard_normal((2, 3, 2, 2, 2)))
    _buffers_equal(t, c)


def test_batchnorm3d_repr_keys_errors():
    for kw in ({}, {"affine": False, "track_running_stats": False}, {"bias": False}):
        t, c = torch.nn.BatchNorm3d(4, **kw), nn.BatchNorm3d(4, **kw)
        assert repr(c) == repr(t)
        assert list(c.state_dict()) == list(t.state_dict())
    c = nn.BatchNorm3d(3)
    assert c.running_mean.dtype == np.float64
    assert nn.BatchNorm3d(3, dtype="float32").weight.dtype == np.float32
    with pytest.raises(ValueError, match="BatchNorm3d: expected 5D input"):
        c(cg.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="expected 3 channels"):
        c(cg.ones((2, 4, 2, 2, 2)))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm3d(3, momentum=2.0)
    c.running_mean[...] = 5
    c.num_batches_tracked[...] = 7
    c.weight.data[...] = 3
    c.reset_parameters()
    assert (c.running_mean == 0).all() and int(c.num_batches_tracked) == 0
    assert (c.weight.data == 1).all()


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 2, 3)])
def test_syncbatchnorm_is_local_batchnorm(shape):
    t = torch.nn.SyncBatchNorm(3, dtype=torch.float64, momentum=0.2)
    c = nn.SyncBatchNorm(3, momentum=0.2)
    _copy_state(t, c)
    for step in range(2):
        _compare(t, c, _rng(step).standard_normal(shape))
        _buffers_equal(t, c)
    t.eval()
    c.eval()
    _compare(t, c, _rng(3).standard_normal(shape))
    assert repr(c) == repr(t)


def test_syncbatchnorm_errors_and_process_group():
    c = nn.SyncBatchNorm(3, process_group="group")
    assert c.process_group == "group"
    with pytest.raises(ValueError, match="at least 2D"):
        c(cg.ones(3))
    with pytest.raises(ValueError, match="non-zero"):
        nn.SyncBatchNorm(0)(cg.ones((2, 0)))


def test_convert_sync_batchnorm():
    def build(lib):
        bn = lib.BatchNorm1d(3, momentum=0.3)
        return lib.Sequential(
            lib.Linear(2, 3) if lib is torch.nn else nn.Linear(2, 3, seed=0),
            bn,
            lib.Sequential(lib.BatchNorm2d(3, affine=False), lib.ReLU()),
            lib.BatchNorm3d(3, track_running_stats=False),
        )

    t, c = build(torch.nn), build(nn)
    c[1].running_mean[...] = [1.0, 2.0, 3.0]
    c[1].num_batches_tracked[...] = 4
    w = c[1].weight
    c.eval()
    t_conv = torch.nn.SyncBatchNorm.convert_sync_batchnorm(t)
    c_conv = nn.SyncBatchNorm.convert_sync_batchnorm(c, process_group="pg")
    # compgraph's Linear has a repr of its own: compare the rest
    assert repr(c_conv).splitlines()[2:] == repr(t_conv).splitlines()[2:]
    assert list(c_conv.state_dict()) == list(t_conv.state_dict())
    assert type(c_conv[1]) is nn.SyncBatchNorm and type(c_conv[2][0]) is nn.SyncBatchNorm
    assert type(c_conv[3]) is nn.SyncBatchNorm and type(c_conv[0]) is nn.Linear
    assert c_conv[1].weight is w and c_conv[1].momentum == 0.3
    assert c_conv[1].process_group == "pg" and not c_conv[1].training
    np.testing.assert_array_equal(c_conv[1].running_mean, [1.0, 2.0, 3.0])
    assert int(c_conv[1].num_batches_tracked) == 4
    assert c_conv[2][0].weight is None and c_conv[3].running_mean is None
    assert [n for n, _ in c_conv.named_children()] == ["0", "1", "2", "3"]


# ------------------------------------------------------------------ instance norm
@pytest.mark.parametrize(
    "cls, shape",
    [
        ("InstanceNorm1d", (2, 3, 5)),
        ("InstanceNorm1d", (3, 5)),
        ("InstanceNorm2d", (2, 3, 4, 3)),
        ("InstanceNorm2d", (3, 4, 3)),
        ("InstanceNorm3d", (2, 3, 2, 3, 2)),
        ("InstanceNorm3d", (3, 2, 3, 2)),
    ],
)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"affine": True, "track_running_stats": True, "momentum": 0.3},
     {"track_running_stats": True, "momentum": None}, {"affine": True, "bias": False}],
)  # fmt: skip
def test_instance_norm(cls, shape, kwargs):
    t = getattr(torch.nn, cls)(3, dtype=torch.float64, **kwargs)
    c = getattr(nn, cls)(3, **kwargs)
    with torch.no_grad():
        for p in t.parameters():
            p.copy_(torch.tensor(_rng(5).standard_normal(p.shape)))
    _copy_state(t, c)
    assert repr(c) == repr(t)
    for step in range(2):
        _compare(t, c, _rng(step).standard_normal(shape) * 3 - 1, seed=step)
        _buffers_equal(t, c)
    t.eval()
    c.eval()
    _compare(t, c, _rng(7).standard_normal(shape))
    _buffers_equal(t, c)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D or 4D input \(got 2D"):
        nn.InstanceNorm2d(3)(cg.ones((3, 4)))
    with pytest.raises(ValueError, match="match num_features"):
        nn.InstanceNorm1d(3, affine=True)(cg.ones((2, 4, 5)))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(cg.ones((2, 4, 5)))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(cg.ones((2, 3, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.InstanceNorm1d(3)(cg.ones((2, 3, 2)))


# ------------------------------------------------------------------ local response norm
@pytest.mark.parametrize(
    "size, shape", [(2, (2, 5, 4)), (3, (2, 6, 3, 3)), (4, (1, 4, 2, 2, 3)), (1, (2, 3, 4))]
)
def test_local_response_norm(size, shape):
    kw = {"alpha": 0.3, "beta": 0.6, "k": 1.5}
    t, c = torch.nn.LocalResponseNorm(size, **kw), nn.LocalResponseNorm(size, **kw)
    _compare(t, c, _rng(size).standard_normal(shape))
    assert repr(c) == repr(t)
    assert repr(nn.LocalResponseNorm(3)) == repr(torch.nn.LocalResponseNorm(3))


def _crossmap_reference(x, size, alpha, beta, k):
    """torch's CrossMapLRN2d forward written with torch ops, so autograd gives the exact
    gradient (torch's hand-written backward does not: it fails gradcheck)."""
    c = x.shape[1]
    pre = int((size - 1) / 2 + 1)
    m = torch.zeros(c, c, dtype=x.dtype)
    for i in range(c):
        m[i, max(0, i - pre + 1) : min(c, i + pre)] = 1
        if i >= pre:
            m[i, 0] = 1
    scale = torch.einsum("ij,njhw->nihw", m, x * x) * (alpha / size) + k
    return x * scale ** (-beta)


@pytest.mark.parametrize("size, channels", [(1, 3), (2, 5), (3, 2), (3, 7), (4, 6), (5, 8)])
def test_cross_map_lrn2d(size, channels):
    x = _rng(size).standard_normal((2, channels, 3, 2))
    t = torch.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=2)
    c = nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=2)
    np.testing.assert_allclose(c(cg.tensor(x)).data, t(torch.tensor(x)).numpy(), atol=TOL)

    class Ref(torch.nn.Module):
        def forward(self, x):
            return _crossmap_reference(x, size, 0.5, 0.7, 2)

    _compare(Ref(), c, x)
    assert repr(c) == repr(t)


def test_cross_map_lrn2d_gradcheck_and_errors():
    c = nn.CrossMapLRN2d(3, alpha=0.5, beta=0.7, k=2)
    x = cg.tensor(_rng(0).standard_normal((1, 5, 2, 2)), requires_grad=True)
    assert cg.gradcheck(c, x)
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D"):
        c(cg.ones((5, 2, 2)))


# ------------------------------------------------------------------ convolution
CONV3D_CASES = [
    ((2, 3, 5, 4, 6), (3, 4, 3), {}),
    ((2, 4, 6, 5, 5), (4, 6, (2, 3, 1)), {"stride": (2, 1, 3), "padding": (1, 0, 2)}),
    ((1, 4, 5, 6, 5), (4, 2, 3), {"dilation": (2, 1, 2), "groups": 2, "bias": False}),
    ((4, 5, 5, 5), (4, 2, 3), {"padding": "same", "dilation": 2}),
    ((2, 2, 4, 5, 4), (2, 3, (2, 3, 2)), {"padding": "same"}),
    ((2, 2, 4, 5, 4), (2, 3, 2), {"padding": "valid", "stride": 2}),
    ((2, 2, 4, 5, 4), (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}),
    ((2, 2, 4, 5, 4), (2, 3, 3), {"padding": (2, 1, 0), "padding_mode": "replicate"}),
    ((2, 4, 4, 5, 4), (4, 4, 3), {"padding": (1, 2, 1), "padding_mode": "circular", "groups": 4}),
    ((2, 2, 4, 5, 4), (2, 3, (2, 3, 2)), {"padding": "same", "padding_mode": "circular"}),
    ((2, 4, 5, 4), (2, 3, 2), {"padding": 1, "padding_mode": "reflect", "stride": 2}),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("shape, args, kwargs", CONV3D_CASES)
def test_conv3d(shape, args, kwargs):
    t = torch.nn.Conv3d(*args, dtype=torch.float64, **kwargs)
    c = nn.Conv3d(*args, **kwargs)
    assert c.weight.shape == tuple(t.weight.shape)
    _copy_state(t, c)
    _compare(t, c, _rng(1).standard_normal(shape))
    assert repr(c) == repr(t)
    assert c._reversed_padding_repeated_twice == list(t._reversed_padding_repeated_twice)


def test_conv3d_init_seed_dtype_and_errors():
    a, b = nn.Conv3d(2, 4, 3, seed=3), nn.Conv3d(2, 4, 3, seed=3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    bound = 1 / np.sqrt(2 * 27)
    assert np.abs(a.weight.data).max() <= bound and np.abs(a.bias.data).max() <= bound
    assert nn.Conv3d(2, 4, 3, dtype="float32").weight.dtype == np.float32
    with pytest.raises(ValueError, match="in_channels 3 must be divisible by groups 2"):
        nn.Conv3d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels"):
        nn.Conv3d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive"):
        nn.Conv3d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match="invalid padding string"):
        nn.Conv3d(2, 4, 3, padding="full")
    with pytest.raises(ValueError, match="strided"):
        nn.Conv3d(2, 4, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv3d(2, 4, 3, padding_mode="wrap")
    with pytest.raises(TypeError, match="kernel_size"):
        nn.Conv3d(2, 4, (3, 3))
    with pytest.raises(ValueError, match="conv3d"):
        nn.Conv3d(2, 4, 3)(cg.ones((1, 3, 4, 4, 4)))


CONVT_CASES = [
    (1, (2, 3, 5), (3, 2, 3), {}),
    (1, (3, 6), (3, 4, 2), {"stride": 2, "padding": 1, "output_padding": 1}),
    (1, (2, 4, 5), (4, 6, 3), {"groups": 2, "dilation": 3, "output_padding": 2, "stride": 2}),
    (1, (2, 4, 5), (4, 2, 1), {"bias": False, "padding": 0}),
    (3, (2, 3, 3, 2, 4), (3, 2, 2), {}),
    (3, (3, 3, 2, 4), (3, 2, (2, 1, 3)), {"stride": (2, 1, 3), "padding": (1, 0, 1)}),
    (3, (1, 4, 3, 3, 2), (4, 6, 3), {"groups": 2, "stride": 2, "output_padding": (1, 0, 1),
     "dilation": (1, 2, 1), "padding": 1}),
    (3, (2, 2, 2, 2, 2), (2, 2, 2), {"dilation": 3, "output_padding": 2, "bias": False}),
]  # fmt: skip


@pytest.mark.parametrize("nd, shape, args, kwargs", CONVT_CASES)
def test_conv_transpose(nd, shape, args, kwargs):
    name = f"ConvTranspose{nd}d"
    t = getattr(torch.nn, name)(*args, dtype=torch.float64, **kwargs)
    c = getattr(nn, name)(*args, **kwargs)
    assert c.weight.shape == tuple(t.weight.shape)
    _copy_state(t, c)
    _compare(t, c, _rng(2).standard_normal(shape))
    assert repr(c) == repr(t)


@pytest.mark.parametrize(
    "nd, shape", [(1, (2, 3, 4)), (1, (3, 4)), (3, (2, 3, 2, 3, 2)), (3, (3, 2, 2, 2))]
)
def test_conv_transpose_output_size(nd, shape):
    name = f"ConvTranspose{nd}d"
    t = getattr(torch.nn, name)(3, 2, 3, stride=3, padding=1, dtype=torch.float64)
    c = getattr(nn, name)(3, 2, 3, stride=3, padding=1)
    _copy_state(t, c)
    x = _rng(0).standard_normal(shape)
    spatial = shape[-nd:]
    for extra in (0, 1, 2):  # stride 3: three output sizes reachable
        size = [(s - 1) * 3 - 2 + 3 + extra for s in spatial]
        _compare(t, c, x, kwargs={"output_size": size})
    # the leading (N, C) or (C,) dims may be given too
    _compare(t, c, x, kwargs={"output_size": list(shape[:-nd]) + size})
    with pytest.raises(ValueError, match="requested an output size"):
        c(cg.tensor(x), output_size=[s + 5 for s in spatial])
    with pytest.raises(ValueError, match="output_size must have"):
        c(cg.tensor(x), output_size=[4] * (nd + 3))


def test_conv_transpose_errors():
    with pytest.raises(
        ValueError, match='Only "zeros" padding mode is supported for ConvTranspose1d'
    ):
        nn.ConvTranspose1d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="ConvTranspose3d: padding must be ints"):
        nn.ConvTranspose3d(2, 2, 3, padding="same")
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose3d(2, 2, 3, output_padding=1)(cg.ones((1, 2, 2, 2, 2)))
    assert nn.ConvTranspose3d(2, 4, 3, groups=2).weight.shape == (2, 2, 3, 3, 3)


def test_functional_conv_transpose3d_against_torch():
    r = _rng(4)
    x, w, b = (
        r.standard_normal((2, 4, 3, 2, 3)),
        r.standard_normal((4, 1, 2, 3, 2)),
        r.standard_normal(4),
    )
    kw = {"stride": (1, 2, 2), "padding": (0, 1, 1), "output_padding": (0, 1, 0), "groups": 4,
          "dilation": (2, 1, 1)}  # fmt: skip

    class T(torch.nn.Module):
        def forward(self, x, w, b):
            return torch.nn.functional.conv_transpose3d(x, w, b, **kw)

    class C(nn.Module):
        def forward(self, x, w, b):
            return F.conv_transpose3d(x, w, b, **kw)

    _compare(T(), C(), x, w, b)
    xs = cg.tensor(r.standard_normal((1, 2, 2, 2, 2)), requires_grad=True)
    ws = cg.tensor(r.standard_normal((2, 3, 2, 1, 2)), requires_grad=True)
    assert cg.gradcheck(lambda a, v: F.conv_transpose3d(a, v, stride=2, padding=1), xs, ws)

    def input_grad(a, v):  # second derivatives: the gradient's own gradient
        return cg.grad(lambda a2: (F.conv_transpose3d(a2, v, stride=(1, 2, 1)) ** 2).sum())(a)

    assert cg.gradcheck(input_grad, xs, ws)
    with pytest.raises(ValueError, match="4-D .* or 5-D"):
        F.conv_transpose3d(cg.ones((2, 2, 2)), cg.ones((2, 2, 1, 1, 1)))
    with pytest.raises(ValueError, match="weight must be 5-D"):
        F.conv_transpose3d(cg.ones((1, 2, 2, 2, 2)), cg.ones((2, 2, 1, 1)))
    with pytest.raises(ValueError, match="expected weight"):
        F.conv_transpose3d(cg.ones((1, 3, 2, 2, 2)), cg.ones((2, 2, 1, 1, 1)))
    with pytest.raises(ValueError, match="expected weight"):
        F.conv_transpose3d(cg.ones((1, 3, 2, 2, 2)), cg.ones((3, 2, 1, 1, 1)), groups=2)
    with pytest.raises(TypeError, match="stride"):
        F.conv_transpose3d(cg.ones((1, 2, 2, 2, 2)), cg.ones((2, 2, 1, 1, 1)), stride=(1, 2))
    with pytest.raises(ValueError, match="too small"):
        F.conv_transpose3d(cg.ones((1, 2, 1, 1, 1)), cg.ones((2, 2, 1, 1, 1)), padding=1)


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_functional_conv_tbc_against_torch(pad):
    r = _rng(pad)
    x, w, b = r.standard_normal((6, 2, 3)), r.standard_normal((3, 3, 4)), r.standard_normal(4)

    class T(torch.nn.Module):
        def forward(self, x, w, b):
            return torch.conv_tbc(x, w, b, pad)

    class C(nn.Module):
        def forward(self, x, w, b):
            return F.conv_tbc(x, w, b, pad)

    _compare(T(), C(), x, w, b)


def test_functional_conv_tbc_errors():
    x, w, b = cg.ones((5, 2, 3)), cg.ones((3, 3, 4)), cg.ones(4)
    with pytest.raises(ValueError, match="conv_tbc: input must have 3 dims"):
        F.conv_tbc(cg.ones((5, 3)), w, b)
    with pytest.raises(ValueError, match="conv_tbc: weight must have 3 dims"):
        F.conv_tbc(x, cg.ones((3, 3)), b)
    with pytest.raises(ValueError, match="conv_tbc: bias must be 1-D"):
        F.conv_tbc(x, w, cg.ones((1, 4)))
    with pytest.raises(ValueError, match="input channels 3"):
        F.conv_tbc(x, cg.ones((3, 2, 4)), b)
    with pytest.raises(ValueError, match="out channels"):
        F.conv_tbc(x, w, cg.ones(3))


# ------------------------------------------------------------------ pairs of inputs
@pytest.mark.parametrize("lead", [(5,), (2, 3), ()])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(lead, bias):
    t = torch.nn.Bilinear(3, 2, 4, bias=bias, dtype=torch.float64)
    c = nn.Bilinear(3, 2, 4, bias=bias, seed=0)
    _copy_state(t, c)
    r = _rng(1)
    _compare(t, c, r.standard_normal(lead + (3,)), r.standard_normal(lead + (2,)))
    assert repr(c) == repr(t)


def test_bilinear_init_and_errors():
    c = nn.Bilinear(4, 2, 3, seed=1)
    assert c.weight.shape == (3, 4, 2) and np.abs(c.weight.data).max() <= 0.5
    np.testing.assert_array_equal(nn.Bilinear(4, 2, 3, seed=1).weight.data, c.weight.data)
    with pytest.raises(ValueError, match="in1_features must be > 0"):
        nn.Bilinear(0, 2, 3)
    with pytest.raises(ValueError, match=r"Bilinear: expected inputs \(\.\.\., 4\)"):
        c(cg.ones((5, 3)), cg.ones((5, 2)))
    with pytest.raises(ValueError, match="same leading dims"):
        c(cg.ones((5, 4)), cg.ones((4, 2)))


@pytest.mark.parametrize(
    "dim, s1, s2", [(1, (4, 5), (4, 5)), (-1, (2, 3, 4), (2, 3, 4)), (0, (6,), (6,)),
                    (1, (3, 4, 2), (1, 4, 2))]
)  # fmt: skip
def test_cosine_similarity(dim, s1, s2):
    t, c = torch.nn.CosineSimilarity(dim, eps=1e-6), nn.CosineSimilarity(dim, eps=1e-6)
    r = _rng(dim + 3)
    _compare(t, c, r.standard_normal(s1), r.standard_normal(s2))
    assert repr(c) == repr(t) == "CosineSimilarity()"
    assert (c.dim, c.eps) == (dim, 1e-6)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    t = torch.nn.PairwiseDistance(p, eps=1e-5, keepdim=keepdim)
    c = nn.PairwiseDistance(p, eps=1e-5, keepdim=keepdim)
    r = _rng(int(p))
    for shape in [(4, 5), (5,), (2, 3, 4)]:
        _compare(t, c, r.standard_normal(shape), r.standard_normal(shape))
    assert repr(c) == repr(t) and c.norm == p


# ------------------------------------------------------------------ embedding bag
EB_CASES = [
    ("sum", {}, "offsets", False),
    ("mean", {}, "offsets", False),
    ("max", {}, "offsets", False),
    ("sum", {}, "2d", True),
    ("mean", {"padding_idx": 2}, "offsets", False),
    ("sum", {"padding_idx": 2}, "offsets", True),
    ("max", {"padding_idx": -8}, "2d", False),
    ("mean", {"include_last_offset": True}, "last", False),
    ("sum", {"include_last_offset": True}, "last", True),
    ("max", {"include_last_offset": True}, "last", False),
]


@pytest.mark.parametrize("mode, kwargs, layout, psw", EB_CASES)
def test_embedding_bag(mode, kwargs, layout, psw):
    t = torch.nn.EmbeddingBag(10, 3, mode=mode, dtype=torch.float64, **kwargs)
    c = nn.EmbeddingBag(10, 3, mode=mode, seed=0, **kwargs)
    _copy_state(t, c)
    assert repr(c) == repr(t)
    r = _rng(3)
    if layout == "2d":
        idx = np.array([[1, 2, 4, 2], [4, 3, 2, 9], [0, 0, 7, 2]])
        offs = None
    else:
        idx = np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2])
        offs = np.array([0, 2, 2, 5, 9])  # an empty bag, and one of only padding
        if layout == "last":
            # torch's sum and mean run the last bag to the input's end whatever the last
            # offset says: only an offset at the end is well defined
            offs = np.array([0, 2, 2, 5, 10])
    weights = r.standard_normal(idx.shape) if psw else None
    tin = [torch.tensor(idx)]
    if offs is not None:
        tin.append(torch.tensor(offs))
    ty = t(*tin, per_sample_weights=None if weights is None else torch.tensor(weights))
    cy = c(idx, offs, per_sample_weights=weights)
    np.testing.assert_allclose(cy.data, ty.detach().numpy(), atol=TOL)
    tw = torch.tensor(weights, requires_grad=True) if psw else None
    cw = cg.tensor(weights, requires_grad=True) if psw else None
    ty = t(*tin, per_sample_weights=tw)
    cy = c(idx, offs, per_sample_weights=cw)
    g = r.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    (cy * g).sum().backward()
    np.testing.assert_allclose(c.weight.grad.data, t.weight.grad.numpy(), atol=TOL)
    if psw:
        np.testing.assert_allclose(cw.grad.data, tw.grad.numpy(), atol=TOL)


def test_embedding_bag_init_pretrained_repr_errors():
    c = nn.EmbeddingBag(6, 4, padding_idx=-2, seed=1)
    assert c.padding_idx == 4 and (c.weight.data[4] == 0).all()
    np.testing.assert_array_equal(
        nn.EmbeddingBag(6, 4, padding_idx=-2, seed=1).weight.data, c.weight.data
    )
    w = _rng(0).standard_normal((5, 2))
    pre = nn.EmbeddingBag.from_pretrained(w, mode="sum", padding_idx=1)
    tpre = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum", padding_idx=1)
    assert not pre.weight.requires_grad and repr(pre) == repr(tpre)
    np.testing.assert_array_equal(pre.weight.data, w)
    assert nn.EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    for kw in ({"max_norm": 1.5, "norm_type": 1.0, "scale_grad_by_freq": True}, {"mode": "max"}):
        assert repr(nn.EmbeddingBag(5, 2, **kw)) == repr(torch.nn.EmbeddingBag(5, 2, **kw))
    assert list(c.state_dict()) == ["weight"]
    with pytest.raises(ValueError, match="padding_idx"):
        nn.EmbeddingBag(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="mode"):
        nn.EmbeddingBag(5, 2, mode="median")
    with pytest.raises(ValueError, match="does not match"):
        nn.EmbeddingBag(5, 2, _weight=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="2-D"):
        nn.EmbeddingBag.from_pretrained(np.zeros(3))
    with pytest.raises(ValueError, match="offsets"):
        c(np.array([1, 2]))
    with pytest.raises(ValueError, match="per_sample_weights"):
        c(np.array([[1, 2]]), per_sample_weights=np.ones((1, 2)))


def test_embedding_bag_scale_grad_by_freq():
    # torch's embedding_bag scales by miscounted frequencies (index 2, four times in
    # [[1, 2, 4, 2], [4, 3, 2, 9], [0, 0, 7, 2]], gets 4x the gradient); compgraph
    # divides each row's gradient by its count, as F.embedding does
    c = nn.EmbeddingBag(10, 2, mode="sum", scale_grad_by_freq=True, seed=0)
    idx = np.array([[1, 2, 4, 2], [4, 3, 2, 9], [0, 0, 7, 2]])
    c(idx).sum().backward()
    expected = np.isin(np.arange(10), idx).astype(float)
    np.testing.assert_allclose(c.weight.grad.data[:, 0], expected, atol=TOL)


def test_embedding_bag_max_norm():
    w = _rng(0).standard_normal((6, 3)) * 3
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), max_norm=1.0, mode="sum")
    c = nn.EmbeddingBag.from_pretrained(w, max_norm=1.0, mode="sum")
    idx, offs = np.array([0, 2, 3, 5]), np.array([0, 1])
    np.testing.assert_allclose(
        c(idx, offs).data, t(torch.tensor(idx), torch.tensor(offs)).numpy(), atol=TOL
    )


# ------------------------------------------------------------------ ParameterDict
def test_parameter_dict_behaves_as_torch():
    a, b = np.arange(3.0), np.ones((2, 2))
    t = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.tensor(b)), "a": torch.tensor(a)})
    p_b = nn.Parameter(b)
    c = nn.ParameterDict({"b": p_b, "a": cg.tensor(a)})
    assert list(c) == list(t) == ["a", "b"]  # a plain dict goes in sorted
    assert list(c.keys()) == list(t.keys())
    assert list(c.state_dict()) == list(t.state_dict())
    assert c["b"] is p_b and isinstance(c["a"], nn.Parameter) and c["a"].requires_grad
    assert len(c.parameters()) == 2 and c.a is c["a"]
    c["z"] = np.zeros(1)
    c["note"] = "text"
    t["z"] = torch.zeros(1, dtype=torch.float64)
    t["note"] = "text"
    assert list(c) == list(t) == ["a", "b", "z", "note"]
    assert list(c.state_dict()) == list(t.state_dict()) == ["a", "b", "z"]
    assert len(c.parameters()) == 3 and c["note"] == "text" and "note" in c
    assert repr(c).replace("compgraph", "torch") == repr(t)
    assert c.get("missing", 5) == 5 and c.setdefault("q", 1) == 1
    del c["q"]
    assert c.pop("note") == "text" and "note" not in c and not hasattr(c, "note")
    key, value = c.popitem()
    assert key == "z" and value.shape == (1,) and list(c) == ["a", "b"]
    assert list(reversed(c)) == ["b", "a"]
    c2 = c.copy()
    assert c2["a"] is c["a"] and list(c2) == ["a", "b"]
    merged = c | nn.ParameterDict(OrderedDict([("y", np.zeros(2)), ("x", np.ones(1))]))
    assert list(merged) == ["a", "b", "y", "x"]
    c |= nn.ParameterDict([("k", np.ones(2))])
    assert list(c) == ["a", "b", "k"]
    fk = c.fromkeys(["u", "v"], np.zeros(3))
    assert list(fk) == ["u", "v"] and len(fk.parameters()) == 2
    assert [k for k, _ in c.items()] == ["a", "b", "k"] and len(list(c.values())) == 3
    c.clear()
    assert len(c) == 0 and c.parameters() == [] and repr(c) == "ParameterDict()"


def test_parameter_dict_in_a_model_and_loading():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.params = nn.ParameterDict({"scale": np.ones(3), "shift": np.zeros(3)})

        def forward(self, x):
            return x * self.params["scale"] + self.params["shift"]

    class TModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.params = torch.nn.ParameterDict(
                {
                    "scale": torch.ones(3, dtype=torch.float64),
                    "shift": torch.zeros(3, dtype=torch.float64),
                }
            )

        def forward(self, x):
            return x * self.params["scale"] + self.params["shift"]

    t, c = TModel(), Model()
    with torch.no_grad():
        t.params["scale"].mul_(2.5)
    _copy_state(t, c)
    _compare(t, c, _rng(0).standard_normal((4, 3)))
    one = nn.ParameterDict({"w": np.zeros(2)})
    assert repr(one).replace("compgraph", "torch") == repr(
        torch.nn.ParameterDict({"w": torch.zeros(2, dtype=torch.float64)})
    )
    # a key named like a method is an entry, the method still works
    m = nn.ParameterDict({"keys": np.ones(1), "update": np.ones(2)})
    assert list(m.keys()) == ["keys", "update"] and m["update"].shape == (2,)
    assert list(m.state_dict()) == ["keys", "update"]


def test_parameter_dict_errors():
    c = nn.ParameterDict()
    with pytest.raises(TypeError, match="not a string"):
        c[1] = np.zeros(2)
    with pytest.raises(KeyError):
        c["nope"]
    with pytest.raises(KeyError):
        del c["nope"]
    with pytest.raises(KeyError, match="contain"):
        c["a.b"] = np.zeros(1)
    with pytest.raises(TypeError, match="iterable"):
        c.update(3)
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        c.update([("a", 1, 2)])
    with pytest.raises(TypeError, match="should be Iterable"):
        c.update([5])
    with pytest.raises(RuntimeError, match="should not be called"):
        c(1)
    with pytest.raises(KeyError):
        c.popitem()
