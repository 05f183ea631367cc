"""nn.CELU, GLU, Hardshrink ... Threshold and F's in-place activations (F.relu_ ...)
against PyTorch (float64): values and gradients on several shapes (unbatched too), the
options, repr, state_dict keys, RReLU's training and eval, PReLU's weight gradient,
the in-place rules (same object, recorded gradients, leaves refused) and the errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn

torch = pytest.importorskip("torch")
F = cg.nn.functional
TF = torch.nn.functional
TNN = torch.nn

SHAPES = [(7,), (3, 5), (2, 3, 4), (2, 3, 4, 5)]  # (7,) and (3, 5): unbatched for most


def _data(rng, shape, scale=4.0):
    # Continuous samples never land on a kink (0, +-lambd, +-3, the clip bounds), where
    # some of F's gradients differ from torch's (said in the report, not these modules').
    return rng.standard_normal(shape) * scale


def _compare(mine, theirs, x, rng, rtol=1e-12, atol=1e-14):
    xc = cg.tensor(x, requires_grad=True)
    y = mine(xc * 1.0)  # not a leaf: torch's in-place modules refuse leaves
    g = rng.standard_normal(y.shape)
    (y * g).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt * 1.0)
    (yt * torch.tensor(g)).sum().backward()
    assert y.shape == tuple(yt.shape)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)


# (name, args) built the same way in both libraries
CASES = [
    ("CELU", ()), ("CELU", (0.5,)), ("CELU", (2.0, True)),
    ("GLU", ()), ("GLU", (0,)),
    ("Hardshrink", ()), ("Hardshrink", (1.5,)),
    ("Hardsigmoid", ()), ("Hardsigmoid", (True,)),
    ("Hardswish", ()), ("Hardswish", (True,)),
    ("Hardtanh", ()), ("Hardtanh", (-2.0, 3.0)), ("Hardtanh", (-0.5, 0.5, True)),
    ("LogSigmoid", ()), ("Mish", ()), ("Mish", (True,)),
    ("ReLU6", ()), ("ReLU6", (True,)),
    ("SELU", ()), ("SELU", (True,)),
    ("Softmin", (0,)), ("Softmin", (-1,)),
    ("Softshrink", ()), ("Softshrink", (1.25,)),
    ("Softsign", ()), ("Tanhshrink", ()),
    ("Threshold", (0.3, -2.0)), ("Threshold", (-1.0, 5.0, True)),
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,args", CASES, ids=lambda v: str(v))
def test_modules_match_torch_values_and_gradients(name, args, shape, rng):
    if name == "GLU":
        shape = tuple(2 * s for s in shape)  # the halved dimension must be even
    mine, theirs = getattr(nn, name)(*args), getattr(TNN, name)(*args)
    # torch's hardsigmoid gradient uses 1/6 rounded to float32 even in float64
    tol = {"Hardsigmoid": 1e-7, "Hardswish": 1e-7}.get(name, 1e-12)
    _compare(mine, theirs, _data(rng, shape, 5.0), rng, rtol=tol, atol=tol * 1e-2)
    assert repr(mine) == repr(theirs)


def test_glu_and_softmin_along_each_dim(rng):
    x = _data(rng, (4, 6, 2))
    for d in (0, 1, -1, -2):
        _compare(nn.Softmin(d), TNN.Softmin(d), x, rng)
        if x.shape[d] % 2 == 0:
            _compare(nn.GLU(d), TNN.GLU(d), x, rng)


def test_softmin_legacy_dim_none(rng):
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 2)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch warns about dim=None
            _compare(nn.Softmin(), TNN.Softmin(), _data(rng, shape), rng)
    assert repr(nn.Softmin()) == repr(TNN.Softmin()) == "Softmin(dim=None)"


def test_softmax2d_batched_and_unbatched_and_bad_ranks(rng):
    for shape in [(3, 4, 5), (2, 3, 4, 5)]:
        _compare(nn.Softmax2d(), TNN.Softmax2d(), _data(rng, shape), rng)
    for shape in [(4,), (3, 4), (1, 2, 3, 4, 5)]:
        with pytest.raises(
            ValueError, match=f"Softmax2d: expected input to be 3D or 4D, got {len(shape)}D"
        ):
            nn.Softmax2d()(cg.tensor(np.zeros(shape)))
    assert repr(nn.Softmax2d()) == repr(TNN.Softmax2d()) == "Softmax2d()"


def test_reprs_match_torch():
    for name, args in CASES + [
        ("RReLU", ()), ("RReLU", (0.1, 0.3)), ("RReLU", (0.1, 0.3, True)),
        ("PReLU", ()), ("PReLU", (3,)), ("PReLU", (3, 0.1)),
        ("Hardshrink", (1,)), ("Softshrink", (2,)), ("LogSigmoid", ()),
        ("Softsign", ()), ("Tanhshrink", ()), ("GLU", (1,)),
    ]:  # fmt: skip
        assert repr(getattr(nn, name)(*args)) == repr(getattr(TNN, name)(*args)), name
    assert repr(nn.Hardtanh(-2.0, 2.0, True)) == "Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)"
    assert repr(nn.ReLU6(True)) == "ReLU6(inplace=True)"
    assert repr(nn.Hardsigmoid(True)) == "Hardsigmoid()"  # torch's has no extra_repr


def test_state_dict_keys_and_attributes_match_torch():
    for name, args in CASES + [("RReLU", ()), ("PReLU", ()), ("PReLU", (4,))]:
        mine, theirs = getattr(nn, name)(*args), getattr(TNN, name)(*args)
        assert list(mine.state_dict()) == list(theirs.state_dict()), name
        for attr in ("inplace", "alpha", "lambd", "min_val", "max_val", "dim", "threshold",
                     "value", "lower", "upper", "num_parameters", "init"):  # fmt: skip
            if hasattr(theirs, attr):
                assert getattr(mine, attr) == getattr(theirs, attr), (name, attr)


def test_inplace_modules_give_torchs_values(rng):
    x = _data(rng, (3, 4))
    for name, args in [("Hardtanh", (-1.0, 1.0, True)), ("ReLU6", (True,)), ("SELU", (True,)),
                       ("CELU", (1.5, True)), ("Threshold", (0.1, 2.0, True)),
                       ("Hardsigmoid", (True,)), ("Hardswish", (True,)), ("Mish", (True,)),
                       ("RReLU", (0.1, 0.3, True))]:  # fmt: skip
        mine, theirs = getattr(nn, name)(*args).eval(), getattr(TNN, name)(*args).eval()
        y = mine(cg.tensor(x.copy()))
        yt = theirs(torch.tensor(x.copy()))
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-7, err_msg=name)


def test_hardtanh_options_and_errors():
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-3.0)
    assert m.min_val == -3.0
    with pytest.warns(FutureWarning, match="max_value"):
        m = nn.Hardtanh(max_value=4.0)
    assert m.max_val == 4.0
    with pytest.raises(
        ValueError, match=r"Hardtanh: max_val \(1.0\) must be greater than min_val \(2.0\)"
    ):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(ValueError, match="Hardtanh"):
        nn.Hardtanh(1.0, 1.0)
    assert nn.ReLU6().min_val == 0.0 and nn.ReLU6().max_val == 6.0
    assert isinstance(nn.ReLU6(), nn.Hardtanh) and issubclass(TNN.ReLU6, TNN.Hardtanh)


def test_glu_odd_size_is_refused():
    with pytest.raises(ValueError, match="glu"):
        nn.GLU()(cg.tensor(np.zeros((2, 5))))


# ------------------------------------------------------------------ PReLU
@pytest.mark.parametrize("num,shape", [
    (1, (5,)), (1, ()), (1, (3, 4)), (1, (2, 3, 4, 5)),
    (3, (2, 3)), (3, (2, 3, 4)), (3, (2, 3, 4, 5)), (4, (3, 4, 2)),
])  # fmt: skip
def test_prelu_values_input_and_weight_gradients(num, shape, rng):
    init = rng.uniform(-0.5, 0.5, num)
    mine, theirs = nn.PReLU(num), TNN.PReLU(num).double()
    with cg.no_grad():
        mine.weight.copy_(init)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(init))
    _compare(mine, theirs, _data(rng, shape), rng)
    np.testing.assert_allclose(mine.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
    assert mine.weight.grad.shape == (num,)


def test_prelu_parameter_init_dtype_and_reset():
    m = nn.PReLU(3, init=0.1)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert m.weight.shape == (3,) and m.weight.dtype == np.float64 and m.weight.requires_grad
    np.testing.assert_array_equal(m.weight.numpy(), [0.1] * 3)
    np.testing.assert_array_equal(nn.PReLU().weight.numpy(), [0.25])
    with cg.no_grad():
        m.weight.copy_(np.array([1.0, 2.0, 3.0]))
    m.reset_parameters()
    np.testing.assert_array_equal(m.weight.numpy(), [0.1] * 3)
    m32 = nn.PReLU(2, dtype="float32")
    assert m32.weight.dtype == np.float32
    assert m32(cg.tensor(np.ones((1, 2, 3), np.float32))).dtype == np.float32
    theirs = TNN.PReLU(3, 0.1)
    m.load_state_dict({"weight": cg.tensor(theirs.state_dict()["weight"].double().numpy())})
    np.testing.assert_allclose(m.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-7)


def test_prelu_errors():
    with pytest.raises(ValueError, match="prelu: 3 slopes but the input of shape"):
        nn.PReLU(3)(cg.tensor(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="PReLU: num_parameters must be >= 1"):
        nn.PReLU(0)
    with pytest.raises(TypeError, match="PReLU: num_parameters must be an int"):
        nn.PReLU(2.5)  # type: ignore[arg-type]


def test_prelu_trains():
    m = nn.PReLU()
    x = cg.tensor(np.array([-2.0, -1.0, 3.0]))
    target = np.array([-1.0, -0.5, 3.0])  # slope 0.5
    opt = cg.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        ((m(x) - target) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(m.weight.numpy(), [0.5], atol=1e-6)


# ------------------------------------------------------------------ RReLU
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_rrelu_eval_matches_torch(shape, rng):
    for args in [(), (0.1, 0.3), (0.2, 0.2)]:
        mine, theirs = nn.RReLU(*args).eval(), TNN.RReLU(*args).eval()
        assert not mine.training
        _compare(mine, theirs, _data(rng, shape), rng)


def test_rrelu_training_draws_slopes_in_range_and_the_gradient_is_the_slope(rng):
    lower, upper = 0.1, 0.3
    x = _data(rng, (4, 50))
    x[0, :3] = [0.0, 1.0, -1.0]
    m = nn.RReLU(lower, upper)
    assert m.training
    xc = cg.tensor(x, requires_grad=True)
    y = m(xc)
    y.sum().backward()
    neg, pos = x < 0, x >= 0
    slopes = y.numpy()[neg] / x[neg]
    assert np.all((slopes >= lower) & (slopes <= upper))
    assert np.unique(slopes).size > slopes.size // 2  # a slope of its own per entry
    np.testing.assert_array_equal(y.numpy()[pos], x[pos])
    np.testing.assert_allclose(xc.grad.numpy()[neg], slopes, rtol=1e-12)
    np.testing.assert_array_equal(xc.grad.numpy()[x > 0], 1.0)
    # torch's training draws have the same law: slopes within the bounds
    tt = TNN.RReLU(lower, upper)(torch.tensor(x))
    tslopes = tt.numpy()[neg] / x[neg]
    assert np.all((tslopes >= lower) & (tslopes <= upper))


def test_rrelu_seeding():
    x = cg.tensor(-np.ones((3, 8)))
    a = nn.RReLU(seed=3)(x).numpy()
    b = nn.RReLU(seed=3)(x).numpy()
    np.testing.assert_array_equal(a, b)
    m = nn.RReLU(seed=3)
    assert not np.array_equal(m(x).numpy(), m(x).numpy())  # the generator moves on
    cg.manual_seed(5)
    c = nn.RReLU()(x).numpy()
    cg.manual_seed(5)
    np.testing.assert_array_equal(nn.RReLU()(x).numpy(), c)
    cg.manual_seed(5)
    np.testing.assert_array_equal(F.rrelu(x, training=True).numpy(), c)  # the same draw as F


def test_rrelu_errors():
    with pytest.raises(ValueError, match=r"RReLU: lower \(0.5\) must not exceed upper \(0.1\)"):
        nn.RReLU(0.5, 0.1)


# ------------------------------------------------------------------ in-place F functions
INPLACE = [
    ("relu_", (), {}), ("elu_", (), {}), ("elu_", (0.5,), {}), ("celu_", (), {}),
    ("celu_", (2.0,), {}), ("selu_", (), {}), ("leaky_relu_", (), {}),
    ("leaky_relu_", (0.2,), {}), ("hardtanh_", (), {}), ("hardtanh_", (-2.0, 0.5), {}),
    ("threshold_", (0.5, -3.0), {}), ("rrelu_", (), {}), ("rrelu_", (0.1, 0.3), {}),
]  # fmt: skip
# the kinks, where torch's gradients are chosen
KINKS = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, -3.0, 6.0])


@pytest.mark.parametrize("shape", [(9,), (2, 9), (2, 3, 9)], ids=str)
@pytest.mark.parametrize("name,args,kw", INPLACE, ids=lambda v: str(v))
def test_inplace_functions_values_identity_and_gradients(name, args, kw, shape, rng):
    x = _data(rng, shape)
    x[..., :9] = KINKS
    g = rng.standard_normal(shape)
    a = cg.tensor(x, requires_grad=True)
    h = a * 2
    r = getattr(F, name)(h, *args, **kw)
    assert r is h  # the input itself, changed
    (h * g).sum().backward()  # linear: the kinks show in the gradient
    ta = torch.tensor(x, requires_grad=True)
    th = ta * 2
    tr = getattr(TF, name)(th, *args, **kw)
    assert tr is th
    (th * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(h.numpy(), th.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,args,kw", INPLACE, ids=lambda v: str(v))
def test_inplace_functions_write_into_the_buffer(name, args, kw, rng):
    x = _data(rng, (3, 9))
    x[0] = KINKS
    t = cg.tensor(x.copy())
    buf = t.numpy()
    assert getattr(F, name)(t, *args, **kw) is t
    assert t.numpy() is buf  # the same memory
    np.testing.assert_allclose(
        buf, getattr(TF, name)(torch.tensor(x), *args, **kw).numpy(), rtol=1e-12
    )
    s = cg.tensor(-2.0)  # a 0-d tensor
    assert getattr(F, name)(s, *args, **kw) is s
    np.testing.assert_allclose(
        s.numpy(), getattr(TF, name)(torch.tensor(-2.0), *args, **kw).numpy()
    )
    f32 = cg.tensor(x.astype(np.float32))
    getattr(F, name)(f32, *args, **kw)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32.numpy(), buf, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,args,kw", INPLACE, ids=lambda v: str(v))
def test_inplace_on_a_leaf_that_requires_grad_is_refused_as_torch(name, args, kw):
    x = np.array([-1.0, 2.0])
    a = cg.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(F, name)(a, *args, **kw)
    np.testing.assert_array_equal(a.numpy(), x)  # untouched
    ta = torch.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(TF, name)(ta, *args, **kw)
    with cg.no_grad():  # allowed there, as torch
        assert getattr(F, name)(a, *args, **kw) is a
    assert a.requires_grad and a.is_leaf
    with torch.no_grad():
        getattr(TF, name)(ta, *args, **kw)
    np.testing.assert_allclose(a.numpy(), ta.detach().numpy(), rtol=1e-12)


def test_inplace_change_of_a_saved_value_is_caught_at_backward():
    x = cg.tensor(np.array([-1.0, 2.0]))
    w = cg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = x * w  # keeps x for w's gradient
    F.relu_(x)
    with pytest.raises(RuntimeError, match="in-place|inplace"):
        y.sum().backward()


def test_inplace_functions_in_forward_mode():
    def f(a):
        h = a * 1.0
        F.elu_(h, 0.5)
        F.hardtanh_(h, -0.3, 2.0)
        return h

    x = np.array([-1.0, 0.5, 1.5, 3.0])
    j = cg.jacfwd(f)(x)
    # torch's own elu_ then hardtanh_ refuses backward (elu_'s gradient reads its
    # output); compgraph's recorded change keeps the old value, so its out-of-place twin
    tj = torch.autograd.functional.jacobian(
        lambda t: TF.hardtanh(TF.elu(t, 0.5), -0.3, 2.0), torch.tensor(x)
    )
    np.testing.assert_allclose(j.numpy(), tj.numpy(), rtol=1e-12)


def test_rrelu_inplace_training_slopes_gradient_and_generator(rng):
    x = _data(rng, (5, 20))
    x[0, 0] = 0.0
    a = cg.tensor(x, requires_grad=True)
    h = a * 1.0
    F.rrelu_(h, 0.2, 0.4, True, cg.Generator().manual_seed(7))
    h.sum().backward()
    neg = x <= 0  # torch's rrelu: x <= 0 takes the drawn slope, 0 included
    grad = a.grad.numpy()
    assert np.all((grad[neg] >= 0.2) & (grad[neg] <= 0.4))
    np.testing.assert_array_equal(grad[~neg], 1.0)
    np.testing.assert_allclose(h.numpy()[x < 0] / x[x < 0], grad[x < 0], rtol=1e-12)
    again = cg.tensor(x.copy())
    F.rrelu_(again, 0.2, 0.4, True, cg.Generator().manual_seed(7))
    np.testing.assert_array_equal(again.numpy(), h.numpy())
    with pytest.raises(ValueError, match=r"rrelu_: lower \(0.4\) must not exceed upper \(0.2\)"):
        F.rrelu_(cg.tensor(x), 0.4, 0.2)


def test_inplace_functions_refuse_what_they_cannot_change():
    with pytest.raises(TypeError, match="relu_: expected a Tensor"):
        F.relu_(np.array([1.0, -1.0]))
    with pytest.raises(TypeError, match="rrelu_: expected a Tensor"):
        F.rrelu_([1.0, -1.0])
    with pytest.raises(TypeError, match="elu_: result type float64 can't be cast"):
        F.elu_(cg.tensor(np.array([1, -1])))
    with pytest.raises(ValueError, match="celu_: alpha must not be 0"):
        F.celu_(cg.tensor(np.array([1.0])), 0.0)
    i = cg.tensor(np.array([3, -2]))
    assert F.relu_(i) is i and i.dtype == np.int64  # integers work where torch's do
    np.testing.assert_array_equal(i.numpy(), [3, 0])


def test_names_are_exported():
    for n in [
        "relu_",
        "elu_",
        "celu_",
        "selu_",
        "leaky_relu_",
        "hardtanh_",
        "rrelu_",
        "threshold_",
    ]:
        assert n in F.__all__ and callable(getattr(F, n))
    for n in ["CELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid",
              "Mish", "PReLU", "RReLU", "ReLU6", "SELU", "Softmax2d", "Softmin", "Softshrink",
              "Softsign", "Tanhshrink", "Threshold"]:  # fmt: skip
        assert n in nn.__all__ and issubclass(getattr(nn, n), nn.Module)
