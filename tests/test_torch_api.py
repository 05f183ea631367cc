"""Code written for PyTorch runs after ``torch`` -> ``cg``: creation functions, seeded
random tensors, Tensor methods, in-place methods and ``grad_fn``, with torch itself as
the oracle (skipped without it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")


def _same(c, t, tol=1e-6):
    """compgraph result ``c`` equals torch result ``t`` (values, shape, dtype kind)."""
    if isinstance(t, (tuple, list)):
        assert len(c) == len(t)
        for a, b in zip(c, t):
            _same(a, b, tol)
        return
    if not isinstance(t, torch.Tensor):
        assert c == pytest.approx(t, rel=tol, abs=tol)
        return
    tn = t.detach().numpy()
    cn = np.asarray(c)
    assert cn.shape == tn.shape, (cn.shape, tn.shape)
    assert cn.dtype == tn.dtype, (cn.dtype, tn.dtype)
    np.testing.assert_allclose(cn, tn, rtol=tol, atol=tol)


# ------------------------------------------------------------------ creation
def test_creation_varargs_and_numpy_signatures():
    assert cg.zeros(2, 3).shape == tuple(torch.zeros(2, 3).shape)
    assert cg.ones((2, 3)).shape == (2, 3) and cg.empty([4]).shape == (4,)
    assert cg.zeros((2, 3), "float32").dtype == np.float32  # NumPy's positional dtype
    assert cg.zeros(size=(2, 1)).shape == (2, 1)
    x = cg.ones(2, 2, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.dtype == np.float64  # NumPy's default float
    assert cg.ones(2, dtype=np.float32, device="cpu").dtype == np.float32
    assert cg.full((2, 2), 7.0).tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert cg.arange(end=5).tolist() == torch.arange(end=5).tolist()
    _same(cg.linspace(0, 1, steps=5, dtype=np.float32), torch.linspace(0, 1, steps=5, dtype=torch.float32))
    _same(cg.eye(3, dtype=np.float32), torch.eye(3, dtype=torch.float32))
    z = cg.zeros_like(x, requires_grad=True)
    assert z.requires_grad and z.shape == (2, 2)
    assert cg.randn_like(x).dtype == x.dtype and cg.rand_like(x, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="cuda"):
        cg.zeros(2, device="cuda")
    with pytest.raises(ValueError, match="cuda"):
        cg.ones_like(x, device="cuda:0")
    if hasattr(cg, "device"):
        assert cg.ones(2, device=cg.device("cpu")).shape == (2,)
    out = cg.empty(2, 2)
    r = cg.ones(2, 2, out=out)
    assert r is out and out.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_tensor_constructors():
    a = np.arange(3.0)
    t = cg.from_numpy(a)
    a[0] = 9.0
    assert t.tolist() == [9.0, 1.0, 2.0]  # shares memory, as torch.from_numpy
    assert cg.as_tensor([1, 2]).dtype == np.int64
    assert cg.is_tensor(t) and not cg.is_tensor(a) and cg.numel(cg.ones(2, 3)) == 6
    v = cg.tensor(2, requires_grad=True)  # micrograd's Value(2): an int that must record
    assert v.dtype.kind == "f" and v.requires_grad
    with pytest.raises(TypeError):
        cg.tensor([1, 2], requires_grad=True)  # as torch: only floats can require grad
    assert cg.tensor([1.0], device="cpu").shape == (1,)


# ------------------------------------------------------------------ random
def test_seeded_random_is_reproducible_with_torchs_dtypes_and_shapes():
    cg.manual_seed(0)
    a = [cg.randn(2, 3), cg.rand(4), cg.randint(0, 10, (5,)), cg.randperm(6)]
    cg.manual_seed(0)
    b = [cg.randn(2, 3), cg.rand(4), cg.randint(0, 10, (5,)), cg.randperm(6)]
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    t = [torch.randn(2, 3, dtype=torch.float32), torch.rand(4, dtype=torch.float32), torch.randint(0, 10, (5,)), torch.randperm(6)]
    for x, y in zip(a, t):
        assert x.shape == tuple(y.shape) and str(x.dtype) == str(y.dtype).split(".")[1]
    assert sorted(a[3].tolist()) == list(range(6))
    assert 0 <= a[2].min() and a[2].max() < 10
    assert cg.randint(3, (2, 2)).max() < 3 and cg.randn((3,)).shape == (3,)
    assert cg.randn(size=(2,)).shape == (2,)
    w = cg.randn(3, requires_grad=True, dtype=np.float64)
    assert w.requires_grad and w.dtype == np.float64
    s = cg.seed()
    assert cg.initial_seed() == s
    g = cg.Generator().manual_seed(3)
    h = cg.Generator().manual_seed(3)
    assert cg.rand(3, generator=g).tolist() == cg.rand(3, generator=h).tolist()


def test_random_distributions():
    cg.manual_seed(1)
    n = cg.normal(2.0, 3.0, size=(20000,))
    assert n.dtype == np.float32 and abs(float(n.mean()) - 2) < 0.1
    assert abs(float(n.std()) - 3) < 0.1
    m = cg.normal(cg.zeros(3), cg.ones(3))
    assert m.shape == (3,) and m.dtype == np.float64
    p = cg.bernoulli(cg.full((1000,), 0.3))
    assert set(np.unique(p.numpy()).tolist()) <= {0.0, 1.0} and 0.2 < float(p.mean()) < 0.4
    idx = cg.multinomial(cg.tensor([[0.0, 1.0, 1.0, 1.0]]), 3)
    assert idx.shape == (1, 3) and sorted(idx.tolist()[0]) == [1, 2, 3]
    assert cg.multinomial(cg.tensor([0.0, 1.0]), 4, replacement=True).tolist() == [1] * 4
    with pytest.raises(RuntimeError):
        cg.multinomial(cg.tensor([0.0, 1.0]), 2)
    assert cg.randint_like(cg.zeros(4), 5).dtype == np.float64


def test_tensorflow_random():
    cg.random.set_seed(5)
    a = cg.random.normal([2, 3])
    b = cg.random.uniform((4,), minval=1.0, maxval=2.0, seed=7)
    cg.random.set_seed(5)
    assert cg.random.normal([2, 3]).tolist() == a.tolist()
    assert cg.random.uniform((4,), minval=1.0, maxval=2.0, seed=7).tolist() == b.tolist()
    assert a.dtype == np.float32 and 1 <= float(b.min()) and float(b.max()) < 2
    i = cg.random.uniform([5], 0, 3, dtype="int32")
    assert i.dtype == np.int32 and int(i.max()) < 3
    with pytest.raises(ValueError):
        cg.random.uniform([2], dtype="int64")
    tn = cg.random.truncated_normal([1000], stddev=2.0)
    assert float(abs(tn).max()) <= 4.0
    mu = cg.tensor(1.0, requires_grad=True)
    cg.random.normal([3], mean=mu, dtype="float64").sum().backward()
    assert float(mu.grad) == 3.0  # samples are differentiable in mean, as TensorFlow's


# ------------------------------------------------------------------ methods vs torch
X = np.random.default_rng(0).standard_normal((2, 3, 4))
METHODS = [
    ("size", lambda t: t.size()),
    ("size1", lambda t: t.size(1)),
    ("dim", lambda t: t.dim()),
    ("numel", lambda t: t.numel()),
    ("view", lambda t: t.view(-1)),
    ("view2", lambda t: t.view(4, 6)),
    ("reshape", lambda t: t.reshape(6, 4)),
    ("unsqueeze", lambda t: t.unsqueeze(1)),
    ("unsqueeze-neg", lambda t: t.unsqueeze(-1)),
    ("squeeze", lambda t: t.unsqueeze(0).squeeze(0)),
    ("squeeze-noop", lambda t: t.squeeze(1)),
    ("permute", lambda t: t.permute(2, 0, 1)),
    ("transpose", lambda t: t.transpose(0, 2)),
    ("t", lambda t: t[0].t()),
    ("flatten", lambda t: t.flatten(1)),
    ("flatten-all", lambda t: t.flatten()),
    ("expand", lambda t: t[:, :1].expand(2, 5, 4)),
    ("expand-new", lambda t: t.expand(3, -1, -1, -1)),
    ("repeat", lambda t: t.repeat(1, 2, 1)),
    ("repeat-more", lambda t: t[0, 0].repeat(2, 2)),
    ("pow", lambda t: t.pow(2)),
    ("add-alpha", lambda t: t.add(t, alpha=2)),
    ("sub", lambda t: t.sub(1.5)),
    ("mul", lambda t: t.mul(t)),
    ("div", lambda t: t.div(2)),
    ("div-floor", lambda t: t.div(0.3, rounding_mode="floor")),
    ("neg", lambda t: t.neg()),
    ("abs-exp", lambda t: t.abs().exp()),
    ("sqrt", lambda t: t.abs().sqrt()),
    ("rsqrt", lambda t: (t.abs() + 1).rsqrt()),
    ("sum-dim", lambda t: t.sum(dim=1)),
    ("sum-keepdim", lambda t: t.sum(dim=(0, 2), keepdim=True)),
    ("sum-dimlist", lambda t: t.sum(dim=[0, 2])),
    ("mean-dim", lambda t: t.mean(dim=-1)),
    ("max-dim", lambda t: tuple(t.max(dim=1))),
    ("min-dim-keep", lambda t: tuple(t.min(dim=2, keepdim=True))),
    ("max", lambda t: t.max()),
    ("max-other", lambda t: t.max(t * 0)),
    ("argmax", lambda t: t.argmax(dim=1)),
    ("argmin-keep", lambda t: t.argmin(dim=1, keepdim=True)),
    ("std-dim", lambda t: t.std(dim=1)),
    ("var-unbiased", lambda t: t.var(dim=0, unbiased=False)),
    ("prod", lambda t: t.prod(dim=2)),
    ("cumsum", lambda t: t.cumsum(dim=1)),
    ("logsumexp", lambda t: t.logsumexp(dim=1)),
    ("softmax", lambda t: t.softmax(dim=-1)),
    ("log_softmax", lambda t: t.log_softmax(1)),
    ("norm", lambda t: t.norm()),
    ("norm-dim", lambda t: t.norm(dim=1)),
    ("norm-p1", lambda t: t.norm(p=1, dim=2, keepdim=True)),
    ("clamp", lambda t: t.clamp(-0.5, 0.5)),
    ("clamp-min", lambda t: t.clamp(min=0)),
    ("clip", lambda t: t.clip(max=0.1)),
    ("masked_fill", lambda t: t.masked_fill(t > 0, 0.0)),
    ("where", lambda t: t.where(t > 0, t * 2)),
    ("chunk", lambda t: t.chunk(2, dim=2)),
    ("chunk-uneven", lambda t: t.chunk(2, 1)),
    ("split", lambda t: t.split(3, dim=2)),
    ("split-sizes", lambda t: t.split([1, 3], dim=2)),
    ("unbind", lambda t: t.unbind(1)),
    ("matmul", lambda t: t.matmul(t.transpose(1, 2))),
    ("bmm", lambda t: t.bmm(t.transpose(1, 2))),
    ("mm", lambda t: t[0].mm(t[0].t())),
    ("relu-sigmoid-tanh", lambda t: t.relu() + t.sigmoid() + t.tanh()),
    ("clone", lambda t: t.clone()),
    ("contiguous", lambda t: t.contiguous()),
    ("double", lambda t: t.float().double()),
    ("float", lambda t: t.float()),
    ("to", lambda t: t.to(t.float())),
    ("type_as", lambda t: t.type_as(t.float())),
    ("long", lambda t: t.long()),
    ("bool", lambda t: t.bool()),
    ("eq-lt", lambda t: t.lt(0.1).eq(t.gt(-0.1))),
    ("sort", lambda t: tuple(t.sort(dim=1))),
    ("topk", lambda t: tuple(t.topk(2))),
    ("flip", lambda t: t.flip(0)),
    ("roll", lambda t: t.roll(1, 1)),
    ("lerp", lambda t: t.lerp(t * 0, 0.25)),
    ("new_zeros", lambda t: t.new_zeros(2, 3)),
    ("new_full", lambda t: t.new_full((2,), 3.0)),
]


@pytest.mark.parametrize("name,f", METHODS, ids=[m[0] for m in METHODS])
def test_methods_like_torch(name, f):
    c, t = cg.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    rc, rt = f(c), f(t)
    _same(rc, rt)
    # the gradients agree too (through every float output)
    outs = [(a, b) for a, b in zip(*((rc, rt) if isinstance(rt, tuple) else ((rc,), (rt,))))
            if isinstance(b, torch.Tensor) and b.requires_grad]
    if outs:
        sum((a * a).sum() for a, _ in outs).backward()
        sum((b * b).sum() for _, b in outs).backward()
        _same(c.grad, t.grad)


def test_index_methods_like_torch():
    c, t = cg.tensor(X), torch.tensor(X)
    ic, it = cg.tensor([[0, 2], [1, 1]]), torch.tensor([[0, 2], [1, 1]])
    _same(c[0].gather(1, ic), t[0].gather(1, it))  # index smaller than the input
    _same(c[0].gather(0, ic), t[0].gather(0, it))
    _same(c.index_select(2, cg.tensor([3, 0])), t.index_select(2, torch.tensor([3, 0])))


def test_numpy_meaning_kept_where_called_numpy_style():
    x = cg.tensor(X)
    assert x.size == 24 and len(x) == 2 and x.shape == (2, 3, 4)  # NumPy's size and len
    np.testing.assert_allclose(x.max(1).numpy(), X.max(1))  # positional: NumPy's values
    np.testing.assert_allclose(x.std().numpy(), X.std())  # ddof=0 without torch keywords
    np.testing.assert_allclose(x[0, 0].repeat(2, axis=0).numpy(), X[0, 0].repeat(2))
    np.testing.assert_allclose(x.repeat(2, 0).numpy(), X.repeat(2, 0))  # torch would raise
    np.testing.assert_allclose(x.transpose().numpy(), X.transpose())
    np.testing.assert_allclose(x.transpose(2, 0, 1).numpy(), X.transpose(2, 0, 1))
    np.testing.assert_allclose(x.sum(axis=1, keepdims=True).numpy(), X.sum(1, keepdims=True))


def test_to_and_device():
    x = cg.ones(2)
    assert x.to("cpu") is x and x.cpu() is x and x.to(dtype=np.float64) is x
    assert x.to("cpu", np.float32).dtype == np.float32
    if hasattr(cg, "device"):
        assert x.device == "cpu"
    with pytest.raises(ValueError):
        x.to("cuda")
    with pytest.raises(ValueError):
        x.cuda()


# ------------------------------------------------------------------ in place
def test_in_place_rules_on_leaves_like_torch():
    w = cg.ones(3, requires_grad=True)
    for f in (lambda v: v.add_(1), lambda v: v.zero_(), lambda v: v.mul_(2), lambda v: v.exp_()):
        with pytest.raises(RuntimeError, match="leaf"):
            f(w)
    buf = w.data
    with cg.no_grad():
        w.add_(1).mul_(3).sub_(1, alpha=2).clamp_(max=5.0).uniform_(0, 1).fill_(2.0)
        w.div_(4).pow_(2)
    assert w.data is buf and w.tolist() == [0.25] * 3  # in place: the same buffer
    w.requires_grad_(False)
    w.copy_(cg.tensor([1.0, 2.0, 3.0])).neg_()
    assert w.tolist() == [-1.0, -2.0, -3.0]
    w.zero_().normal_()
    assert w.shape == (3,)


@pytest.mark.parametrize("op", [
    lambda y: y.add_(1.5), lambda y: y.mul_(y.detach() + 1), lambda y: y.exp_(),
    lambda y: y.zero_(), lambda y: y.fill_(2.0), lambda y: y.clamp_(0.2, 0.8),
    lambda y: y.sigmoid_(), lambda y: y.masked_fill_(y > 1, 0.0), lambda y: y.pow_(3),
    lambda y: y.div_(3.0, ),
])
def test_recorded_in_place_on_non_leaves_gives_torchs_gradients(op):
    xs = np.array([0.1, 0.7, 1.2, -0.4])
    c, t = cg.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    yc, yt = c * 2, t * 2
    rc, rt = op(yc), op(yt)
    assert rc is yc and rt is yt
    _same(yc, yt)
    (yc * cg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (yt * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    _same(c.grad, t.grad)


def test_copy_into_non_leaf_sends_gradient_to_source():
    xs = np.array([1.0, 2.0])
    a, s = cg.tensor(xs, requires_grad=True), cg.tensor(xs * 3, requires_grad=True)
    ta, ts = torch.tensor(xs, requires_grad=True), torch.tensor(xs * 3, requires_grad=True)
    y, ty = a * 1, ta * 1
    y.copy_(s), ty.copy_(ts)
    (y * y).sum().backward(), (ty * ty).sum().backward()
    _same(a.grad, ta.grad)
    _same(s.grad, ts.grad)


def test_grad_fn_next_functions_shaped_as_torchs():
    x, tx = cg.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    y, ty = x * 3 + x.sin(), tx * 3 + tx.sin()
    for g, tg in ((y.grad_fn, ty.grad_fn),):
        assert len(g.next_functions) == len(tg.next_functions)
        for (n, i), (tn, ti) in zip(g.next_functions, tg.next_functions):
            assert i == ti == 0 and (n is None) == (tn is None)
    (mul, _), _ = y.grad_fn.next_functions
    (acc, _), (const, _) = mul.next_functions
    (tacc, _), (tconst, _) = ty.grad_fn.next_functions[0][0].next_functions
    assert acc.variable is x and tacc.variable is tx
    assert acc.name() == "AccumulateGrad" and tacc.name().endswith("AccumulateGrad")
    assert const is None and tconst is None
    assert y.grad_fn.name() == y.grad_fn.name and isinstance(y.grad_fn.name(), str)
    assert y.grad_fn is y.grad_fn and x.grad_fn is None


# ------------------------------------------------------------------ tutorials
def test_tensors_tutorial():
    data = [[1, 2], [3, 4]]
    x_data = cg.tensor(data)
    x_ones = cg.ones_like(x_data)
    x_rand = cg.rand_like(x_data, dtype=np.float32)
    assert x_ones.tolist() == [[1, 1], [1, 1]] and x_ones.dtype == np.int64 and x_rand.shape == (2, 2)
    shape = (2, 3)
    assert cg.rand(shape).shape == cg.ones(shape).shape == cg.zeros(shape).shape == shape
    t = cg.ones(4, 4)
    t[:, 1] = 0
    assert t.shape == (4, 4) and t.dtype == np.float64
    tt = torch.ones(4, 4, dtype=torch.float64)
    tt[:, 1] = 0
    _same(t.mul(t), tt.mul(tt))
    _same(t @ t.T, tt @ tt.T)
    _same(t.matmul(t.T), tt.matmul(tt.T))
    agg = t.sum()
    assert agg.item() == tt.sum().item() == 12.0
    t.add_(5)
    tt.add_(5)
    _same(t, tt)
    n = t.numpy()
    t.add_(1)
    assert n[0, 0] == 7.0  # shares memory, as torch's numpy()
    n2 = np.ones(5)
    t2 = cg.from_numpy(n2)
    np.add(n2, 1, out=n2)
    assert t2.tolist() == [2.0] * 5


def test_autograd_basics_tutorial():
    rng = np.random.default_rng(0)
    w0, b0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    x, y = cg.ones(5), cg.zeros(3)
    w, b = cg.tensor(w0, requires_grad=True), cg.tensor(b0, requires_grad=True)
    z = cg.matmul(x, w) + b
    loss = (cg.maximum(z, 0) - z * y + cg.log1p(cg.exp(-abs(z)))).mean()  # BCE with logits
    tx, ty = torch.ones(5, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    tw, tb = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    tz = torch.matmul(tx, tw) + tb
    tloss = torch.nn.functional.binary_cross_entropy_with_logits(tz, ty)
    assert z.grad_fn is not None and loss.grad_fn is not None
    loss.backward()
    tloss.backward()
    _same(loss, tloss)
    _same(w.grad, tw.grad)
    _same(b.grad, tb.grad)
    with cg.no_grad():
        z = cg.matmul(x, w) + b
    assert not z.requires_grad
    assert not (cg.matmul(x, w) + b).detach().requires_grad
    # gradients accumulate; zero them in place
    inp = cg.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(cg.ones_like(out), retain_graph=True)
    first = inp.grad.numpy().copy()
    out.backward(cg.ones_like(out))
    np.testing.assert_allclose(inp.grad.numpy(), 2 * first)
    inp.grad.zero_()
    out = (inp + 1).pow(2).t()
    out.backward(cg.ones_like(out))
    np.testing.assert_allclose(inp.grad.numpy(), first)


def test_polynomial_fit_with_manual_gradients_matches_torch():
    dtype = np.float32

    def fit(lib, tdtype):
        x = lib.linspace(-math.pi, math.pi, 2000, dtype=tdtype)
        y = lib.sin(x)
        a, b, c, d = (lib.tensor(v, dtype=tdtype, requires_grad=True) for v in (0.1, -0.2, 0.3, 0.05))
        lr = 1e-6
        for _ in range(100):
            y_pred = a + b * x + c * x**2 + d * x**3
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with lib.no_grad():
                a -= lr * a.grad
                b -= lr * b.grad
                c -= lr * c.grad
                d -= lr * d.grad
                a.grad = None
                b.grad = None
                c.grad.zero_()
                d.grad.zero_()
        return loss, (a, b, c, d)

    lc, pc = fit(cg, dtype)
    lt, pt = fit(torch, torch.float32)
    assert pc[0].is_leaf and pc[0].requires_grad and pc[0].dtype == np.float32
    _same(lc, lt, tol=1e-3)
    for u, v in zip(pc, pt):
        _same(u, v, tol=1e-4)


# ------------------------------------------------------------------ autograd.functional

FUNCTIONAL = [
    ("jacobian", lambda F, L, x, y: F.jacobian(lambda a: a.sin() * 2, x)),
    ("jacobian-2in", lambda F, L, x, y: F.jacobian(lambda a, b: (a * b).sum(), (x, y))),
    ("jacobian-2out", lambda F, L, x, y: F.jacobian(lambda a: (a.exp(), a * 3), x)),
    ("jacobian-22", lambda F, L, x, y: F.jacobian(lambda a, b: (a * b, a + b), (x, y))),
    ("hessian", lambda F, L, x, y: F.hessian(lambda a: (a**3).sum(), x)),
    ("hessian-2in", lambda F, L, x, y: F.hessian(lambda a, b: (a**2 * b).sum(), (x, y))),
    ("vjp", lambda F, L, x, y: F.vjp(lambda a: a**2, x, y)),
    ("vjp-scalar", lambda F, L, x, y: F.vjp(lambda a: (a**2).sum(), x)),
    ("jvp", lambda F, L, x, y: F.jvp(lambda a: a**2, x, y)),
    ("jvp-2in", lambda F, L, x, y: F.jvp(lambda a, b: a * b, (x, y), (y, x))),
    ("hvp", lambda F, L, x, y: F.hvp(lambda a: (a**3).sum(), x, y)),
    ("vhp", lambda F, L, x, y: F.vhp(lambda a: (a**3).sum(), x, y)),
    ("hvp-2in", lambda F, L, x, y: F.hvp(lambda a, b: (a**2 * b).sum(), (x, y), (y, x))),
]


@pytest.mark.parametrize("name,f", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_autograd_functional_like_torch(name, f):
    import torch.autograd.functional as TF

    import compgraph.autograd.functional as CF

    x0, y0 = np.array([0.5, 1.2, -0.3]), np.array([2.0, -1.0, 0.7])
    rc = f(CF, cg, cg.tensor(x0), cg.tensor(y0))
    rt = f(TF, torch, torch.tensor(x0), torch.tensor(y0))
    _same(rc, rt)


def test_module_to_like_torch():
    m = cg.nn.Linear(3, 2)
    w = m.weight
    assert m.to("cpu") is m and m.cpu() is m
    assert m.to(np.float32).weight.dtype == np.float32 and m.weight is w
    assert m.to("cpu", np.float64).weight.dtype == np.float64
    assert m.to(dtype=np.float32).bias.dtype == np.float32
    assert m.double().weight.dtype == np.float64 and m.float().weight.dtype == np.float32
    assert m.to(cg.ones(1)).weight.dtype == np.float64
    with pytest.raises(ValueError):
        m.to("cuda")


def test_torch_functions_with_the_tensor_first():
    c, t = cg.tensor(X), torch.tensor(X)
    _same(cg.cat([c, c], dim=1), torch.cat([t, t], dim=1))
    _same(cg.unsqueeze(c, 0), torch.unsqueeze(t, 0))
    _same(cg.permute(c, (2, 0, 1)), torch.permute(t, (2, 0, 1)))
    _same(cg.clamp(c, min=0), torch.clamp(t, min=0))
    _same(cg.bmm(c, c.transpose(1, 2)), torch.bmm(t, t.transpose(1, 2)))
    _same(cg.chunk(c, 2, 2), torch.chunk(t, 2, 2))
    _same(tuple(cg.topk(c, 2, dim=1)), tuple(torch.topk(t, 2, dim=1)))
    _same(cg.t(c[0]), torch.t(t[0]))
    _same(cg.clone(c), torch.clone(t))
    assert cg.cat.__name__ == "cat" and "unsqueeze" in cg.__all__


def test_in_place_under_no_grad_bumps_the_version_as_torch():
    for lib in (cg, torch):
        w = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = (w * w).sum()
        with lib.no_grad():
            w.mul_(2)
        with pytest.raises(RuntimeError, match="in-place|inplace"):
            y.backward()
