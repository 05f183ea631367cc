"""Layers and losses of compgraph.nn: gradcheck (float64) and agreement with PyTorch."""
import numpy as np
import pytest
import torch

import compgraph as cg
from helpers import leaf, t64

nn = cg.nn


def close(a, b, tol=1e-10):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(
        a.data if isinstance(a, cg.Tensor) else a)
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(
        b.data if isinstance(b, cg.Tensor) else b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def with_params(layer, **params):
    """Replace a layer's parameters by given Tensors (so gradcheck sees them as inputs)."""
    for k, v in params.items():
        object.__setattr__(layer, k, v)
    return layer


# --------------------------------------------------------------------------- Linear
@pytest.mark.parametrize("bias", [True, False])
def test_linear_vs_torch(bias):
    rng = np.random.default_rng(0)
    lin = nn.Linear(5, 3, bias=bias, seed=1)
    assert lin.weight.shape == (3, 5)
    assert (lin.bias is None) == (not bias)
    tl = torch.nn.Linear(5, 3, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.weight.data))
        if bias:
            tl.bias.copy_(torch.tensor(lin.bias.data))
    xa = rng.normal(size=(4, 5))
    up = rng.normal(size=(4, 3))
    x, tx = leaf(xa), t64(xa, True)
    y, ty = lin(x), tl(tx)
    close(y, ty)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad)
    close(lin.weight.grad, tl.weight.grad)
    if bias:
        close(lin.bias.grad, tl.bias.grad)
    assert [n for n, _ in lin.named_parameters()] == (["weight", "bias"] if bias else ["weight"])


def test_linear_gradcheck():
    rng = np.random.default_rng(1)
    lin = nn.Linear(4, 3, seed=0)
    f = lambda x, w, b: with_params(lin, weight=w, bias=b)(x) ** 2  # noqa: E731
    assert cg.gradcheck(f, rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3))


def test_linear_seeded_init():
    a, b, c = nn.Linear(6, 4, seed=3), nn.Linear(6, 4, seed=3), nn.Linear(6, 4, seed=4)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    bound = 1 / np.sqrt(6)
    big = nn.Linear(100, 50, seed=0)
    for p in (big.weight, big.bias):
        assert np.all(np.abs(p.data) <= 1 / np.sqrt(100))
    assert np.abs(a.weight.data).max() <= bound
    assert big.weight.data.std() > 0.5 * (1 / np.sqrt(100)) / np.sqrt(3)
    assert a.weight.requires_grad and a.weight.is_leaf


# --------------------------------------------------------------------------- activations
ACTS = [
    (lambda: nn.ReLU(), torch.nn.ReLU()),
    (lambda: nn.Tanh(), torch.nn.Tanh()),
    (lambda: nn.Sigmoid(), torch.nn.Sigmoid()),
    (lambda: nn.Softmax(axis=-1), torch.nn.Softmax(dim=-1)),
    (lambda: nn.Softmax(axis=0), torch.nn.Softmax(dim=0)),
    (lambda: nn.LogSoftmax(axis=-1), torch.nn.LogSoftmax(dim=-1)),
    (lambda: nn.LogSoftmax(axis=0), torch.nn.LogSoftmax(dim=0)),
    (lambda: nn.Identity(), torch.nn.Identity()),
]


@pytest.mark.parametrize("make,tmod", ACTS, ids=lambda v: getattr(v, "__name__", type(v).__name__))
def test_activation_vs_torch_and_gradcheck(make, tmod):
    rng = np.random.default_rng(2)
    xa = rng.normal(size=(4, 5)) * 3
    xa[np.abs(xa) < 1e-3] = 0.5  # keep ReLU away from its kink
    up = rng.normal(size=(4, 5))
    m = make()
    assert m.parameters() == []
    x, tx = leaf(xa), t64(xa, True)
    y, ty = m(x), tmod(tx)
    close(y, ty)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad)
    assert cg.gradcheck(lambda z: m(z) * up, xa)


def test_flatten():
    rng = np.random.default_rng(3)
    xa = rng.normal(size=(2, 3, 4, 5))
    for start in (1, 2):
        x, tx = leaf(xa), t64(xa, True)
        y, ty = nn.Flatten(start)(x), torch.nn.Flatten(start_dim=start)(tx)
        close(y, ty)
        up = rng.normal(size=ty.shape)
        (y * up).sum().backward()
        (ty * t64(up)).sum().backward()
        close(x.grad, tx.grad)
    assert nn.Flatten()(leaf(xa)).shape == (2, 60)


# --------------------------------------------------------------------------- BatchNorm1d
def _torch_bn(bn):
    tb = torch.nn.BatchNorm1d(bn.num_features, eps=bn.eps, momentum=bn.momentum,
                              affine=bn.weight is not None, dtype=torch.float64)
    if bn.weight is not None:
        with torch.no_grad():
            tb.weight.copy_(torch.tensor(bn.weight.data))
            tb.bias.copy_(torch.tensor(bn.bias.data))
    return tb


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_training_and_eval_vs_torch(affine):
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm1d(3, momentum=0.2, affine=affine)
    if affine:
        bn.weight.data[...] = rng.normal(size=3)
        bn.bias.data[...] = rng.normal(size=3)
    tb = _torch_bn(bn)
    for step in range(4):
        xa = rng.normal(loc=[1.0, -2.0, 0.5], scale=[0.5, 2.0, 1.5], size=(6 + step, 3))
        up = rng.normal(size=xa.shape)
        if affine:
            bn.zero_grad()
            tb.zero_grad()
        x, tx = leaf(xa), t64(xa, True)
        y, ty = bn(x), tb(tx)
        close(y, ty, 1e-9)
        (y * up).sum().backward()
        (ty * t64(up)).sum().backward()
        close(x.grad, tx.grad, 1e-9)
        if affine:
            close(bn.weight.grad, tb.weight.grad, 1e-9)
            close(bn.bias.grad, tb.bias.grad, 1e-9)
        close(bn.running_mean, tb.running_mean, 1e-12)
        close(bn.running_var, tb.running_var, 1e-12)
    sd = bn.state_dict()
    close(sd["running_mean"], tb.running_mean, 1e-12)
    close(sd["running_var"], tb.running_var, 1e-12)
    bn.eval()
    tb.eval()
    assert bn.training is False
    xa = rng.normal(size=(5, 3))
    before = bn.running_mean.copy()
    x, tx = leaf(xa), t64(xa, True)
    y, ty = bn(x), tb(tx)
    close(y, ty, 1e-12)
    up = rng.normal(size=xa.shape)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad, 1e-12)
    np.testing.assert_array_equal(bn.running_mean, before)  # eval leaves the statistics alone
    # one example in eval mode is fine (uses running statistics)
    close(bn(leaf(xa[:1])), tb(t64(xa[:1])), 1e-12)


def test_batchnorm_gradcheck_training():
    rng = np.random.default_rng(5)
    bn = nn.BatchNorm1d(3)
    f = lambda x, w, b: with_params(bn, weight=w, bias=b)(x) ** 2  # noqa: E731
    assert cg.gradcheck(f, rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=3))


def test_batchnorm_gradcheck_eval():
    rng = np.random.default_rng(6)
    bn = nn.BatchNorm1d(3)
    bn.running_mean[...] = rng.normal(size=3)
    bn.running_var[...] = rng.uniform(0.5, 2, size=3)
    bn.eval()
    f = lambda x, w, b: with_params(bn, weight=w, bias=b)(x) ** 2  # noqa: E731
    assert cg.gradcheck(f, rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3))


def test_batchnorm_bad_shape():
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(N, 3\)"):
        nn.BatchNorm1d(3)(leaf(np.ones((4, 2))))
    with pytest.raises(ValueError, match="BatchNorm1d"):
        nn.BatchNorm1d(3)(leaf(np.ones((4, 2, 3))))
    with pytest.raises(ValueError, match="more than one value"):
        nn.BatchNorm1d(3)(leaf(np.ones((1, 3))))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=1.5)


@pytest.mark.parametrize("momentum", [None, 0.3])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("track", [True, False])
def test_batchnorm_momentum_none_3d_inputs_and_no_tracking_vs_torch(momentum, shape, track):
    rng = np.random.default_rng(41)
    bn = nn.BatchNorm1d(3, momentum=momentum, track_running_stats=track)
    bn.weight.data[...] = rng.normal(size=3)
    bn.bias.data[...] = rng.normal(size=3)
    tb = torch.nn.BatchNorm1d(3, momentum=momentum, track_running_stats=track,
                              dtype=torch.float64)
    with torch.no_grad():
        tb.weight.copy_(torch.tensor(bn.weight.data))
        tb.bias.copy_(torch.tensor(bn.bias.data))
    for step in range(4):
        xa = rng.normal(loc=1.5, scale=2.0, size=shape)
        up = rng.normal(size=shape)
        bn.zero_grad()
        tb.zero_grad()
        x, tx = leaf(xa), t64(xa, True)
        y, ty = bn(x), tb(tx)
        close(y, ty, 1e-9)
        (y * up).sum().backward()
        (ty * t64(up)).sum().backward()
        close(x.grad, tx.grad, 1e-9)
        close(bn.weight.grad, tb.weight.grad, 1e-9)
        close(bn.bias.grad, tb.bias.grad, 1e-9)
        if track:
            close(bn.running_mean, tb.running_mean, 1e-12)
            close(bn.running_var, tb.running_var, 1e-12)
            assert int(bn.num_batches_tracked) == int(tb.num_batches_tracked) == step + 1
    bn.eval()
    tb.eval()
    xa = rng.normal(size=shape)
    close(bn(leaf(xa)), tb(t64(xa)), 1e-9)
    if not track:
        assert not hasattr(bn, "running_mean") and list(bn.state_dict()) == ["weight", "bias"]
    f = lambda z: bn(z) ** 2  # noqa: E731
    assert cg.gradcheck(f, xa)


def test_batchnorm_buffers_not_parameters():
    bn = nn.BatchNorm1d(4)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    # the same keys as torch.nn.BatchNorm1d's state_dict
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert list(bn.state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())


# --------------------------------------------------------------------------- Dropout
def test_dropout_eval_is_identity():
    rng = np.random.default_rng(7)
    d = nn.Dropout(0.7, seed=0)
    d.eval()
    xa = rng.normal(size=(10, 10))
    x = leaf(xa)
    y = d(x)
    np.testing.assert_array_equal(np.asarray(y.data), xa)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full_like(xa, 2.0))


def test_dropout_training():
    p = 0.3
    d = nn.Dropout(p, seed=0)
    xa = np.random.default_rng(8).uniform(1, 2, size=(200, 100))
    x = leaf(xa)
    y = d(x)
    ya = np.asarray(y.data)
    kept = ya != 0
    assert abs(1 - kept.mean() - p) < 0.02
    np.testing.assert_allclose(ya[kept], xa[kept] / (1 - p), rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / (1 - p), rtol=1e-12)
    # a different mask each call, the same masks for the same seed
    assert not np.array_equal(np.asarray(d(leaf(xa)).data) != 0, kept)
    d2 = nn.Dropout(p, seed=0)
    np.testing.assert_array_equal(np.asarray(d2(leaf(xa)).data), ya)
    # a model switched back to train() drops again
    m = nn.Sequential(nn.Dropout(0.5, seed=1))
    m.eval()
    np.testing.assert_array_equal(np.asarray(m(leaf(xa)).data), xa)
    m.train()
    assert (np.asarray(m(leaf(xa)).data) == 0).mean() > 0.4


def test_dropout_p():
    with pytest.raises(ValueError):
        nn.Dropout(1.01)  # (p = 1 is allowed, as torch: everything dropped)
    with pytest.raises(ValueError):
        nn.Dropout(-0.1)
    xa = np.arange(6.0)
    np.testing.assert_array_equal(np.asarray(nn.Dropout(0.0)(leaf(xa)).data), xa)


# --------------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_vs_torch(reduction):
    rng = np.random.default_rng(9)
    la = rng.normal(size=(6, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2, 3])
    lg, tl = leaf(la), t64(la, True)
    loss = nn.cross_entropy(lg, labels, reduction=reduction)
    tloss = torch.nn.functional.cross_entropy(tl, torch.tensor(labels), reduction=reduction)
    close(loss, tloss)
    up = rng.normal(size=tloss.shape)
    (loss * up).sum().backward()
    (tloss * t64(up)).sum().backward()
    close(lg.grad, tl.grad)
    assert cg.gradcheck(lambda z: nn.cross_entropy(z, labels, reduction=reduction) * up, la)


def test_cross_entropy_large_logits_stable():
    la = np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 1.0]])
    labels = np.array([2, 1])
    lg, tl = leaf(la), t64(la, True)
    loss = nn.cross_entropy(lg, labels)
    tloss = torch.nn.functional.cross_entropy(tl, torch.tensor(labels))
    assert np.isfinite(float(loss.data))
    close(loss, tloss)
    loss.backward()
    tloss.backward()
    close(lg.grad, tl.grad)


def test_cross_entropy_labels_as_tensor_and_int32():
    la = np.random.default_rng(10).normal(size=(3, 5))
    labels = np.array([4, 0, 2], dtype=np.int32)
    ref = torch.nn.functional.cross_entropy(t64(la), torch.tensor(labels, dtype=torch.long))
    close(nn.cross_entropy(leaf(la), labels), ref)
    close(nn.cross_entropy(leaf(la), cg.tensor(labels)), ref)


@pytest.mark.parametrize("labels", [
    np.array([0, 3, 1]),           # out of range
    np.array([0, -1, 1]),          # negative
    np.array([0.0, 1.0, 2.0]),     # not integers
    np.array([0, 1]),              # wrong length
    np.array([[0, 1, 2]]),         # wrong shape
])
def test_cross_entropy_bad_labels(labels):
    logits = leaf(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        nn.cross_entropy(logits, labels)


def test_cross_entropy_bad_logits_and_reduction():
    with pytest.raises(ValueError):
        nn.cross_entropy(leaf(np.zeros(3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError):
        nn.cross_entropy(leaf(np.zeros((2, 3))), np.array([0, 1]), reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_vs_torch(reduction):
    rng = np.random.default_rng(11)
    pa, ta = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    p, tp = leaf(pa), t64(pa, True)
    loss = nn.mse_loss(p, ta, reduction=reduction)
    tloss = torch.nn.functional.mse_loss(tp, t64(ta), reduction=reduction)
    close(loss, tloss)
    up = rng.normal(size=tloss.shape)
    (loss * up).sum().backward()
    (tloss * t64(up)).sum().backward()
    close(p.grad, tp.grad)
    with pytest.raises(ValueError):
        nn.mse_loss(p, ta, reduction="bogus")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_vs_torch(reduction):
    rng = np.random.default_rng(12)
    la = rng.normal(size=(5, 2)) * 4
    la[0, 0], la[1, 1] = 60.0, -60.0  # saturated logits stay finite
    targ = rng.uniform(size=(5, 2))
    targ[2] = [0.0, 1.0]
    x, tx = leaf(la), t64(la, True)
    loss = nn.binary_cross_entropy_with_logits(x, targ, reduction=reduction)
    tloss = torch.nn.functional.binary_cross_entropy_with_logits(tx, t64(targ),
                                                                 reduction=reduction)
    close(loss, tloss)
    up = rng.normal(size=tloss.shape)
    (loss * up).sum().backward()
    (tloss * t64(up)).sum().backward()
    close(x.grad, tx.grad)
    assert cg.gradcheck(lambda z: nn.binary_cross_entropy_with_logits(
        z, targ, reduction=reduction) * up, la / 4)
    with pytest.raises(ValueError):
        nn.binary_cross_entropy_with_logits(x, targ, reduction="bogus")


# --------------------------------------------------------------------------- Conv2d / MaxPool2d
def _conv(*args, **kw):
    try:
        return nn.Conv2d(*args, seed=0, **kw)
    except TypeError:
        return nn.Conv2d(*args, **kw)


@pytest.mark.parametrize("stride,padding,bias", [(1, 0, True), (2, 1, True), (1, 2, False),
                                                 (3, 1, True)])
def test_conv2d_vs_torch(stride, padding, bias):
    rng = np.random.default_rng(13)
    conv = _conv(3, 4, 3, stride=stride, padding=padding, bias=bias)
    assert conv.weight.shape == (4, 3, 3, 3)
    assert (conv.bias is None) == (not bias)
    xa = rng.normal(size=(2, 3, 7, 6))
    wt = t64(conv.weight.data, True)
    bt = t64(conv.bias.data, True) if bias else None
    x, tx = leaf(xa), t64(xa, True)
    y = conv(x)
    ty = torch.nn.functional.conv2d(tx, wt, bt, stride=stride, padding=padding)
    close(y, ty, 1e-9)
    up = rng.normal(size=ty.shape)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad, 1e-9)
    close(conv.weight.grad, wt.grad, 1e-9)
    if bias:
        close(conv.bias.grad, bt.grad, 1e-9)


def test_conv2d_gradcheck():
    rng = np.random.default_rng(14)
    conv = _conv(2, 3, 2, stride=2, padding=1)
    f = lambda x, w, b: with_params(conv, weight=w, bias=b)(x) ** 2  # noqa: E731
    assert cg.gradcheck(f, rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 2, 2)),
                        rng.normal(size=3))


@pytest.mark.parametrize("k,stride", [(2, None), (2, 2), (3, 2), (3, 1), (2, 1), (2, 3)])
def test_maxpool2d_vs_torch(k, stride):
    rng = np.random.default_rng(15)
    xa = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0 - 12  # no ties, negatives
    pool = nn.MaxPool2d(k, stride=stride) if stride is not None else nn.MaxPool2d(k)
    assert pool.parameters() == []
    x, tx = leaf(xa), t64(xa, True)
    y = pool(x)
    ty = torch.nn.functional.max_pool2d(tx, k, stride=stride)
    close(y, ty)
    up = rng.normal(size=ty.shape)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad)
    assert cg.gradcheck(lambda z: pool(z) * up, xa)


@pytest.mark.parametrize("k,stride,padding", [(3, 2, 1), (2, 2, 1), (3, 1, 1), (4, 3, 2),
                                              (5, 2, 2)])
def test_maxpool2d_padding_vs_torch(k, stride, padding):
    rng = np.random.default_rng(16)
    xa = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0 - 30  # all negative
    pool = nn.MaxPool2d(k, stride=stride, padding=padding)
    x, tx = leaf(xa), t64(xa, True)
    y = pool(x)
    ty = torch.nn.functional.max_pool2d(tx, k, stride=stride, padding=padding)
    assert y.shape == tuple(ty.shape)
    close(y, ty)  # padding is -inf, not 0: the values are all negative
    up = rng.normal(size=ty.shape)
    (y * up).sum().backward()
    (ty * t64(up)).sum().backward()
    close(x.grad, tx.grad)
    assert cg.gradcheck(lambda z: pool(z) * up, xa)


def test_maxpool2d_bad_padding_and_bad_input_rejected():
    with pytest.raises(ValueError, match="padding"):
        nn.MaxPool2d(3, stride=2, padding=2)  # more than half the window, as torch refuses
    with pytest.raises(ValueError):
        nn.MaxPool2d(2)(leaf(np.zeros((3, 4))))  # ((C, H, W) is unbatched input, as torch)
    with pytest.raises(ValueError):
        nn.MaxPool2d(5)(leaf(np.zeros((1, 1, 4, 4))))


def test_conv2d_bad_input_and_seeded_init():
    conv = _conv(3, 4, 3)
    with pytest.raises(ValueError):
        conv(leaf(np.zeros((1, 2, 5, 5))))
    with pytest.raises(ValueError):
        conv(leaf(np.zeros((5, 5))))  # ((3, 5, 5) is unbatched input, as torch)
    a, b = nn.Conv2d(3, 4, 3, seed=7), nn.Conv2d(3, 4, 3, seed=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert np.abs(a.weight.data).max() <= 1 / np.sqrt(27)


def test_small_cnn_vs_torch():
    rng = np.random.default_rng(16)
    net = nn.Sequential(_conv(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(2 * 3 * 3, 3, seed=2))
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(18, 3)).double()
    with torch.no_grad():
        for (n, p), tp in zip(net.named_parameters(), tnet.parameters()):
            tp.copy_(torch.tensor(p.data))
    xa = rng.normal(size=(4, 1, 6, 6))
    labels = np.array([0, 2, 1, 2])
    loss = nn.cross_entropy(net(leaf(xa)), labels)
    tloss = torch.nn.functional.cross_entropy(tnet(t64(xa)), torch.tensor(labels))
    close(loss, tloss)
    loss.backward()
    tloss.backward()
    for p, tp in zip(net.parameters(), tnet.parameters()):
        close(p.grad, tp.grad)


def test_inplace_arguments_are_accepted_with_torchs_repr():
    torch = pytest.importorskip("torch")
    pairs = [
        (cg.nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)),
        (cg.nn.ReLU(), torch.nn.ReLU()),
        (cg.nn.LeakyReLU(0.1, True), torch.nn.LeakyReLU(0.1, True)),
        (cg.nn.ELU(0.5, inplace=True), torch.nn.ELU(0.5, inplace=True)),
        (cg.nn.Dropout(0.3, True), torch.nn.Dropout(0.3, True)),
        (cg.nn.Dropout(p=0.1), torch.nn.Dropout(p=0.1)),
    ]
    x = np.random.default_rng(0).standard_normal((3, 4))
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        ours.eval(), theirs.eval()
        np.testing.assert_allclose(ours(cg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())


def test_reprs_equal_torchs():
    tn = torch.nn
    pairs = [
        (cg.nn.Linear(3, 4), tn.Linear(3, 4)),
        (cg.nn.LayerNorm(4), tn.LayerNorm(4)),
        (cg.nn.LayerNorm(3, elementwise_affine=False, bias=False),
         tn.LayerNorm(3, elementwise_affine=False, bias=False)),
        (cg.nn.BatchNorm1d(4), tn.BatchNorm1d(4)),
        (cg.nn.BatchNorm2d(4, affine=False), tn.BatchNorm2d(4, affine=False)),
        (cg.nn.Conv2d(2, 3, 3, dilation=2), tn.Conv2d(2, 3, 3, dilation=2)),
        (cg.nn.Conv2d(2, 3, 3, padding="same"), tn.Conv2d(2, 3, 3, padding="same")),
        (cg.nn.Conv2d(2, 4, 3, padding=1, bias=False, groups=2),
         tn.Conv2d(2, 4, 3, padding=1, bias=False, groups=2)),
        (cg.nn.ConvTranspose2d(2, 3, 3, output_padding=1, stride=2, dilation=2),
         tn.ConvTranspose2d(2, 3, 3, output_padding=1, stride=2, dilation=2)),
        (cg.nn.Conv1d(2, 3, 3, padding=1), tn.Conv1d(2, 3, 3, padding=1)),
        (cg.nn.MultiheadAttention(8, 2), tn.MultiheadAttention(8, 2)),
        (cg.nn.GroupNorm(2, 4), tn.GroupNorm(2, 4)),
        (cg.nn.GroupNorm(2, 4, bias=False), tn.GroupNorm(2, 4, bias=False)),
        (cg.nn.GroupNorm(2, 4, affine=False), tn.GroupNorm(2, 4, affine=False)),
        (cg.nn.LayerNorm(3, elementwise_affine=False), tn.LayerNorm(3, elementwise_affine=False)),
        (cg.nn.Sequential(cg.nn.Linear(2, 2), cg.nn.ReLU()),
         tn.Sequential(tn.Linear(2, 2), tn.ReLU())),
        (cg.nn.ModuleList([cg.nn.Linear(2, 2), cg.nn.Linear(2, 2), cg.nn.Tanh()]),
         tn.ModuleList([tn.Linear(2, 2), tn.Linear(2, 2), tn.Tanh()])),
        (cg.nn.ModuleList(), tn.ModuleList()),
        (cg.nn.CrossEntropyLoss(label_smoothing=0.1), tn.CrossEntropyLoss(label_smoothing=0.1)),
        (cg.nn.MSELoss(reduction="sum"), tn.MSELoss(reduction="sum")),
        (cg.nn.TransformerEncoderLayer(8, 2, 16), tn.TransformerEncoderLayer(8, 2, 16)),
        (cg.nn.LSTM(3, 4, 2), tn.LSTM(3, 4, 2)),
        (cg.nn.Embedding(5, 3, padding_idx=0), tn.Embedding(5, 3, padding_idx=0)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    # a lone extra_repr stays inline; with children it gets a line of its own, as torch
    gn = cg.nn.GroupNorm(2, 4)
    gn.inner = cg.nn.Identity()
    assert repr(gn) == "GroupNorm(\n  2, 4, eps=1e-05, affine=True, bias=True\n  (inner): Identity()\n)"
    # GroupNorm's bias=False keeps the weight only, as torch
    assert [k for k in cg.nn.GroupNorm(2, 4, bias=False).state_dict()] == ["weight"]


def test_linear_with_no_input_features_as_torch():
    m = cg.nn.Linear(0, 3)
    y = m(cg.zeros((2, 0)))
    assert y.shape == (2, 3) and m.weight.shape == (3, 0)
    np.testing.assert_array_equal(y.numpy(), np.zeros((2, 3)))


def test_attention_weights_returned_are_the_ones_after_dropout():
    mha = cg.nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True, seed=0)
    x = cg.tensor(np.random.default_rng(1).standard_normal((2, 6, 8)))
    _, w = mha(x, x, x, average_attn_weights=False)
    w = w.numpy()
    assert (w == 0).any()  # dropped entries
    assert not np.allclose(w.sum(-1), 1.0)  # survivors scaled by 1/(1-p), as torch
    mha.eval()
    _, w = mha(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same", "valid"])
def test_conv_padding_modes_equal_torch(mode, padding):
    rng = np.random.default_rng(3)
    for nd, ours_cls, theirs_cls, shape in (
        (2, cg.nn.Conv2d, torch.nn.Conv2d, (2, 3, 7, 6)),
        (1, cg.nn.Conv1d, torch.nn.Conv1d, (2, 3, 9)),
    ):
        pad = padding if isinstance(padding, (str, int)) else padding[:nd]
        theirs = theirs_cls(3, 4, 3, padding=pad, dilation=2 if padding == "same" else 1,
                            padding_mode=mode).double()
        ours = ours_cls(3, 4, 3, padding=pad, dilation=2 if padding == "same" else 1,
                        padding_mode=mode)
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        assert repr(ours) == repr(theirs)
        x = rng.standard_normal(shape)
        xt = torch.tensor(x, requires_grad=True)
        theirs(xt).square().sum().backward()
        xc = cg.tensor(x, requires_grad=True)
        cg.sum(ours(xc) ** 2).backward()
        np.testing.assert_allclose(ours(cg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="padding_mode"):
        cg.nn.Conv2d(3, 4, 3, padding_mode="mirror")


def test_batchnorm_bias_false_as_torch():
    ours, theirs = cg.nn.BatchNorm2d(3, bias=False), torch.nn.BatchNorm2d(3, bias=False).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2))
    np.testing.assert_allclose(ours(cg.tensor(x)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-12)


def test_buffer_assignment_and_data_parallel_in_nn_parallel():
    m = cg.nn.Module()
    m.b = cg.nn.Buffer(np.ones(2), persistent=False)
    m.c = cg.nn.Buffer(np.zeros(1))
    assert [k for k, _ in m.named_buffers()] == ["b", "c"] and list(m.state_dict()) == ["c"]
    assert cg.nn.parallel.DataParallel is cg.nn.DataParallel
