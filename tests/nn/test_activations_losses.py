"""Activations, losses and max pooling against PyTorch (float64): values, input
gradients, the kinks (x = 0) and ties, and the torch options of the losses."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional
rng = np.random.default_rng(11)


def _both(mine, theirs, x, g=None):
    xc = cg.tensor(x, requires_grad=True)
    y = mine(xc)  # (called once: a layer in training mode updates its statistics)
    g = rng.standard_normal(y.shape) if g is None else g
    (y * g).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-14)


X = rng.standard_normal((4, 6)) * 12
X[0, :5] = [0.0, -0.0, 20.0, -20.0, 5.0]


@pytest.mark.parametrize("mine,theirs", [
    (nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)), (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.ELU(0.7), torch.nn.ELU(0.7)), (nn.SiLU(), torch.nn.SiLU()),
    (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    (nn.Softplus(), torch.nn.Softplus()), (nn.Softplus(2.0, 5.0), torch.nn.Softplus(2.0, 5.0)),
    (nn.Softmax(dim=0), torch.nn.Softmax(dim=0)), (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    (nn.ReLU(), torch.nn.ReLU()), (nn.Tanh(), torch.nn.Tanh()), (nn.Sigmoid(), torch.nn.Sigmoid()),
], ids=lambda m: type(m).__name__)
def test_activation_modules_match_torch_including_x_equal_0(mine, theirs):
    _both(mine, theirs, X)


def test_activation_functions_gradcheck_and_dtypes():
    for f in (cg.softplus, cg.erf, cg.silu, cg.gelu, lambda t: cg.gelu(t, "tanh"),
              lambda t: cg.elu(t, 2.0), lambda t: cg.leaky_relu(t, 0.1)):
        assert cg.gradcheck(f, rng.standard_normal(5))
        assert f(cg.tensor(np.ones(3, np.float32))).numpy().dtype == np.float32
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(TypeError, match="dim"):
        nn.Softmax(dim=0, axis=1)


def test_bce_with_logits_gradient_at_zero_and_extremes():
    z = np.array([0.0, 0.0, 40.0, -40.0, 1000.0, -1000.0])
    t = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    for red in ("mean", "sum", "none"):
        _both(lambda x: nn.binary_cross_entropy_with_logits(x, t, red),
              lambda x: TF.binary_cross_entropy_with_logits(x, torch.tensor(t), reduction=red), z,
              g=np.ones(6) if red == "none" else np.array(1.0))
    zc = cg.tensor(np.zeros(2), requires_grad=True)
    nn.binary_cross_entropy_with_logits(zc, np.array([1.0, 0.0]), "sum").backward()
    np.testing.assert_array_equal(zc.grad.numpy(), [-0.5, 0.5])  # sigmoid(0) - t


def test_bce_with_logits_weight_and_pos_weight():
    z = rng.standard_normal((5, 3)) * 4
    t = (rng.random((5, 3)) > 0.5).astype(float)
    w, pw = rng.uniform(0.5, 2, (5, 1)), rng.uniform(0.5, 3, 3)
    _both(lambda x: nn.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw),
          lambda x: TF.binary_cross_entropy_with_logits(
              x, torch.tensor(t), weight=torch.tensor(w), pos_weight=torch.tensor(pw)), z,
          g=np.array(1.0))


@pytest.mark.parametrize("kw", [{}, {"weight": True}, {"ignore_index": 1},
                                {"label_smoothing": 0.2},
                                {"weight": True, "ignore_index": 3, "label_smoothing": 0.3}],
                         ids=lambda k: "-".join(k) or "plain")
@pytest.mark.parametrize("red", ["mean", "sum", "none"])
def test_cross_entropy_torch_options(kw, red):
    x = rng.standard_normal((7, 4)) * 3
    y = np.array([0, 3, 1, 1, 2, 3, 1])
    w = rng.uniform(0.5, 2, 4)
    mine = {k: (w if k == "weight" else v) for k, v in kw.items()}
    theirs = {k: (torch.tensor(w) if k == "weight" else v) for k, v in kw.items()}
    _both(lambda t: nn.cross_entropy(t, y, red, **mine),
          lambda t: TF.cross_entropy(t, torch.tensor(y), reduction=red, **theirs), x,
          g=np.ones(7) if red == "none" else np.array(1.0))


def test_cross_entropy_checks():
    x = cg.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="weight"):
        nn.cross_entropy(x, np.array([0, 1]), weight=np.ones(2))
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.cross_entropy(x, np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index"):
        nn.cross_entropy(x, np.array([0, 5]))
    assert np.isnan(nn.cross_entropy(x, np.array([-100, -100])).numpy())  # nothing counted


@pytest.mark.parametrize("k,s,p,shape", [(2, None, 0, (2, 3, 6, 6)), (3, 2, 1, (2, 2, 7, 7)),
                                         (2, 1, 0, (1, 2, 5, 5)), (3, 3, 1, (1, 1, 6, 6))])
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_gradient_goes_to_the_first_maximum(k, s, p, shape, ties):
    x = rng.standard_normal(shape)
    if ties:
        x = np.round(x)  # many tied maxima: torch routes the gradient to the first
    x[0, 0, 0, 0] = np.nan
    xc = cg.tensor(x, requires_grad=True)
    y = nn.MaxPool2d(k, s, p)(xc)
    g = rng.standard_normal(y.shape)
    (y * g).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.MaxPool2d(k, s, p)(xt)
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(y.numpy(), yt.detach().numpy())
    # (overlapping windows sum their gradients in another order: round-off only)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-14, atol=1e-15)


def test_max_pool_traces_into_a_static_graph():
    f = cg.function(lambda x: nn.MaxPool2d(2)(x).sum())
    assert float(f(np.arange(16.0).reshape(1, 1, 4, 4))) == 5 + 7 + 13 + 15
    g = cg.grad(lambda x: nn.MaxPool2d(2)(x).sum())(np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(g.numpy()[0, 0], [[1, 0], [0, 0]])


def test_argmax():
    a = np.array([[1.0, 3.0, 3.0], [np.nan, 0.0, 5.0]])
    np.testing.assert_array_equal(cg.argmax(cg.tensor(a), axis=1).numpy(), [1, 0])
    assert int(cg.argmax(np.array([1, 5, 2])).numpy()) == 1
    assert cg.argmax(a, axis=0, keepdims=True).numpy().shape == (1, 3)
    with pytest.raises(ValueError, match="empty"):
        cg.argmax(np.zeros((2, 0)), axis=1)
    with pytest.raises(TypeError, match="axis"):
        cg.argmax(a, axis=(0, 1))


def test_batchnorm2d_matches_torch_in_training_and_eval():
    x = rng.standard_normal((4, 3, 5, 6))
    m, t = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3).double()
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    m.weight.data[...], m.bias.data[...] = w, b
    with torch.no_grad():
        t.weight.copy_(torch.tensor(w))
        t.bias.copy_(torch.tensor(b))
    for step in range(3):
        _both(m, t, x + step)
        np.testing.assert_allclose(m.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12)
        m.weight.grad, t.weight.grad = None, None
    np.testing.assert_allclose(m.running_var, t.running_var.numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.running_mean, t.running_mean.numpy(), atol=1e-14)
    m.eval()
    t.eval()
    _both(m, t, x)
    assert sorted(m.state_dict()) == sorted(t.state_dict())
    with pytest.raises(ValueError, match="BatchNorm2d"):
        m(cg.tensor(np.zeros((2, 3, 4))))


@pytest.mark.parametrize("start,end", [(1, -1), (0, 1), (2, 3), (1, 2), (0, -1)])
def test_flatten_start_and_end_dim(start, end):
    x = np.zeros((4, 3, 5, 6))
    assert nn.Flatten(start, end)(cg.tensor(x)).shape == \
        tuple(torch.nn.Flatten(start, end)(torch.tensor(x)).shape)


def test_dropout_p_one_gives_zeros_and_gradients_zero():
    xc = cg.tensor(np.ones(4), requires_grad=True)
    y = nn.Dropout(1.0)(xc)
    y.sum().backward()
    assert not y.numpy().any() and not xc.grad.numpy().any()
    with pytest.raises(ValueError, match="Dropout"):
        nn.Dropout(1.5)


def test_conv_and_pool_take_unbatched_input_and_padding_names():
    x = rng.standard_normal((2, 7, 7))
    conv = nn.Conv2d(2, 3, 3, padding="same")
    tconv = torch.nn.Conv2d(2, 3, 3, padding="same").double()
    with torch.no_grad():
        tconv.weight.copy_(torch.tensor(conv.weight.data))
        tconv.bias.copy_(torch.tensor(conv.bias.data))
    _both(conv, tconv, x)
    _both(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    assert nn.Conv2d(2, 3, 3, padding="valid").padding == "valid"  # (as torch)
    with pytest.raises(ValueError, match="same"):
        nn.Conv2d(2, 3, 3, padding="same", stride=2)  # (torch refuses it too)


@pytest.mark.parametrize("red", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,mine,theirs", [
    ("l1", lambda p, t, r: nn.l1_loss(p, t, r), lambda p, t, r: TF.l1_loss(p, t, reduction=r)),
    ("mse", lambda p, t, r: nn.mse_loss(p, t, r), lambda p, t, r: TF.mse_loss(p, t, reduction=r)),
    ("smooth_l1", lambda p, t, r: nn.smooth_l1_loss(p, t, r, beta=0.7),
     lambda p, t, r: TF.smooth_l1_loss(p, t, reduction=r, beta=0.7)),
    ("smooth_l1_beta0", lambda p, t, r: nn.smooth_l1_loss(p, t, r, beta=0.0),
     lambda p, t, r: TF.smooth_l1_loss(p, t, reduction=r, beta=0.0)),
    ("huber", lambda p, t, r: nn.huber_loss(p, t, r, delta=0.7),
     lambda p, t, r: TF.huber_loss(p, t, reduction=r, delta=0.7)),
])
def test_regression_losses_match_torch(name, mine, theirs, red):
    pred = rng.standard_normal((5, 3))
    target = rng.standard_normal((5, 3))
    pred[0, :3] = target[0, :3] + [0.0, 0.7, -0.7]  # the kinks: d = 0 and |d| = beta
    g = np.ones((5, 3)) if red == "none" else np.array(1.0)
    _both(lambda x: mine(x, target, red), lambda x: theirs(x, torch.tensor(target), red), pred, g=g)


@pytest.mark.parametrize("red", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(red):
    logp = np.log(rng.dirichlet(np.ones(4), size=6))
    y = np.array([0, 3, 1, -100, 2, 3])
    w = rng.uniform(0.5, 2, 4)
    g = np.ones(6) if red == "none" else np.array(1.0)
    _both(lambda x: nn.nll_loss(x, y, red, weight=w),
          lambda x: TF.nll_loss(x, torch.tensor(y), weight=torch.tensor(w), reduction=red),
          logp, g=g)


def test_loss_modules_match_the_functions_and_torch():
    x = rng.standard_normal((6, 4))
    y = np.array([0, 3, 1, 1, 2, 3])
    w = rng.uniform(0.5, 2, 4)
    _both(lambda t: nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)(t, y),
          lambda t: torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1)(
              t, torch.tensor(y)), x, g=np.array(1.0))
    t01 = (rng.random((6, 4)) > 0.5).astype(float)
    pw = rng.uniform(0.5, 2, 4)
    _both(lambda t: nn.BCEWithLogitsLoss(pos_weight=pw, reduction="sum")(t, t01),
          lambda t: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw), reduction="sum")(
              t, torch.tensor(t01)), x, g=np.array(1.0))
    for mine, theirs in ((nn.MSELoss(), torch.nn.MSELoss()),
                         (nn.L1Loss("sum"), torch.nn.L1Loss(reduction="sum")),
                         (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5)),
                         (nn.HuberLoss(delta=2.0), torch.nn.HuberLoss(delta=2.0))):
        _both(lambda t: mine(t, t01), lambda t: theirs(t, torch.tensor(t01)), x, g=np.array(1.0))
    _both(lambda t: nn.NLLLoss(ignore_index=1)(cg.log_softmax(t, axis=1), y),
          lambda t: torch.nn.NLLLoss(ignore_index=1)(torch.log_softmax(t, 1), torch.tensor(y)),
          x, g=np.array(1.0))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss("avg")
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss()"  # as torch's


@pytest.mark.parametrize("kw", [
    dict(kernel_size=(2, 3)), dict(kernel_size=3, stride=(2, 1)), dict(kernel_size=3, padding=(1, 0)),
    dict(kernel_size=3, dilation=2), dict(kernel_size=(3, 2), dilation=(1, 2), padding=(2, 1)),
    dict(kernel_size=3, groups=2), dict(kernel_size=(1, 3), groups=4, stride=2, bias=False),
    dict(kernel_size=3, padding="same", dilation=2),
], ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv2d_rectangular_strided_dilated_grouped_like_torch(kw):
    x = rng.standard_normal((2, 4, 9, 8))
    conv = nn.Conv2d(4, 8, **kw, seed=3)
    t = torch.nn.Conv2d(4, 8, **kw).double()
    with torch.no_grad():
        t.weight.copy_(torch.tensor(conv.weight.data))
        if conv.bias is not None:
            t.bias.copy_(torch.tensor(conv.bias.data))
    assert tuple(t.weight.shape) == conv.weight.shape
    _both(conv, t, x)
    conv.weight.grad = None
    xc = cg.tensor(x, requires_grad=True)
    y = conv(xc)
    g = rng.standard_normal(y.shape)
    (y * g).sum().backward()
    yt = t(torch.tensor(x))
    t.weight.grad = None
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(conv.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("k,s,p", [((2, 3), None, 0), ((3, 2), (2, 1), (1, 0)), (2, (1, 2), 0)])
def test_max_pool_rectangular_windows_like_torch(k, s, p):
    x = np.round(rng.standard_normal((2, 3, 7, 8)))  # ties too
    _both(nn.MaxPool2d(k, s, p), torch.nn.MaxPool2d(k, s, p), x)


def test_conv_and_pool_argument_errors():
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(4, 6, (3, 3, 3))
    with pytest.raises(ValueError, match="dilation"):
        nn.Conv2d(4, 6, 3, dilation=0)
    with pytest.raises(ValueError, match="padding"):
        nn.MaxPool2d((2, 4), padding=(1, 3))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0)),
                                dict(kernel_size=2, divisor_override=3)],
                         ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_avg_pool_like_torch(kw):
    _both(nn.AvgPool2d(**kw), torch.nn.AvgPool2d(**kw), rng.standard_normal((2, 3, 7, 8)))


@pytest.mark.parametrize("size", [1, (1, 1), 2, (3, 4), (5, 3), (None, 2), 7])
def test_adaptive_avg_pool_like_torch(size):
    x = rng.standard_normal((2, 3, 7, 8))
    _both(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x)
    _both(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x[0])  # unbatched
