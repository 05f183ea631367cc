"""F.ctc_loss and nn.CTCLoss: values and gradients against PyTorch (padded and
concatenated targets, repeats, empty targets, unbatched, float32, other blanks, the
reductions, impossible alignments with and without zero_infinity), gradcheck of the
exact log_probs gradient, brute-force enumeration of alignments, static graphs, forward
mode, the refused second derivative, and the errors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg
import compgraph.nn.functional as F

torch = optional_torch()
RNG = np.random.default_rng(11)


def _problem(t=12, n=4, c=6, s=5, blank=0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((t, n, c))
    labels = [k for k in range(c) if k != blank]
    tg = rng.choice(labels, (n, s))
    tg[0, 1] = tg[0, 0]  # a repeat: the alignment needs a blank between them
    tl = rng.integers(0, s + 1, n)
    tl[0] = s
    il = rng.integers(2 * s + 1, t + 1, n)
    il[-1] = t
    return x, tg, il, tl


def _torch_loss(x, tg, il, tl, **kw):
    xt = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.ctc_loss(
        xt.log_softmax(-1), torch.tensor(tg), torch.tensor(il), torch.tensor(tl), **kw
    )
    loss.sum().backward()
    return loss.detach().numpy(), xt.grad.numpy()


def _cg_loss(x, tg, il, tl, **kw):
    xc = cg.tensor(x, requires_grad=True)
    loss = F.ctc_loss(cg.log_softmax(xc, -1), tg, il, tl, **kw)
    cg.sum(loss).backward()
    return loss.numpy(), xc.grad.numpy()


@skip_if_missing(torch)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("blank", [0, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_padded_targets_equal_torch(reduction, blank, seed):
    x, tg, il, tl = _problem(blank=blank, seed=seed)
    want, gwant = _torch_loss(x, tg, il, tl, blank=blank, reduction=reduction)
    got, ggot = _cg_loss(x, tg, il, tl, blank=blank, reduction=reduction)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ggot, gwant, rtol=1e-9, atol=1e-12)


@skip_if_missing(torch)
def test_concatenated_targets_and_tensors_equal_torch():
    x, tg, il, tl = _problem(seed=4)
    flat = np.concatenate([tg[i, : tl[i]] for i in range(len(tl))])
    want, gwant = _torch_loss(x, flat, il, tl)
    xc = cg.tensor(x, requires_grad=True)
    loss = cg.nn.CTCLoss()(
        cg.log_softmax(xc, -1), cg.tensor(flat), cg.tensor(il), tuple(int(v) for v in tl)
    )
    loss.backward()
    np.testing.assert_allclose(loss.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(xc.grad.numpy(), gwant, rtol=1e-9, atol=1e-12)


@skip_if_missing(torch)
def test_unbatched_and_float32_equal_torch():
    x, tg, il, tl = _problem(n=1, seed=5)
    want, gwant = _torch_loss(x[:, 0], tg[0], il, tl, reduction="none")
    got, ggot = _cg_loss(x[:, 0], tg[0], il, tl, reduction="none")
    assert got.shape == want.shape == ()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(ggot, gwant, rtol=1e-9, atol=1e-12)
    x32 = x.astype(np.float32)
    xt = torch.tensor(x32, requires_grad=True)
    lt = torch.nn.functional.ctc_loss(xt.log_softmax(-1), torch.tensor(tg), torch.tensor(il),
                                      torch.tensor(tl))
    lt.backward()
    xc = cg.tensor(x32, requires_grad=True)
    lc = F.ctc_loss(cg.log_softmax(xc, -1), tg, il, tl)
    lc.backward()
    assert lc.dtype == np.float32 and xc.grad.dtype == np.float32
    np.testing.assert_allclose(lc.numpy(), lt.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


@skip_if_missing(torch)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_alignments_as_torch(zero_infinity):
    # Sequence 0 needs 7 frames (1 1 1 1 with blanks between) but has 5; sequence 2 has
    # no frames and a non-empty target; sequence 3 has no frames and an empty target.
    x = RNG.standard_normal((6, 4, 4))
    tg = np.array([[1, 1, 1, 1], [1, 2, 3, 1], [2, 2, 0, 0], [0, 0, 0, 0]])
    il, tl = np.array([5, 6, 0, 0]), np.array([4, 4, 2, 0])
    for red in ("none", "sum"):
        want, gwant = _torch_loss(x, tg, il, tl, reduction=red, zero_infinity=zero_infinity)
        with np.errstate(invalid="ignore"):
            got, ggot = _cg_loss(x, tg, il, tl, reduction=red, zero_infinity=zero_infinity)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(ggot, gwant, rtol=1e-9, atol=1e-12)
    if not zero_infinity:
        assert np.isinf(got) and np.isnan(ggot).any()


@skip_if_missing(torch)
def test_log_probs_gradient_differs_from_torch_by_the_softmax_term():
    # PyTorch's backward gives exp(lp) * g - posterior; ours is the exact -posterior.
    x, tg, il, tl = _problem(seed=6)
    lp = torch.tensor(x).log_softmax(-1).detach().requires_grad_()
    torch.nn.functional.ctc_loss(lp, torch.tensor(tg), torch.tensor(il), torch.tensor(tl),
                                 reduction="sum").backward()
    lc = cg.tensor(lp.detach().numpy(), requires_grad=True)
    F.ctc_loss(lc, tg, il, tl, reduction="sum").backward()
    frames = np.arange(x.shape[0])[:, None, None] < il[None, :, None]
    np.testing.assert_allclose(lc.grad.numpy() + np.exp(lp.detach().numpy()) * frames,
                               lp.grad.numpy(), atol=1e-12)


def _brute_force(lp, target, blank):
    """-log of the summed probability of every frame labelling that collapses to target."""
    t, c = lp.shape
    total = 0.0
    for path in itertools.product(range(c), repeat=t):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == list(target):
            total += np.exp(sum(lp[i, k] for i, k in enumerate(path)))
    return -np.log(total)


@pytest.mark.parametrize("target", [(1,), (1, 1), (2, 1), (), (1, 2, 1)])
def test_equals_brute_force_enumeration(target):
    x = RNG.standard_normal((5, 3))
    lp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    got = F.ctc_loss(lp, list(target) or [0], [5], [len(target)], reduction="sum")
    assert float(got) == pytest.approx(_brute_force(lp, target, 0), rel=1e-12)


def test_gradcheck_of_the_exact_log_probs_gradient():
    x, tg, il, tl = _problem(t=7, n=3, c=4, s=3, seed=7)
    assert cg.gradcheck(lambda lp: F.ctc_loss(lp, tg, il, tl, reduction="sum"), x)
    assert cg.gradcheck(lambda z: F.ctc_loss(cg.log_softmax(z, -1), tg, il, tl), x)


def test_static_graph_and_forward_mode_agree_with_backward():
    x, tg, il, tl = _problem(t=8, n=3, c=5, s=3, seed=8)

    def loss(z):
        return F.ctc_loss(cg.log_softmax(z, -1), tg, il, tl)

    want = cg.grad(loss)(x)
    fn = cg.function(cg.value_and_grad(loss))
    value, g = fn(x)
    np.testing.assert_allclose(np.asarray(g), np.asarray(want), rtol=1e-12, atol=1e-15)
    assert float(value) == pytest.approx(float(loss(cg.tensor(x))), rel=1e-12)
    v = RNG.standard_normal(x.shape)
    _, tangent = cg.jvp(loss, (x,), (v,))
    assert float(tangent) == pytest.approx(float(np.sum(np.asarray(want) * v)), rel=1e-9)


def test_second_derivative_is_refused():
    x, tg, il, tl = _problem(t=6, n=2, c=4, s=2, seed=9)
    z = cg.tensor(x, requires_grad=True)
    loss = F.ctc_loss(cg.log_softmax(z, -1), tg, il, tl)
    (g,) = cg.autodiff.grad(loss, [z], create_graph=True)
    with pytest.raises(NotImplementedError, match="second derivative"):
        cg.sum(g * g).backward()


def test_module_options_and_repr():
    x, tg, il, tl = _problem(seed=10, blank=2)
    m = cg.nn.CTCLoss(blank=2, reduction="none", zero_infinity=True)
    assert repr(m) == "CTCLoss()"
    out = m(cg.log_softmax(cg.tensor(x), -1), tg, il, tl)
    assert out.shape == (x.shape[1],)
    np.testing.assert_allclose(
        out.numpy(),
        F.ctc_loss(cg.log_softmax(cg.tensor(x), -1), tg, il, tl, blank=2, reduction="none").numpy(),
    )


@pytest.mark.parametrize("kwargs,err,match", [
    (dict(reduction="avg"), ValueError, "reduction"),
    (dict(lp=np.zeros((4, 2, 3, 1))), ValueError, r"\(T, N, C\)"),
    (dict(lp=np.zeros((4, 2, 3), np.int64)), TypeError, "floating"),
    (dict(blank=3), ValueError, "blank 3"),
    (dict(il=[5, 4]), ValueError, "input lengths"),
    (dict(il=[4]), ValueError, "one entry per sequence"),
    (dict(tl=[-1, 1]), ValueError, ">= 0"),
    (dict(tg=[[1, 2], [1, 3]]), ValueError, r"\[0, 3\)"),
    (dict(tg=[[1.0, 2.0], [1.0, 1.0]]), TypeError, "integers"),
    (dict(tg=[1, 2, 1]), ValueError, "add up to 4"),
    (dict(tl=[3, 1]), ValueError, "exceeds"),
])
def test_errors_name_the_problem(kwargs, err, match):
    args = dict(lp=np.log(np.full((4, 2, 3), 1 / 3)), tg=[[1, 2], [1, 1]], il=[4, 4],
                tl=[2, 2], blank=0, reduction="mean")
    args.update(kwargs)
    with pytest.raises(err, match=match):
        F.ctc_loss(args["lp"], args["tg"], args["il"], args["tl"], blank=args["blank"],
                   reduction=args["reduction"])
    with pytest.raises(ValueError, match="reduction"):
        cg.nn.CTCLoss(reduction="avg")
