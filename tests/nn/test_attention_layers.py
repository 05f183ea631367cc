"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against PyTorch:
the same weights (a torch state_dict of ndarrays) and inputs give the same outputs and
the same gradient for every parameter and input, float64 and float32, masks included."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny layers: threads only spin, badly so on a loaded machine

TOL = {np.float64: dict(rtol=1e-6, atol=1e-9), np.float32: dict(rtol=2e-4, atol=3e-5)}
DTYPES = [np.float64, np.float32]


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [] if out is None else [out]


def compare(tmod, cmod, inputs, dtype, call, masks=()):
    """Load ``tmod``'s weights into ``cmod``; ``call(module, *inputs, *masks)`` on both
    (float inputs get gradients, masks are passed as ndarrays / torch tensors) must give
    the same outputs, parameter gradients and input gradients."""
    tmod = tmod.to(torch.float64 if dtype == np.float64 else torch.float32)
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    tin = [torch.tensor(a, requires_grad=True) for a in inputs]
    cin = [cg.tensor(a, requires_grad=True) for a in inputs]
    tm = [None if m is None else torch.tensor(m) for m in masks]
    touts, couts = _flat(call(tmod, *tin, *tm)), _flat(call(cmod, *cin, *masks))
    assert len(touts) == len(couts)
    tol = TOL[dtype]
    for t, c in zip(touts, couts):
        assert c.dtype == dtype
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **tol)
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal(t.shape).astype(dtype) for t in touts]
    sum((t * torch.tensor(w)).sum() for t, w in zip(touts, ws)).backward()
    loss = None
    for c, w in zip(couts, ws):
        loss = (c * w).sum() if loss is None else loss + (c * w).sum()
    loss.backward()
    tparams = dict(tmod.named_parameters())
    for name, p in cmod.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), **tol, err_msg=name)
    for t, c in zip(tin, cin):
        np.testing.assert_allclose(c.grad, t.grad.numpy(), **tol)


def _x(shape, dtype, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(batch_first=True, bias=False),
        dict(kdim=3, vdim=5),
        dict(add_bias_kv=True, add_zero_attn=True),
    ],
)
def test_mha_matches_torch(kw, dtype):
    torch.manual_seed(0)
    tm, cm = torch.nn.MultiheadAttention(8, 2, **kw), nn.MultiheadAttention(8, 2, **kw, dtype=dtype)
    assert [(k, tuple(v.shape)) for k, v in cm.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in tm.state_dict().items()
    ]
    bf = kw.get("batch_first", False)
    q = _x((2, 4, 8) if bf else (4, 2, 8), dtype)
    k = _x((2, 6, kw.get("kdim", 8)) if bf else (6, 2, kw.get("kdim", 8)), dtype, 2)
    v = _x((2, 6, kw.get("vdim", 8)) if bf else (6, 2, kw.get("vdim", 8)), dtype, 3)
    kpm = np.array([[False] * 6, [False] * 4 + [True] * 2])  # the 2nd sequence is 4 long
    am = np.triu(np.ones((4, 6), bool), 3)
    for avg in (True, False):
        compare(
            tm,
            cm,
            [q, k, v],
            dtype,
            lambda m, q, k, v, a, b: m(
                q, k, v, key_padding_mask=a, attn_mask=b, average_attn_weights=avg
            ),
            (kpm, am),
        )
    fmask = _x((2 * 2, 4, 6), dtype, 4)  # a float mask per batch and head
    compare(
        tm,
        cm,
        [q, k, v],
        dtype,
        lambda m, q, k, v, b: m(q, k, v, attn_mask=b, need_weights=False),
        (fmask,),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_self_attention_causal_unbatched(dtype):
    torch.manual_seed(1)
    tm, cm = torch.nn.MultiheadAttention(6, 3), nn.MultiheadAttention(6, 3, dtype=dtype)
    x = _x((5, 6), dtype)
    causal = np.triu(np.ones((5, 5), bool), 1)
    compare(tm, cm, [x], dtype, lambda m, x, a: m(x, x, x, attn_mask=a), (causal,))
    # is_causal without a mask builds the same mask (torch insists on the mask)
    cm2 = nn.MultiheadAttention(6, 3, dtype=dtype)
    cm2.load_state_dict(cm.state_dict())
    xt = cg.tensor(x)
    np.testing.assert_allclose(
        cm2(xt, xt, xt, is_causal=True, need_weights=False)[0].numpy(),
        cm(xt, xt, xt, attn_mask=causal)[0].numpy(),
        **TOL[dtype],
    )


def test_mha_init_and_errors():
    mha = nn.MultiheadAttention(16, 4, seed=0)
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform over (3E, E)
    assert np.abs(mha.in_proj_weight.numpy()).max() <= bound
    assert not mha.in_proj_bias.numpy().any() and not mha.out_proj.bias.numpy().any()
    with pytest.raises(ValueError, match="multiple of num_heads"):
        nn.MultiheadAttention(10, 3)
    x = cg.ones((4, 2, 16))
    with pytest.raises(ValueError, match="key_padding_mask"):
        mha(x, x, x, key_padding_mask=np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="attn_mask"):
        mha(x, x, x, attn_mask=np.zeros((3, 3), bool))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kw",
    [
        dict(activation="relu"),
        dict(activation="gelu", norm_first=True, batch_first=True),
    ],
)
def test_encoder_layer_matches_torch(kw, dtype):
    torch.manual_seed(0)
    args = (8, 2, 16, 0.0)
    tm = torch.nn.TransformerEncoderLayer(*args, **kw)
    cm = nn.TransformerEncoderLayer(*args, **kw, dtype=dtype)
    assert list(cm.state_dict()) == list(tm.state_dict())
    bf = kw.get("batch_first", False)
    x = _x((2, 5, 8) if bf else (5, 2, 8), dtype)
    kpm = np.array([[False] * 5, [False] * 3 + [True] * 2])
    causal = np.triu(np.ones((5, 5), bool), 1)
    compare(
        tm,
        cm,
        [x],
        dtype,
        lambda m, x, a, b: m(x, src_mask=a, src_key_padding_mask=b, is_causal=True),
        (causal, kpm),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_encoder_matches_torch(dtype):
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, norm_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    cl = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, norm_first=True, dtype=dtype)
    cm = nn.TransformerEncoder(cl, 2, norm=nn.LayerNorm(8, dtype=dtype))
    assert list(cm.state_dict()) == list(tm.state_dict())
    x = _x((3, 4, 8), dtype)
    causal = np.triu(np.ones((4, 4), bool), 1)
    compare(tm, cm, [x], dtype, lambda m, x, a: m(x, mask=a, is_causal=True), (causal,))


def test_encoder_layer_dropout_train_and_eval():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, seed=0)
    x = cg.tensor(_x((4, 2, 8), np.float64))
    assert not np.allclose(layer(x).numpy(), layer(x).numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
