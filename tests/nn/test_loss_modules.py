"""The loss modules of nn/loss_modules.py and the F functions of nn/loss_fns.py against
PyTorch (float64): values and gradients of every float input for each reduction,
batched and unbatched shapes, the options, the legacy size_average/reduce flags,
repr, state_dict keys and the errors."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn
from compgraph.nn import functional as F
from compgraph.nn import loss_fns

torch = pytest.importorskip("torch")
TF = torch.nn.functional
REDS = ("mean", "sum", "none")


def _rng(seed: int = 0):
    return np.random.default_rng(seed)


def _pair(mine, theirs, args, grads, *, rtol=1e-12, atol=1e-13, seed=1):
    """Call both modules on the same NumPy arguments; compare the outputs and the
    gradients of the arguments at the positions ``grads`` (a random output gradient)."""
    args = [np.asarray(a) if isinstance(a, np.generic) else a for a in args]
    cargs = [cg.tensor(a, requires_grad=True) if i in grads else a for i, a in enumerate(args)]
    targs = [
        torch.tensor(a, requires_grad=i in grads) if isinstance(a, np.ndarray) else a
        for i, a in enumerate(args)
    ]
    y = mine(*cargs)
    yt = theirs(*targs)
    assert tuple(y.shape) == tuple(yt.shape)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    if not grads:
        return y
    g = _rng(seed).standard_normal(tuple(y.shape))
    (y * g).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    for i in grads:
        np.testing.assert_allclose(
            cargs[i].grad.numpy(), targs[i].grad.numpy(), rtol=rtol, atol=atol, err_msg=f"arg {i}"
        )
    return y


def _sign(shape, seed=3):
    return np.asarray(np.where(_rng(seed).random(shape) < 0.5, -1.0, 1.0))


def _probs(shape, seed=2):
    return np.asarray(1 / (1 + np.exp(-_rng(seed).standard_normal(shape))))


# ------------------------------------------------------------------ element-wise losses
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_bce_loss(shape):
    for red in REDS:
        x, t = _probs(shape), _rng(4).random(shape)
        _pair(nn.BCELoss(reduction=red), torch.nn.BCELoss(reduction=red), [x, t], (0, 1))
        if len(shape) >= 1:
            w = _rng(5).random(shape[-1:])
            mine = nn.BCELoss(weight=w, reduction=red)
            theirs = torch.nn.BCELoss(weight=torch.tensor(w), reduction=red)
            _pair(mine, theirs, [x, t], (0, 1))
            assert list(mine.state_dict()) == list(theirs.state_dict()) == ["weight"]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # log(0), then clamped
def test_bce_loss_log_clamp_at_the_ends():
    x = np.array([0.0, 1.0, 0.5, 1e-300])
    t = np.array([1.0, 0.0, 0.5, 1.0])
    _pair(nn.BCELoss(reduction="none"), torch.nn.BCELoss(reduction="none"), [x, t], ())


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 3, 4)])
def test_kl_div_loss(log_target, shape):
    for red in REDS + ("batchmean",):
        x = np.log(_rng(1).dirichlet(np.ones(shape[-1]), shape[:-1]))
        t = _rng(2).dirichlet(np.ones(shape[-1]), shape[:-1])
        t[..., 0] = 0.0  # xlogy's 0 log 0 = 0
        if log_target:
            t = np.log(t + 0.1)
        mine, theirs = (
            nn.KLDivLoss(reduction=red, log_target=log_target),
            torch.nn.KLDivLoss(reduction=red, log_target=log_target),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's note on reduction='mean'
            _pair(mine, theirs, [x, t], (0, 1) if log_target else (0,))


@pytest.mark.parametrize("margin", [0.0, 0.7])
@pytest.mark.parametrize("shape", [(), (7,)])
def test_margin_ranking_loss(margin, shape):
    for red in REDS:
        r = _rng(6)
        x1, x2, t = r.standard_normal(shape), r.standard_normal(shape), _sign(shape)
        mine = nn.MarginRankingLoss(margin=margin, reduction=red)
        theirs = torch.nn.MarginRankingLoss(margin=margin, reduction=red)
        _pair(mine, theirs, [x1, x2, t], (0, 1))


@pytest.mark.parametrize("margin", [1.0, 0.3])
@pytest.mark.parametrize("shape", [(), (9,), (3, 4)])
def test_hinge_embedding_loss(margin, shape):
    for red in REDS:
        x, t = _rng(7).standard_normal(shape), _sign(shape)
        mine = nn.HingeEmbeddingLoss(margin=margin, reduction=red)
        theirs = torch.nn.HingeEmbeddingLoss(margin=margin, reduction=red)
        _pair(mine, theirs, [x, t], (0,))


@pytest.mark.parametrize("shape", [(), (9,), (3, 4)])
def test_soft_margin_loss(shape):
    for red in REDS:
        x, t = _rng(8).standard_normal(shape) * 5, _sign(shape)
        _pair(
            nn.SoftMarginLoss(reduction=red), torch.nn.SoftMarginLoss(reduction=red), [x, t], (0,)
        )


@pytest.mark.parametrize("margin", [0.0, 0.4, -0.2])
@pytest.mark.parametrize("shape", [(5,), (6, 5)])
def test_cosine_embedding_loss(margin, shape):
    for red in REDS:
        r = _rng(9)
        x1, x2, t = r.standard_normal(shape), r.standard_normal(shape), _sign(shape[:-1])
        mine = nn.CosineEmbeddingLoss(margin=margin, reduction=red)
        theirs = torch.nn.CosineEmbeddingLoss(margin=margin, reduction=red)
        _pair(mine, theirs, [x1, x2, t], (0, 1))


@pytest.mark.parametrize(
    "log_input,full", [(True, False), (True, True), (False, False), (False, True)]
)
@pytest.mark.parametrize("shape", [(), (10,), (3, 4)])
def test_poisson_nll_loss(log_input, full, shape):
    for red in REDS:
        r = _rng(10)
        x = r.standard_normal(shape) if log_input else r.random(shape) * 3 + 0.05
        t = r.poisson(2.0, shape).astype(np.float64)
        if t.ndim:
            t.flat[:3] = [0.0, 1.0, 4.0][: t.size]
        kw = dict(log_input=log_input, full=full, reduction=red)
        _pair(nn.PoissonNLLLoss(**kw), torch.nn.PoissonNLLLoss(**kw), [x, t], (0,))
        kw["eps"] = 0.5
        _pair(nn.PoissonNLLLoss(**kw), torch.nn.PoissonNLLLoss(**kw), [x, t], (0,))


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize(
    "shape,vshape", [((4, 3), (4, 3)), ((4, 3), (4, 1)), ((4, 3), (4,)), ((3,), (3,)), ((3,), (1,))]
)
def test_gaussian_nll_loss(full, shape, vshape):
    for red in REDS:
        r = _rng(11)
        x, t = r.standard_normal(shape), r.standard_normal(shape)
        var = r.random(vshape) + 0.1
        var.flat[0] = 1e-8  # below eps: clamped, its gradient passing through as torch's
        mine = nn.GaussianNLLLoss(full=full, reduction=red)
        theirs = torch.nn.GaussianNLLLoss(full=full, reduction=red)
        _pair(mine, theirs, [x, t, var], (0, 1, 2), rtol=1e-10)
        _pair(mine, theirs, [x, t, 0.7], (0, 1))
        big = nn.GaussianNLLLoss(eps=0.5, reduction=red)
        _pair(big, torch.nn.GaussianNLLLoss(eps=0.5, reduction=red), [x, t, var], (0, 1, 2))


# ------------------------------------------------------------------ triplets
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("shape", [(5,), (8, 5)])
def test_triplet_margin_loss(p, swap, shape):
    for red in REDS:
        r = _rng(12)
        a, pos, neg = (r.standard_normal(shape) for _ in range(3))
        kw = dict(margin=1.5, p=p, eps=1e-4, swap=swap, reduction=red)
        _pair(
            nn.TripletMarginLoss(**kw), torch.nn.TripletMarginLoss(**kw), [a, pos, neg], (0, 1, 2)
        )


def _cos_dist_cg(x1, x2):
    return 1.0 - F.cosine_similarity(x1, x2, dim=-1)


def _cos_dist_torch(x1, x2):
    return 1.0 - TF.cosine_similarity(x1, x2, dim=-1)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("shape", [(5,), (8, 5)])
@pytest.mark.parametrize("custom", [False, True])
def test_triplet_margin_with_distance_loss(swap, shape, custom):
    for red in REDS:
        r = _rng(13)
        a, pos, neg = (r.standard_normal(shape) for _ in range(3))
        margin = 0.3 if custom else 1.0
        mine = nn.TripletMarginWithDistanceLoss(
            distance_function=_cos_dist_cg if custom else None,
            margin=margin,
            swap=swap,
            reduction=red,
        )
        theirs = torch.nn.TripletMarginWithDistanceLoss(
            distance_function=_cos_dist_torch if custom else None,
            margin=margin,
            swap=swap,
            reduction=red,
        )
        _pair(mine, theirs, [a, pos, neg], (0, 1, 2))
        y = F.triplet_margin_with_distance_loss(
            a,
            pos,
            neg,
            distance_function=_cos_dist_cg if custom else None,
            margin=margin,
            swap=swap,
            reduction=red,
        )
        yt = TF.triplet_margin_with_distance_loss(
            *map(torch.tensor, (a, pos, neg)),
            distance_function=_cos_dist_torch if custom else None,
            margin=margin,
            swap=swap,
            reduction=red,
        )
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12, atol=1e-13)


def test_triplet_with_distance_gradient_passes_at_exactly_zero_as_clamp_min():
    # distance = sum(x1 - x2): margin + d(a, p) - d(a, n) = 1 + (0 - 2) - (0 - 1) = 0
    a, pos, neg = np.zeros((1, 1)), np.full((1, 1), 2.0), np.ones((1, 1))
    mine = nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: (u - v).sum(-1))
    theirs = torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: (u - v).sum(-1))
    y = _pair(mine, theirs, [a, pos, neg], (0, 1, 2))
    assert float(y.numpy()) == 0.0


def test_triplet_with_distance_module_distance_is_a_child():
    class Scaled(nn.Module):
        def forward(self, x1, x2):
            return 2.0 * F.pairwise_distance(x1, x2)

    m = nn.TripletMarginWithDistanceLoss(distance_function=Scaled())
    assert [name for name, _ in m.named_children()] == ["distance_function"]
    r = _rng(14)
    a, pos, neg = (r.standard_normal((4, 3)) for _ in range(3))
    t = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 2.0 * TF.pairwise_distance(u, v)
    )
    _pair(m, t, [a, pos, neg], (0, 1, 2))
    assert list(m.state_dict()) == []


def test_triplet_with_distance_default_distance():
    m = nn.TripletMarginWithDistanceLoss()
    pd = getattr(nn, "PairwiseDistance", None)
    if pd is None:  # compgraph has no nn.PairwiseDistance yet: the function's default
        assert m.distance_function is None
        assert repr(m) == "TripletMarginWithDistanceLoss()"
    else:
        assert isinstance(m.distance_function, pd)
        assert repr(m) == repr(torch.nn.TripletMarginWithDistanceLoss())


# ------------------------------------------------------------------ class-index losses
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("shape", [(5,), (6, 5)])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss(p, shape, weighted):
    for red in REDS:
        r = _rng(15)
        x = r.standard_normal(shape)
        t = r.integers(0, shape[-1], shape[:-1])
        w = r.random(shape[-1]) if weighted else None
        mine = nn.MultiMarginLoss(p=p, margin=0.8, weight=w, reduction=red)
        theirs = torch.nn.MultiMarginLoss(
            p=p, margin=0.8, weight=None if w is None else torch.tensor(w), reduction=red
        )
        _pair(mine, theirs, [x, t], (0,))
        assert list(mine.state_dict()) == list(theirs.state_dict())


ML_TARGETS = {
    (5,): np.array([3, 0, -1, 1, 4]),
    (4, 5): np.array([[1, 3, -1, 0, 2], [4, 4, 2, -1, -1], [-1, 0, 0, 0, 0], [0, 1, 2, 3, 4]]),
    (): np.array(0),
}


@pytest.mark.parametrize("shape", list(ML_TARGETS))
def test_multilabel_margin_loss(shape):
    for red in REDS:
        x = _rng(16).standard_normal(shape)
        t = ML_TARGETS[shape]
        mine, theirs = (
            nn.MultiLabelMarginLoss(reduction=red),
            torch.nn.MultiLabelMarginLoss(reduction=red),
        )
        _pair(mine, theirs, [x, t], (0,))
        y = F.multilabel_margin_loss(x, t, reduction=red)
        yt = TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t), reduction=red)
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12, atol=1e-13)


def test_multilabel_margin_loss_kink_empty_batch_and_dtype():
    # z = 1 - x[target] + x[other] = 0 exactly: no gradient, as torch's (z > 0)
    x = np.array([[1.0, 0.0, 0.5], [2.0, 1.0, 1.0]])
    t = np.array([[0, -1, 2], [0, 1, -1]])
    _pair(
        nn.MultiLabelMarginLoss(reduction="sum"),
        torch.nn.MultiLabelMarginLoss(reduction="sum"),
        [x, t],
        (0,),
    )
    y = F.multilabel_margin_loss(np.zeros((0, 3)), np.zeros((0, 3), np.int64), reduction="none")
    assert y.shape == (0,)
    assert (
        float(
            F.multilabel_margin_loss(
                np.zeros((0, 3)), np.zeros((0, 3), np.int64), reduction="sum"
            ).numpy()
        )
        == 0.0
    )
    x32 = cg.tensor(np.ones((2, 3), np.float32))
    assert F.multilabel_margin_loss(x32, np.array([[0, -1, 1], [2, 1, 0]])).dtype == np.float32
    t2 = np.array([[2, 0, -1], [1, -1, 0]])
    assert cg.gradcheck(lambda v: F.multilabel_margin_loss(v, t2), _rng(0).standard_normal((2, 3)))


@pytest.mark.parametrize("shape", [(5,), (4, 5)])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(shape, weighted):
    for red in REDS:
        r = _rng(17)
        x = r.standard_normal(shape) * 3
        t = (r.random(shape) < 0.4).astype(np.float64)
        w = r.random(shape[-1]) if weighted else None
        mine = nn.MultiLabelSoftMarginLoss(weight=w, reduction=red)
        theirs = torch.nn.MultiLabelSoftMarginLoss(
            weight=None if w is None else torch.tensor(w), reduction=red
        )
        _pair(mine, theirs, [x, t], (0, 1))
        assert list(mine.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_2d(weighted):
    for red in REDS:
        r = _rng(18)
        x = np.log(r.dirichlet(np.ones(4), (2, 3, 5))).transpose(0, 3, 1, 2).copy()  # (N, C, H, W)
        t = r.integers(0, 4, (2, 3, 5))
        t[0, 0, :2] = -100
        t[1, 2, 0] = 2
        w = r.random(4) if weighted else None
        with pytest.warns(FutureWarning, match="NLLLoss2d"):
            mine = nn.NLLLoss2d(weight=w, reduction=red, ignore_index=-100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            theirs = torch.nn.NLLLoss2d(
                weight=None if w is None else torch.tensor(w), reduction=red
            )
            ig_mine = nn.NLLLoss2d(ignore_index=2, reduction=red)
            ig_theirs = torch.nn.NLLLoss2d(ignore_index=2, reduction=red)
        assert isinstance(mine, nn.NLLLoss)
        _pair(mine, theirs, [x, t], (0,))
        _pair(ig_mine, ig_theirs, [x, np.where(t < 0, 0, t)], (0,))
        assert list(mine.state_dict()) == list(theirs.state_dict())
        assert repr(mine) == repr(theirs) == "NLLLoss2d()"


# ------------------------------------------------------------------ construction
LEGACY = [
    "BCELoss",
    "KLDivLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "SoftMarginLoss",
    "CosineEmbeddingLoss",
    "TripletMarginLoss",
    "PoissonNLLLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "NLLLoss2d",
]
ALL = LEGACY + ["TripletMarginWithDistanceLoss", "GaussianNLLLoss"]


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("size_average", [None, True, False])
@pytest.mark.parametrize("reduce", [None, True, False])
def test_legacy_size_average_and_reduce_flags(name, size_average, reduce):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        mine = getattr(nn, name)(size_average=size_average, reduce=reduce, reduction="sum")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn, name)(size_average=size_average, reduce=reduce, reduction="sum")
    assert mine.reduction == theirs.reduction
    legacy = [w for w in seen if "size_average and reduce" in str(w.message)]
    assert len(legacy) == (size_average is not None or reduce is not None)
    assert all(w.filename == __file__ for w in legacy)  # points at the caller


@pytest.mark.parametrize("name", ALL)
def test_signatures_repr_and_state_dict_as_torch(name):
    mine, theirs = getattr(nn, name), getattr(torch.nn, name)
    ps = list(inspect.signature(mine.__init__).parameters.values())
    pt = list(inspect.signature(theirs.__init__).parameters.values())
    assert [(p.name, p.kind, p.default) for p in ps] == [(p.name, p.kind, p.default) for p in pt]
    fs = list(inspect.signature(mine.forward).parameters)
    ft = list(inspect.signature(theirs.forward).parameters)
    assert fs == ft
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        m, t = mine(), theirs()
    if name != "TripletMarginWithDistanceLoss":
        assert repr(m) == repr(t) == f"{name}()"
    assert list(m.state_dict()) == list(t.state_dict()) == []
    assert m.reduction == t.reduction == "mean"
    for attr in ("margin", "p", "eps", "swap", "log_input", "full", "log_target", "ignore_index"):
        if hasattr(t, attr):
            assert getattr(m, attr) == getattr(t, attr), attr
    m.eval()
    assert not m.training


def test_weight_buffer_follows_to_and_load_state_dict():
    m = nn.MultiLabelSoftMarginLoss(weight=np.ones(3))
    m.load_state_dict({"weight": np.array([1.0, 2.0, 3.0])})
    np.testing.assert_array_equal(m.weight, [1.0, 2.0, 3.0])
    m.to("float32")
    assert m.weight.dtype == np.float32
    m2 = nn.BCELoss(weight=cg.tensor([0.5, 2.0]))
    assert isinstance(m2.weight, np.ndarray)


def test_f_functions_are_in_functional():
    assert F.multilabel_margin_loss is loss_fns.multilabel_margin_loss
    assert F.triplet_margin_with_distance_loss is loss_fns.triplet_margin_with_distance_loss
    x, t = _rng(19).standard_normal((3, 4)), np.array([[0, 1, -1, 0]] * 3)
    y = F.multilabel_margin_loss(x, t, size_average=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t), size_average=False)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12)
    y = F.multilabel_margin_loss(x, t, reduce=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t), reduce=False)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12)
    assert y.shape == (3,)


# ------------------------------------------------------------------ errors
def test_construction_errors():
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="TripletMarginLoss.*margin"):
            nn.TripletMarginLoss(margin=bad)
        with pytest.raises(ValueError, match="TripletMarginWithDistanceLoss.*margin"):
            nn.TripletMarginWithDistanceLoss(margin=bad)
    with pytest.raises(ValueError, match="MultiMarginLoss.*p == 1"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="MultiMarginLoss.*1D"):
        nn.MultiMarginLoss(weight=np.ones((2, 2)))
    with pytest.raises(ValueError, match="BCELoss: reduction"):
        nn.BCELoss(reduction="batchmean")
    with pytest.raises(ValueError, match="GaussianNLLLoss: reduction"):
        nn.GaussianNLLLoss(reduction="avg")
    with pytest.raises(TypeError, match="distance_function must be callable"):
        nn.TripletMarginWithDistanceLoss(distance_function=3)
    with pytest.raises(TypeError):
        nn.GaussianNLLLoss(True)  # keyword-only, as torch's
    nn.KLDivLoss(reduction="batchmean")


def test_multilabel_margin_loss_errors():
    x = np.zeros((2, 4))
    with pytest.raises(ValueError, match=r"multilabel_margin_loss.*\[-1, 4\).*got 4"):
        F.multilabel_margin_loss(x, np.array([[4, -1, 0, 0], [0, 0, 0, 0]]))
    with pytest.raises(ValueError, match=r"\[-1, 4\).*got -2"):
        F.multilabel_margin_loss(x, np.array([[0, -1, -2, 0], [0, 0, 0, 0]]))
    with pytest.raises(ValueError, match=r"target must have the input's shape \(2, 4\)"):
        F.multilabel_margin_loss(x, np.zeros((2, 3), np.int64))
    with pytest.raises(TypeError, match="integer class indices.*float64"):
        F.multilabel_margin_loss(x, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"non-empty.*\(2, 2, 2\)"):
        nn.MultiLabelMarginLoss()(np.zeros((2, 2, 2)), np.zeros((2, 2, 2), np.int64))
    with pytest.raises(ValueError, match=r"non-empty.*\(2, 0\)"):
        F.multilabel_margin_loss(np.zeros((2, 0)), np.zeros((2, 0), np.int64))
    with pytest.raises(ValueError, match="reduction"):
        F.multilabel_margin_loss(x, np.zeros((2, 4), np.int64), reduction="avg")


def test_triplet_margin_with_distance_loss_errors():
    a = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"anchor 2D, positive 1D, and negative 2D"):
        F.triplet_margin_with_distance_loss(a, np.zeros(3), a)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(a, a, a, margin=0.0)
    with pytest.raises(ValueError, match="reduction"):
        F.triplet_margin_with_distance_loss(a, a, a, reduction="batchmean")
    with pytest.raises(TypeError):
        F.triplet_margin_with_distance_loss(a, a, a, None)  # keyword-only, as torch's


# ------------------------------------------------------------------ target gradients
def test_target_gradients_where_torch_has_them():
    r = _rng(20)
    x = np.log(r.dirichlet(np.ones(4), 3))
    t = r.dirichlet(np.ones(4), 3)  # no zeros: d/dt of t log t is finite
    _pair(nn.KLDivLoss(reduction="sum"), torch.nn.KLDivLoss(reduction="sum"), [x, t], (0, 1))
    x, t = r.standard_normal((3, 4)), r.random((3, 4)) * 3
    for log_input in (True, False):
        xi = x if log_input else np.abs(x) + 0.1
        mine = nn.PoissonNLLLoss(log_input=log_input, reduction="sum")
        theirs = torch.nn.PoissonNLLLoss(log_input=log_input, reduction="sum")
        _pair(mine, theirs, [xi, t], (0, 1))
    _pair(
        nn.MultiLabelSoftMarginLoss(),
        torch.nn.MultiLabelSoftMarginLoss(),
        [x, r.random((3, 4))],
        (0, 1),
    )


def test_poisson_nll_loss_full_target_gradient():
    r = _rng(21)
    x, t = r.standard_normal((3, 4)), r.random((3, 4)) * 3 + 0.5
    mine = nn.PoissonNLLLoss(full=True, reduction="sum")
    theirs = torch.nn.PoissonNLLLoss(full=True, reduction="sum")
    _pair(mine, theirs, [x, t], (0, 1))


# inputs torch refuses: ValueError here (torch's RuntimeError)
REFUSED = {
    "bce input outside [0, 1]": lambda: nn.BCELoss()(np.array([1.5, -0.2]), np.array([1.0, 0.0])),
    "margin_ranking_loss dims differ": lambda: nn.MarginRankingLoss()(
        np.ones(3), np.ones((3, 1)), np.ones(3)
    ),
    "cosine_embedding_loss 3-D input": lambda: nn.CosineEmbeddingLoss()(
        np.ones((2, 2, 3)), np.ones((2, 2, 3)), np.ones((2, 2))
    ),
    "triplet_margin_loss dims differ": lambda: nn.TripletMarginLoss()(
        np.ones((2, 3)), np.ones(3), np.ones((2, 3))
    ),
    "gaussian_nll_loss negative var": lambda: nn.GaussianNLLLoss()(
        np.ones((2, 3)), np.ones((2, 3)), -np.ones((2, 3))
    ),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log of a negative
@pytest.mark.parametrize("case", list(REFUSED))
def test_inputs_torch_refuses(case):
    with pytest.raises(ValueError, match="between 0 and 1|same number|expects|negative"):
        REFUSED[case]()


def test_gaussian_nll_loss_var_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="var is of incorrect size"):
        nn.GaussianNLLLoss()(np.ones((3, 4)), np.ones((3, 4)), np.ones((2, 4)))


def test_bce_at_exact_zero_and_one_gives_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = nn.BCELoss(reduction="none")(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0])
