"""F.multi_head_attention_forward, F.linear_cross_entropy, nn.LinearCrossEntropyLoss and
nn.AdaptiveLogSoftmaxWithLoss against PyTorch (float64): the same NumPy data in both
libraries gives the same values and the same gradients for every parameter and input."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import compgraph as cg
import compgraph.nn.functional as F
from compgraph import nn

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny problems: threads only spin on a loaded machine
TF = torch.nn.functional

TOL = dict(rtol=1e-7, atol=1e-10)


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _both(arrays, grad=True):
    """The same arrays as torch and compgraph tensors (floats with gradients)."""
    t, c = {}, {}
    for k, a in arrays.items():
        if a is None:
            t[k] = c[k] = None
            continue
        g = grad and a.dtype.kind == "f"
        t[k] = torch.tensor(a, requires_grad=g)
        c[k] = cg.tensor(a, requires_grad=g)
    return t, c


def _check(touts, couts, tins, cins, seed=0):
    """Equal outputs, then equal gradients of a random projection of them."""
    touts = [o for o in touts if o is not None]
    couts = [o for o in couts if o is not None]
    assert len(touts) == len(couts)
    rng = np.random.default_rng(seed)
    ws = []
    for t, c in zip(touts, couts, strict=True):
        assert tuple(c.shape) == tuple(t.shape)
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **TOL)
        ws.append(rng.standard_normal(tuple(t.shape)))
    # the finite parts only: a fully masked row is NaN in both
    tl = sum((torch.nan_to_num(t * torch.tensor(w))).sum() for t, w in zip(touts, ws))
    tl.backward()
    cl = None
    for c, w in zip(couts, ws, strict=True):
        term = cg.sum(cg.where(np.isnan(c.numpy()), 0.0, c * w))
        cl = term if cl is None else cl + term
    cl.backward()
    checked = 0
    for k, t in tins.items():
        if t is None or not t.requires_grad:
            continue
        tg = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        cgrad = cins[k].grad
        cgrad = np.zeros(t.shape) if cgrad is None else cgrad
        np.testing.assert_allclose(cgrad, tg, **TOL, err_msg=k)
        checked += 1
    assert checked


# ------------------------------------------------------------------ multi_head_attention_forward
ORDER = (
    "query key value embed_dim_to_check num_heads in_proj_weight in_proj_bias bias_k bias_v "
    "add_zero_attn dropout_p out_proj_weight out_proj_bias"
).split()


def _mha_arrays(
    rng,
    L=4,
    S=5,
    N=2,
    E=6,
    H=2,
    batched=True,
    kdim=None,
    vdim=None,
    bias=True,
    bias_kv=False,
    separate=False,
):
    kdim, vdim = kdim or E, vdim or E
    lead_q, lead_s = ((L, N) if batched else (L,)), ((S, N) if batched else (S,))
    a = dict(query=_x(rng, *lead_q, E), key=_x(rng, *lead_s, kdim), value=_x(rng, *lead_s, vdim))
    if separate:
        a.update(
            q_proj_weight=_x(rng, E, E),
            k_proj_weight=_x(rng, E, kdim),
            v_proj_weight=_x(rng, E, vdim),
            in_proj_weight=None,
        )
    else:
        a["in_proj_weight"] = _x(rng, 3 * E, E) * 0.5
    a["in_proj_bias"] = _x(rng, 3 * E) if bias else None
    a["bias_k"] = _x(rng, 1, 1, E) if bias_kv else None
    a["bias_v"] = _x(rng, 1, 1, E) if bias_kv else None
    a["out_proj_weight"] = _x(rng, E, E)
    a["out_proj_bias"] = _x(rng, E) if bias else None
    return a


def _call_mha(fn, t, E, H, zero_attn=False, share=None, **kw):
    """``fn`` with tensors ``t`` (a dict); ``share``: 'qkv' or 'kv' passes one object."""
    t = dict(t)
    if share == "qkv":
        t["key"] = t["value"] = t["query"]
    elif share == "kv":
        t["value"] = t["key"]
    args = [t.get(n) for n in ORDER]
    args[3], args[4], args[9], args[10] = E, H, zero_attn, 0.0
    for n in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
        if n in t and t[n] is not None:
            kw[n] = t[n]
            kw["use_separate_proj_weight"] = True
    for n in ("key_padding_mask", "attn_mask", "static_k", "static_v"):
        if n in t and t[n] is not None:
            kw[n] = t[n]
    return fn(*args, **kw)


def _mha_compare(arrays, E=6, H=2, zero_attn=False, share=None, seed=0, **kw):
    tin, cin = _both(arrays)
    tout = _call_mha(TF.multi_head_attention_forward, tin, E, H, zero_attn, share, **kw)
    cout = _call_mha(F.multi_head_attention_forward, cin, E, H, zero_attn, share, **kw)
    if not kw.get("need_weights", True):
        assert tout[1] is None and cout[1] is None
    _check(list(tout), list(cout), tin, cin, seed)
    return cout


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("share", [None, "qkv", "kv"])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_plain(batched, share, need_weights, average):
    rng = np.random.default_rng(1)
    S = 4 if share == "qkv" else 5
    a = _mha_arrays(rng, L=4, S=S, batched=batched)
    out, w = _mha_compare(a, share=share, need_weights=need_weights, average_attn_weights=average)
    if need_weights:
        assert w.shape == ((2,) if batched else ()) + ((2,) if not average else ()) + (4, S)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_mha_masks(batched, need_weights, kind):
    rng = np.random.default_rng(2)
    L, S, N, H = 4, 5, 2, 2
    a = _mha_arrays(rng, L, S, N, H=H, batched=batched)
    if kind == "bool":
        am = rng.random((L, S)) < 0.3
        am[:, 0] = False  # every query row keeps a key
        kpm = np.zeros((N, S), bool)
        kpm[1, -2:] = True
    else:  # float masks get gradients, as torch's
        am = _x(rng, N * H if batched else H, L, S)
        kpm = _x(rng, N, S)
    a["attn_mask"], a["key_padding_mask"] = am, kpm if batched else kpm[0]
    _mha_compare(a, need_weights=need_weights)
    a["key_padding_mask"] = None  # either alone
    _mha_compare(a, need_weights=need_weights, average_attn_weights=False)
    del a["attn_mask"]
    a["key_padding_mask"] = kpm if batched else kpm[0]
    _mha_compare(a, need_weights=need_weights)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the NaN row
def test_mha_fully_masked_row_nan_or_zero_as_torch():
    rng = np.random.default_rng(3)
    a = _mha_arrays(rng, L=3, S=3, bias=False)
    am = np.zeros((3, 3), bool)
    am[0] = True  # the first query sees no key
    a["attn_mask"] = am
    out, _ = _mha_compare(a, need_weights=True)
    assert np.isnan(out.numpy()[0]).all()
    out, _ = _mha_compare(a, need_weights=False)
    np.testing.assert_array_equal(out.numpy()[0], 0.0)
    fm = _x(rng, 3, 3)
    fm[1] = -np.inf  # a float mask too, with its gradient
    a["attn_mask"] = fm
    out, _ = _mha_compare(a, need_weights=False)
    np.testing.assert_array_equal(out.numpy()[1], 0.0)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_kpm", [False, True])
def test_mha_is_causal(need_weights, with_kpm):
    rng = np.random.default_rng(4)
    a = _mha_arrays(rng, L=4, S=4)
    # is_causal is a hint that needs the mask; torch swaps in its own causal mask
    # without weights or padding mask, so a different mask shows which one was used
    a["attn_mask"] = np.triu(np.ones((4, 4), bool), 2)
    if with_kpm:
        a["key_padding_mask"] = np.array([[False] * 4, [False] * 3 + [True]])
    _mha_compare(a, need_weights=need_weights, is_causal=True)
    a["bias_k"], a["bias_v"] = _x(rng, 1, 1, 6), _x(rng, 1, 1, 6)
    _mha_compare(a, need_weights=need_weights, is_causal=True, zero_attn=True)
    del a["attn_mask"]
    with pytest.raises(RuntimeError, match="is_causal"):
        _call_mha(F.multi_head_attention_forward, _both(a)[1], 6, 2, is_causal=True)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("zero_attn", [False, True])
def test_mha_bias_kv_and_zero_attn(batched, need_weights, zero_attn):
    rng = np.random.default_rng(5)
    a = _mha_arrays(rng, batched=batched, bias_kv=True)
    a["attn_mask"] = rng.random((4, 5)) < 0.3
    kpm = np.zeros((2, 5), bool)
    kpm[0, 1] = True
    a["key_padding_mask"] = kpm if batched else kpm[0]
    out, w = _mha_compare(a, zero_attn=zero_attn, need_weights=need_weights)
    if need_weights:
        assert w.shape[-1] == 5 + 1 + zero_attn
    _mha_compare({**a, "bias_k": None, "bias_v": None}, zero_attn=True, need_weights=need_weights)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_mha_separate_projection_weights(batched, bias):
    rng = np.random.default_rng(6)
    a = _mha_arrays(rng, kdim=3, vdim=7, separate=True, bias=bias, batched=batched)
    _mha_compare(a)
    _mha_compare(a, need_weights=False)
    a = _mha_arrays(rng, separate=True, bias=bias, bias_kv=True, batched=batched)
    _mha_compare(a, zero_attn=True, average_attn_weights=False)


def test_mha_static_k_v():
    rng = np.random.default_rng(7)
    a = _mha_arrays(rng, L=4, S=5, N=2, E=6, H=2)
    a["static_k"], a["static_v"] = _x(rng, 4, 5, 3), _x(rng, 4, 5, 3)
    a["key_padding_mask"] = np.array([[False] * 5, [False] * 4 + [True]])
    _mha_compare(a)
    _mha_compare(a, zero_attn=True, need_weights=False)
    _mha_compare({**a, "static_v": None})
    bad = {**a, "static_k": _x(rng, 3, 5, 3)}
    with pytest.raises(ValueError, match="static_k"):
        _call_mha(F.multi_head_attention_forward, _both(bad)[1], 6, 2)


def test_mha_equals_the_module():
    """F.multi_head_attention_forward with a MultiheadAttention's parameters gives what
    the module gives (outputs, weights and every gradient)."""
    rng = np.random.default_rng(8)
    for kw in ({}, dict(add_bias_kv=True, add_zero_attn=True), dict(kdim=3, vdim=5, bias=False)):
        m = nn.MultiheadAttention(6, 3, seed=0, **kw)
        q, k, v = (
            _x(rng, 4, 2, 6),
            _x(rng, 5, 2, kw.get("kdim", 6)),
            _x(rng, 5, 2, kw.get("vdim", 6)),
        )
        kpm = np.array([[False] * 5, [True] + [False] * 4])
        am = rng.random((4, 5)) < 0.2
        am[:, -1] = False
        results = []
        for use_fn in (False, True):
            m.zero_grad()
            ct = [cg.tensor(x, requires_grad=True) for x in (q, k, v)]
            if use_fn:
                out, w = F.multi_head_attention_forward(
                    *ct,
                    6,
                    3,
                    m.in_proj_weight,
                    m.in_proj_bias,
                    m.bias_k,
                    m.bias_v,
                    m.add_zero_attn,
                    0.0,
                    m.out_proj.weight,
                    m.out_proj.bias,
                    key_padding_mask=kpm,
                    attn_mask=am,
                    use_separate_proj_weight=not m._qkv_same_embed_dim,
                    q_proj_weight=m.q_proj_weight,
                    k_proj_weight=m.k_proj_weight,
                    v_proj_weight=m.v_proj_weight,
                    average_attn_weights=False,
                )
            else:
                out, w = m(*ct, key_padding_mask=kpm, attn_mask=am, average_attn_weights=False)
            (cg.sum(out * out) + cg.sum(w * w)).backward()
            grads = [x.grad for x in ct] + [p.grad for p in m.parameters()]
            results.append((out.numpy(), w.numpy(), grads))
        (o1, w1, g1), (o2, w2, g2) = results
        np.testing.assert_allclose(o2, o1, **TOL)
        np.testing.assert_allclose(w2, w1, **TOL)
        for a, b in zip(g2, g1, strict=True):
            np.testing.assert_allclose(a, b, **TOL)


def test_mha_dropout():
    rng = np.random.default_rng(9)
    a = _mha_arrays(rng)
    _, c = _both(a, grad=False)
    args = [c.get(n) for n in ORDER]
    args[3], args[4], args[9] = 6, 2, False
    plain = F.multi_head_attention_forward(*args[:10], 0.0, *args[11:])
    args[10] = 0.5
    evald = F.multi_head_attention_forward(*args, training=False)
    for x, y in zip(plain, evald, strict=True):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    o1, w1 = F.multi_head_attention_forward(
        *args, average_attn_weights=False, generator=np.random.default_rng(0)
    )
    o2, w2 = F.multi_head_attention_forward(
        *args, average_attn_weights=False, generator=np.random.default_rng(0)
    )
    np.testing.assert_array_equal(o1.numpy(), o2.numpy())
    # the returned weights are the dropped ones, as torch's: zeros, or 2x the plain ones
    pw = F.multi_head_attention_forward(*args[:10], 0.0, *args[11:], average_attn_weights=False)[1]
    dropped = w1.numpy() == 0
    assert dropped.any() and not dropped.all()
    np.testing.assert_allclose(w1.numpy()[~dropped], 2 * pw.numpy()[~dropped])
    assert not np.allclose(o1.numpy(), plain[0].numpy())
    with pytest.raises(ValueError, match="dropout probability"):
        args[10] = 1.5
        F.multi_head_attention_forward(*args)


def test_mha_errors():
    rng = np.random.default_rng(10)
    a = _mha_arrays(rng)
    _, c = _both(a, grad=False)
    f = F.multi_head_attention_forward

    def call(**kw):
        return _call_mha(f, {**c, **kw.pop("t", {})}, kw.pop("E", 6), kw.pop("H", 2), **kw)

    with pytest.raises(ValueError, match="embedding dimension"):
        call(E=8)
    with pytest.raises(ValueError, match="not divisible"):
        call(H=4)
    with pytest.raises(ValueError, match="3D"):
        call(t=dict(query=cg.ones((2, 2, 4, 6))))
    with pytest.raises(ValueError, match="key and value"):
        call(t=dict(key=cg.ones((5, 6))))
    with pytest.raises(ValueError, match="does not match value"):
        call(t=dict(value=cg.ones((4, 2, 6))))
    with pytest.raises(RuntimeError, match="attn_mask"):
        call(t=dict(attn_mask=np.zeros((4, 4), bool)))
    with pytest.raises(RuntimeError, match="attn_mask"):
        call(t=dict(attn_mask=np.zeros((3, 4, 5), bool)))
    with pytest.raises(ValueError, match="attn_mask"):
        call(t=dict(attn_mask=np.zeros((1, 2, 4, 5), bool)))
    with pytest.raises(ValueError, match="key_padding_mask"):
        call(t=dict(key_padding_mask=np.zeros((2, 4), bool)))
    with pytest.raises(ValueError, match="key_padding_mask"):
        call(t=dict(key_padding_mask=np.zeros(5, bool)))
    with pytest.raises(TypeError, match="attn_mask"):
        call(t=dict(attn_mask=np.zeros((4, 5), int)))
    with pytest.raises(ValueError, match="bias_k"):
        call(t=dict(bias_k=cg.ones((1, 1, 6))))
    with pytest.raises(ValueError, match="in_proj_weight is None"):
        call(t=dict(in_proj_weight=None))


# ------------------------------------------------------------------ linear_cross_entropy
def _lce_case(rng, batched, out_features, probs, bias, C=4, IN=5, N=3):
    lead = (N,) if batched else ()
    a = dict(input=_x(rng, *lead, IN), linear_weight=_x(rng, C, *out_features, IN))
    a["linear_bias"] = _x(rng, C, *out_features) if bias else None
    if probs:
        p = rng.random(lead + (C,) + out_features)
        a["target"] = p / p.sum(axis=len(lead), keepdims=True)
    else:
        a["target"] = rng.integers(0, C, lead + out_features)
    return a


def _lce_compare(a, **kw):
    tin, cin = _both(a)
    tkw, ckw = dict(kw), dict(kw)
    if kw.get("weight") is not None:
        tkw["weight"] = torch.tensor(kw["weight"])
    tout = TF.linear_cross_entropy(
        tin["input"], tin["linear_weight"], tin["target"], linear_bias=tin["linear_bias"], **tkw
    )
    cout = F.linear_cross_entropy(
        cin["input"], cin["linear_weight"], cin["target"], linear_bias=cin["linear_bias"], **ckw
    )
    _check([tout], [cout], tin, cin)
    return cout


@pytest.mark.parametrize("batched,out_features", [(True, ()), (False, ()), (True, (2, 3))])
@pytest.mark.parametrize("probs", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_linear_cross_entropy(batched, out_features, probs, reduction):
    rng = np.random.default_rng(11)
    a = _lce_case(rng, batched, out_features, probs, bias=True)
    w = rng.random(4) + 0.5
    _lce_compare(a, reduction=reduction)
    _lce_compare({**a, "linear_bias": None}, reduction=reduction, weight=w, label_smoothing=0.2)
    if not probs and batched:
        t = a["target"].copy()
        t.flat[::2] = 2  # an ignored class, weighted and smoothed too
        _lce_compare({**a, "target": t}, reduction=reduction, ignore_index=2)
        _lce_compare(
            {**a, "target": t}, reduction=reduction, ignore_index=2, weight=w, label_smoothing=0.1
        )


def test_linear_cross_entropy_options_give_the_same_values():
    rng = np.random.default_rng(12)
    a = _lce_case(rng, True, (), False, bias=True, N=8)
    opts = nn.LinearCrossEntropyOptions(batch_chunk_size=2, chunking_method=None)
    topts = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2, chunking_method=None)
    tin, cin = _both(a)
    for red in ("mean", "sum", "none"):
        t = TF.linear_cross_entropy(
            tin["input"],
            tin["linear_weight"],
            tin["target"],
            linear_bias=tin["linear_bias"],
            reduction=red,
            options=topts,
        )
        c = F.linear_cross_entropy(
            cin["input"],
            cin["linear_weight"],
            cin["target"],
            linear_bias=cin["linear_bias"],
            reduction=red,
            options=opts,
        )
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **TOL)


def test_linear_cross_entropy_errors():
    rng = np.random.default_rng(13)
    x, w = cg.tensor(_x(rng, 3, 5)), cg.tensor(_x(rng, 4, 5))
    t = cg.tensor(np.array([0, 1, 3]))
    f = F.linear_cross_entropy
    with pytest.raises(RuntimeError, match="1 or 2 dimensions"):
        f(cg.ones((2, 3, 5)), w, t)
    with pytest.raises(RuntimeError, match="at least 2"):
        f(x, cg.ones(5), t)
    with pytest.raises(RuntimeError, match="in_features"):
        f(x, cg.ones((4, 6)), t)
    with pytest.raises(RuntimeError, match="linear_bias"):
        f(x, w, t, linear_bias=cg.ones(3))
    with pytest.raises(RuntimeError, match="batched"):
        f(cg.ones(5), cg.ones((4, 2, 5)), cg.tensor(np.array([0, 1])))
    with pytest.raises(RuntimeError, match="ignore_index"):
        f(x, w, cg.ones((3, 4)) / 4, ignore_index=-100)
    with pytest.raises(IndexError, match="out of bounds"):
        f(x, w, cg.tensor(np.array([0, 4, 1])))
    with pytest.raises(ValueError, match="target"):
        f(x, w, cg.tensor(np.array([0, 1])))
    with pytest.raises(ValueError, match="reduction"):
        f(x, w, t, reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        f(x, w, t, label_smoothing=1.5)
    with pytest.raises(ValueError, match="weight"):
        f(x, w, t, weight=np.ones(3))


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(bias=True, reduction="sum", label_smoothing=0.1),
        dict(out_features=(2, 3), bias=True, weight=np.array([1.0, 2.0, 0.5, 1.5])),
        dict(ignore_index=1, reduction="none"),
    ],
)
def test_linear_cross_entropy_loss_module(kw):
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    torch.manual_seed(0)
    tm = torch.nn.LinearCrossEntropyLoss(5, 4, dtype=torch.float64, **tkw)
    cm = nn.LinearCrossEntropyLoss(5, 4, seed=0, **kw)
    assert list(cm.state_dict()) == list(tm.state_dict())
    assert repr(cm) == repr(tm)
    cm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(14)
    of = kw.get("out_features", ())
    for lead in [(3,), ()] if not of else [(3,)]:
        x, y = _x(rng, *lead, 5), rng.integers(0, 4, lead + of)
        tx, cx = torch.tensor(x, requires_grad=True), cg.tensor(x, requires_grad=True)
        tout, cout = tm(tx, torch.tensor(y)), cm(cx, cg.tensor(y))
        tin = {"x": tx, **dict(tm.named_parameters())}
        cin = {"x": cx, **dict(cm.named_parameters())}
        for p in (*tm.parameters(), tx):
            p.grad = None
        cm.zero_grad()
        _check([tout], [cout], tin, cin)


def test_linear_cross_entropy_loss_module_options_and_errors():
    opts = nn.LinearCrossEntropyOptions(
        batch_chunk_size=4, chunking_method=None, acc_policy="compact"
    )
    topts = torch.nn.LinearCrossEntropyOptions(
        batch_chunk_size=4, chunking_method=None, acc_policy="compact"
    )
    assert repr(opts) == repr(topts)
    m = nn.LinearCrossEntropyLoss(5, 4, options=opts)
    assert m.options is opts and "options=LinearCrossEntropyOptions(" in repr(m)
    assert [f.name for f in dataclasses.fields(opts)] == [f.name for f in dataclasses.fields(topts)]
    assert repr(nn.LinearCrossEntropyOptions()) == repr(torch.nn.LinearCrossEntropyOptions())
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.acc_policy = "auto"  # type: ignore[misc]
    for bad in (
        dict(acc_policy="fast"),
        dict(chunking_method="square"),
        dict(chunking_method="aspect_ratio:0"),
        dict(batch_chunk_size=0),
        dict(acc_dtype="int32"),
    ):
        with pytest.raises(ValueError):
            torch.nn.LinearCrossEntropyOptions(**bad)
        with pytest.raises(ValueError, match="LinearCrossEntropyOptions"):
            nn.LinearCrossEntropyOptions(**bad)
    nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:2", acc_dtype="float32")
    with pytest.raises(RuntimeError, match="weight shape"):
        nn.LinearCrossEntropyLoss(5, 4, weight=np.ones(3))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        nn.LinearCrossEntropyLoss(5, 4, label_smoothing=-0.1)
    with pytest.raises(TypeError, match="options"):
        nn.LinearCrossEntropyLoss(5, 4, options={"batch_chunk_size": 2})
    with pytest.raises(ValueError, match="reduction"):
        nn.LinearCrossEntropyLoss(5, 4, reduction="avg")


# ------------------------------------------------------------------ AdaptiveLogSoftmaxWithLoss
def _asm_pair(*args, **kw):
    torch.manual_seed(0)
    with warnings.catch_warnings():  # torch's about a zero-size tail (in // div_value**i = 0)
        warnings.filterwarnings("ignore", "Initializing zero-element", UserWarning)
        tm = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, dtype=torch.float64, **kw)
    cm = nn.AdaptiveLogSoftmaxWithLoss(*args, seed=0, **kw)
    assert [(k, v.shape) for k, v in cm.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in tm.state_dict().items()
    ]
    assert repr(cm) == repr(tm)
    cm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return tm, cm


@pytest.mark.parametrize(
    "args,kw",
    [
        ((8, 10, [3, 6]), dict(div_value=2.0)),
        ((6, 12, [2, 5, 9]), dict(head_bias=True)),
        ((5, 4, [3]), {}),
    ],
)
def test_adaptive_log_softmax(args, kw):
    tm, cm = _asm_pair(*args, **kw)
    rng = np.random.default_rng(15)
    n_classes = args[1]
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, 5)])
    x = _x(rng, y.size, args[0])
    tx, cx = torch.tensor(x, requires_grad=True), cg.tensor(x, requires_grad=True)
    tout, cout = tm(tx, torch.tensor(y)), cm(cx, cg.tensor(y))
    assert type(cout).__name__ == "_ASMoutput" and cout._fields == tout._fields == (
        "output",
        "loss",
    )
    _check(
        list(tout),
        list(cout),
        {"x": tx, **dict(tm.named_parameters())},
        {"x": cx, **dict(cm.named_parameters())},
    )
    # a batch from the shortlist only, and from one cluster only
    for sel in (y < cm.shortlist_size, y >= cm.cutoffs[-2]):
        tout = tm(torch.tensor(x[sel]), torch.tensor(y[sel]))
        cout = cm(cg.tensor(x[sel]), cg.tensor(y[sel]))
        for t, c in zip(tout, cout, strict=True):
            np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **TOL)
    # unbatched: a 0-d target, 0-d output and loss
    tout, cout = (
        tm(torch.tensor(x[-1]), torch.tensor(y[-1])),
        cm(cg.tensor(x[-1]), cg.tensor(y[-1])),
    )
    for t, c in zip(tout, cout, strict=True):
        assert c.shape == ()
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **TOL)
    # log_prob: values and gradients
    tx, cx = torch.tensor(x, requires_grad=True), cg.tensor(x, requires_grad=True)
    for p in tm.parameters():
        p.grad = None
    cm.zero_grad()
    tl, cl = tm.log_prob(tx), cm.log_prob(cx)
    np.testing.assert_allclose(np.exp(cl.numpy()).sum(1), 1.0, **TOL)
    _check(
        [tl],
        [cl],
        {"x": tx, **dict(tm.named_parameters())},
        {"x": cx, **dict(cm.named_parameters())},
    )
    np.testing.assert_array_equal(
        cm.predict(cg.tensor(x)).numpy(), tm.predict(torch.tensor(x)).numpy()
    )


def test_adaptive_predict_shortlist_clusters_and_mixed():
    tm, cm = _asm_pair(4, 10, [3, 6])
    # the head's 4th logit (the first cluster) follows u: +u rows go to a cluster
    head = np.zeros((5, 4))
    head[3] = [5.0, 0.0, 0.0, 0.0]
    with torch.no_grad():
        tm.head.weight.copy_(torch.tensor(head))
    cm.head.weight.data[...] = head
    rng = np.random.default_rng(16)
    base = _x(rng, 6, 4) * 0.1
    for signs in ([1] * 6, [-1] * 6, [1, -1, 1, -1, -1, 1]):
        x = base.copy()
        x[:, 0] = np.array(signs) * 3.0
        got = cm.predict(cg.tensor(x)).numpy()
        np.testing.assert_array_equal(got, tm.predict(torch.tensor(x)).numpy())
        assert ((got >= 3) == (np.array(signs) > 0)).all()


def test_adaptive_reset_parameters_and_seed():
    a = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], seed=3)
    b = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], seed=3)
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        np.testing.assert_array_equal(v, w, err_msg=k)
    before = {k: v.copy() for k, v in a.state_dict().items()}
    a.reset_parameters(seed=4)
    assert all(not np.array_equal(before[k], v) for k, v in a.state_dict().items() if v.size)
    f = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], dtype="float32")
    assert all(v.dtype == np.float32 for v in f.state_dict().values())
    out = f(cg.ones((2, 8), dtype="float32"), cg.tensor(np.array([1, 8])))
    assert out.output.dtype == np.float32


def test_adaptive_errors():
    for cutoffs in ([], [6, 3], [0, 3], [3, 10], [3, 3], [2.5, 4]):
        with pytest.raises(ValueError):
            torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)
        with pytest.raises(ValueError, match="cutoffs"):
            nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])
    x = cg.ones((3, 8))
    with pytest.raises(RuntimeError, match=r"in \[0, 9\]"):
        m(x, cg.tensor(np.array([0, 10, 2])))
    with pytest.raises(RuntimeError, match=r"in \[0, 9\]"):
        m(x, cg.tensor(np.array([0, -1, 2])))
    with pytest.raises(RuntimeError, match="batch dimension"):
        m(x, cg.tensor(np.array([0, 1])))
    with pytest.raises(RuntimeError, match="0D or 1D"):
        m(x, cg.tensor(np.zeros((3, 1), np.int64)))
    with pytest.raises(RuntimeError, match="2-D input"):
        m(cg.ones((3, 2, 8)), cg.tensor(np.array([0, 1, 2])))
    with pytest.raises(RuntimeError, match="1-D input"):
        m(x, cg.tensor(np.int64(1)))
    with pytest.raises(ValueError, match="in_features=8"):
        m.log_prob(cg.ones((3, 7)))
    with pytest.raises(ValueError, match="predict"):
        m.predict(cg.ones(8))
    with pytest.raises(TypeError, match="integer"):
        m(x, cg.ones(3))
