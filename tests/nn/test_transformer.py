"""TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch: the same
weights (a torch state_dict of ndarrays, perturbed so that no two layers agree) and
inputs give the same outputs and the same gradient for every parameter and input, in
float64 and eval mode; masks, batch_first, norm_first, activations, unbatched inputs,
state_dict keys, repr, dropout in training, seeding and errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny layers: threads only spin, badly so on a loaded machine

TOL = dict(rtol=1e-10, atol=1e-10)
E, H, FF = 16, 2, 32  # d_model, nhead, dim_feedforward
T, S, N = 5, 6, 3  # target length, source length, batch


def _x(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


def _perturbed(tmod, seed=0):
    """``tmod`` in float64 and eval mode with every parameter moved randomly (layer
    copies start equal and norms at ones / zeros: a mix-up would go unseen)."""
    tmod = tmod.double().eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in tmod.parameters():
            p.add_(0.2 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return tmod


def compare(tmod, cmod, inputs, call, masks=()):
    """Load ``tmod``'s weights into ``cmod``; ``call(module, *inputs, *masks)`` on both must
    give the same output, parameter gradients and input gradients."""
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    cmod.eval()
    tin = [torch.tensor(a, requires_grad=True) for a in inputs]
    cin = [cg.tensor(a, requires_grad=True) for a in inputs]
    tm = [None if m is None else torch.tensor(m) for m in masks]
    tout, cout = call(tmod, *tin, *tm), call(cmod, *cin, *masks)
    assert cout.dtype == np.float64 and cout.shape == tuple(tout.shape)
    np.testing.assert_allclose(cout.numpy(), tout.detach().numpy(), **TOL)
    w = _x(tuple(tout.shape), 7)
    (tout * torch.tensor(w)).sum().backward()
    (cout * w).sum().backward()
    tparams = dict(tmod.named_parameters())
    cparams = dict(cmod.named_parameters())
    assert list(cparams) == list(tparams)
    for name, p in cparams.items():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), **TOL, err_msg=name)
    for t, c in zip(tin, cin):
        np.testing.assert_allclose(c.grad, t.grad.numpy(), **TOL)


def _seq(shape_tn, batch_first):
    """(length, batch, E) or batch-first shape."""
    n_len, n_batch = shape_tn
    return (n_batch, n_len, E) if batch_first else (n_len, n_batch, E)


def _kpm(n, length, pad):
    """Key padding: sequence 1 has its last ``pad`` positions padded (True = masked)."""
    m = np.zeros((n, length), bool)
    m[1, length - pad :] = True
    return m


CAUSAL = np.triu(np.ones((T, T), bool), 1)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first, batch_first, activation):
    kw = dict(activation=activation, batch_first=batch_first, norm_first=norm_first)
    tm = _perturbed(torch.nn.TransformerDecoderLayer(E, H, FF, 0.1, **kw))
    cm = nn.TransformerDecoderLayer(E, H, FF, 0.1, **kw, seed=0)
    tgt, mem = _x(_seq((T, N), batch_first)), _x(_seq((S, N), batch_first), 2)
    masks = (CAUSAL, _kpm(N, T, 2), _kpm(N, S, 3))
    compare(
        tm,
        cm,
        [tgt, mem],
        lambda m, t, s, a, b, c: m(
            t, s, tgt_mask=a, tgt_key_padding_mask=b, memory_key_padding_mask=c
        ),
        masks,
    )
    # float masks (-inf / values added to the scores) and the causal hint
    fmask = np.where(CAUSAL, -np.inf, 0.0)
    mem_mask = _x((T, S), 3)
    compare(
        tm,
        cm,
        [tgt, mem],
        lambda m, t, s, a, b: m(t, s, tgt_mask=a, memory_mask=b, tgt_is_causal=True),
        (fmask, mem_mask),
    )


def test_decoder_layer_unbatched_matches_torch():
    tm = _perturbed(torch.nn.TransformerDecoderLayer(E, H, FF, norm_first=True))
    cm = nn.TransformerDecoderLayer(E, H, FF, norm_first=True, seed=0)
    kpm = np.zeros(S, bool)
    kpm[-2:] = True
    compare(
        tm,
        cm,
        [_x((T, E)), _x((S, E), 2)],
        lambda m, t, s, a, b: m(t, s, tgt_mask=a, memory_key_padding_mask=b),
        (CAUSAL, kpm),
    )


def test_decoder_layer_activation_module_and_bias_false():
    kw = dict(bias=False, batch_first=True)
    tm = _perturbed(torch.nn.TransformerDecoderLayer(E, H, FF, activation=torch.nn.GELU(), **kw))
    cm = nn.TransformerDecoderLayer(E, H, FF, activation=nn.GELU(), **kw, seed=0)
    assert "bias" not in " ".join(cm.state_dict())
    compare(tm, cm, [_x((N, T, E)), _x((N, S, E), 2)], lambda m, t, s: m(t, s))


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_stack_with_final_norm_matches_torch(norm_first):
    tl = torch.nn.TransformerDecoderLayer(E, H, FF, norm_first=norm_first, activation="gelu")
    tm = _perturbed(torch.nn.TransformerDecoder(tl, 2, norm=torch.nn.LayerNorm(E)))
    cl = nn.TransformerDecoderLayer(E, H, FF, norm_first=norm_first, activation="gelu", seed=0)
    cm = nn.TransformerDecoder(cl, 2, norm=nn.LayerNorm(E))
    assert cm.num_layers == 2 and len(cm.layers) == 2
    tgt, mem = _x((T, N, E)), _x((S, N, E), 2)
    causal = nn.Transformer.generate_square_subsequent_mask(T).numpy()
    compare(
        tm,
        cm,
        [tgt, mem],
        lambda m, t, s, a, b: m(t, s, tgt_mask=a, memory_key_padding_mask=b),
        (causal, _kpm(N, S, 2)),
    )


def test_decoder_copies_are_independent():
    layer = nn.TransformerDecoderLayer(E, H, FF, seed=0)
    dec = nn.TransformerDecoder(layer, 2)
    w0 = dec.layers[0].linear1.weight
    assert w0 is not dec.layers[1].linear1.weight and w0 is not layer.linear1.weight
    np.testing.assert_array_equal(w0.numpy(), layer.linear1.weight.numpy())  # as torch
    w0.data[...] = 0
    assert dec.layers[1].linear1.weight.numpy().any() and layer.linear1.weight.numpy().any()


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(batch_first=True, norm_first=True),
        dict(activation="gelu", batch_first=True),
        dict(norm_first=True, bias=False),
    ],
)
def test_transformer_matches_torch(kw):
    args = (E, H, 2, 2, FF)
    with warnings.catch_warnings():  # torch: enable_nested_tensor without batch_first
        warnings.simplefilter("ignore")
        tm = _perturbed(torch.nn.Transformer(*args, **kw))
    cm = nn.Transformer(*args, **kw, seed=0)
    assert [(k, tuple(v.shape)) for k, v in cm.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in tm.state_dict().items()
    ]
    bf = kw.get("batch_first", False)
    src, tgt = _x(_seq((S, N), bf)), _x(_seq((T, N), bf), 2)
    skpm = _kpm(N, S, 2)
    compare(
        tm,
        cm,
        [src, tgt],
        lambda m, s, t, a, b, c, d: m(
            s,
            t,
            tgt_mask=a,
            src_key_padding_mask=b,
            tgt_key_padding_mask=c,
            memory_key_padding_mask=d,
        ),
        (CAUSAL, skpm, _kpm(N, T, 1), skpm),
    )


def test_transformer_unbatched_and_masks_matches_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = _perturbed(torch.nn.Transformer(E, H, 2, 2, FF))
    cm = nn.Transformer(E, H, 2, 2, FF, seed=0)
    src_mask = np.triu(np.ones((S, S), bool), 2)  # not causal: each sees one step ahead
    compare(
        tm,
        cm,
        [_x((S, E)), _x((T, E), 2)],
        lambda m, s, t, a, b, c: m(s, t, src_mask=a, tgt_mask=b, memory_mask=c),
        (src_mask, np.where(CAUSAL, -np.inf, 0.0), _x((T, S), 3)),
    )


def test_state_dict_keys_and_defaults_match_torch():
    tl, cl = torch.nn.TransformerDecoderLayer(E, H), nn.TransformerDecoderLayer(E, H, seed=0)
    assert list(cl.state_dict()) == list(tl.state_dict())
    assert cl.linear1.weight.shape == (2048, E)  # dim_feedforward=2048
    assert cl.dropout.p == 0.1 and cl.norm3.eps == 1e-5 and not cl.norm_first
    assert not cl.self_attn.batch_first and not cl.multihead_attn.batch_first
    td = torch.nn.TransformerDecoder(tl, 3)
    cd = nn.TransformerDecoder(cl, 3)
    assert list(cd.state_dict()) == list(td.state_dict()) and cd.norm is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.nn.Transformer(E, H, dim_feedforward=FF)  # 6 + 6 layers
    ct = nn.Transformer(E, H, dim_feedforward=FF, seed=0)
    assert list(ct.state_dict()) == list(tt.state_dict())
    assert (ct.d_model, ct.nhead, ct.batch_first) == (E, H, False)
    assert len(ct.encoder.layers) == len(ct.decoder.layers) == 6


def test_transformer_init_and_seed():
    a, b = nn.Transformer(E, H, 2, 2, FF, seed=3), nn.Transformer(E, H, 2, 2, FF, seed=3)
    c = nn.Transformer(E, H, 2, 2, FF, seed=4)
    for (k, p), q, r in zip(a.named_parameters(), b.parameters(), c.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=k)
        if p.ndim > 1:  # re-initialised xavier-uniform, as torch
            fan_out, fan_in = p.shape
            assert np.abs(p.numpy()).max() <= np.sqrt(6 / (fan_in + fan_out)), k
            assert not np.array_equal(p.numpy(), r.numpy()), k
    # layer copies are re-initialised one by one, so they no longer agree
    assert not np.array_equal(
        a.decoder.layers[0].linear1.weight.numpy(), a.decoder.layers[1].linear1.weight.numpy()
    )


def test_custom_encoder_decoder():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, FF, seed=0), 1)
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF, seed=0), 1)
    model = nn.Transformer(E, H, custom_encoder=enc, custom_decoder=dec, seed=0)
    assert model.encoder is enc and model.decoder is dec
    assert list(model.state_dict())[0] == "encoder.layers.0.self_attn.in_proj_weight"
    assert "encoder.norm.weight" not in model.state_dict()
    model.eval()
    src, tgt = cg.tensor(_x((S, N, E))), cg.tensor(_x((T, N, E), 2))
    np.testing.assert_allclose(model(src, tgt).numpy(), dec(tgt, enc(src)).numpy(), **TOL)


@pytest.mark.parametrize("sz", [1, 4])
def test_generate_square_subsequent_mask(sz):
    ref = torch.nn.Transformer.generate_square_subsequent_mask(sz, dtype=torch.float64)
    mask = nn.Transformer.generate_square_subsequent_mask(sz)
    assert isinstance(mask, cg.Tensor) and mask.dtype == np.float64
    np.testing.assert_array_equal(mask.numpy(), ref.numpy())
    m32 = nn.Transformer.generate_square_subsequent_mask(sz, device="cpu", dtype="float32")
    assert m32.dtype == np.float32
    np.testing.assert_array_equal(m32.numpy(), ref.numpy())
    # as a mask it is the boolean causal mask
    layer = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, seed=0)
    tgt, mem = cg.tensor(_x((sz, N, E))), cg.tensor(_x((S, N, E), 2))
    np.testing.assert_allclose(
        layer(tgt, mem, tgt_mask=mask).numpy(),
        layer(tgt, mem, tgt_mask=np.triu(np.ones((sz, sz), bool), 1)).numpy(),
        **TOL,
    )


def test_is_causal_without_mask_builds_the_causal_mask():
    layer = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, seed=0)
    dec = nn.TransformerDecoder(layer, 2)
    tgt, mem = cg.tensor(_x((T, N, E))), cg.tensor(_x((S, N, E), 2))
    for m in (layer, dec):
        np.testing.assert_allclose(
            m(tgt, mem, tgt_is_causal=True).numpy(), m(tgt, mem, tgt_mask=CAUSAL).numpy(), **TOL
        )
        assert not np.allclose(m(tgt, mem).numpy(), m(tgt, mem, tgt_mask=CAUSAL).numpy())


def test_training_applies_dropout():
    model = nn.Transformer(E, H, 2, 2, FF, dropout=0.3)  # seed=None: the process's generator
    src, tgt = cg.tensor(_x((S, N, E))), cg.tensor(_x((T, N, E), 2))
    model.eval()
    ev = model(src, tgt).numpy()
    np.testing.assert_array_equal(model(src, tgt).numpy(), ev)
    model.train()
    a, b = model(src, tgt).numpy(), model(src, tgt).numpy()
    assert not np.allclose(a, b) and not np.allclose(a, ev)
    # every dropout, the encoder's and the attention's included, follows cg.manual_seed
    cg.manual_seed(5)
    c = model(src, tgt).numpy()
    cg.manual_seed(5)
    np.testing.assert_array_equal(model(src, tgt).numpy(), c)
    layer = nn.TransformerDecoderLayer(E, H, FF, dropout=0.3)
    cg.manual_seed(6)
    d = layer(tgt, src).numpy()
    cg.manual_seed(6)
    np.testing.assert_array_equal(layer(tgt, src).numpy(), d)


def test_seeded_dropout_is_repeatable_and_differs_between_layers():
    src, tgt = cg.tensor(_x((S, N, E))), cg.tensor(_x((T, N, E), 2))
    a = nn.Transformer(E, H, 2, 2, FF, dropout=0.3, seed=1)
    b = nn.Transformer(E, H, 2, 2, FF, dropout=0.3, seed=1)
    np.testing.assert_array_equal(a(src, tgt).numpy(), b(src, tgt).numpy())
    # deep copies of one seeded layer: same weights, but not the same dropped positions
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF, dropout=0.3, seed=2), 2)
    enc = a.encoder
    for m0, m1, x, args in (
        (dec.layers[0], dec.layers[1], tgt, (src,)),
        (enc.layers[0], enc.layers[1], src, ()),
    ):
        m1.load_state_dict(m0.state_dict())
        assert not np.allclose(m0(x, *args).numpy(), m1(x, *args).numpy())
        m0.eval(), m1.eval()
        np.testing.assert_allclose(m0(x, *args).numpy(), m1(x, *args).numpy(), **TOL)


def _children(text):
    return re.findall(r"\((\w+)\): (\w+)", text)


def test_repr_lists_torch_submodules():
    tl = torch.nn.TransformerDecoderLayer(E, H, activation=torch.nn.GELU())
    cl = nn.TransformerDecoderLayer(E, H, activation=nn.GELU(), seed=0)
    assert repr(cl) == repr(tl)
    assert _children(repr(cl)) == _children(repr(tl))
    assert "(dropout3): Dropout(p=0.1, inplace=False)" in repr(cl) and "(activation): GELU" in repr(cl)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.nn.Transformer(E, H, 2, 2, FF)
    ct = nn.Transformer(E, H, 2, 2, FF, seed=0)
    assert repr(ct) == repr(tt)  # (the stacked layers as "(0-1): 2 x ...")

def test_errors():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        nn.TransformerDecoderLayer(10, 3)
    with pytest.raises(ValueError, match="multiple of num_heads"):
        nn.Transformer(10, 3, 1, 1, 8)
    with pytest.raises(ValueError, match="TransformerDecoderLayer: activation"):
        nn.TransformerDecoderLayer(E, H, activation="tanh")
    with pytest.raises(TypeError, match="TransformerDecoderLayer: activation"):
        nn.TransformerDecoderLayer(E, H, activation=3)
    with pytest.raises(TypeError, match="TransformerDecoder: decoder_layer"):
        nn.TransformerDecoder("layer", 2)
    model = nn.Transformer(E, H, 1, 1, FF, seed=0)
    with pytest.raises(ValueError, match=r"Transformer: the feature number .* d_model 16"):
        model(cg.ones((S, N, E)), cg.ones((T, N, 8)))
    with pytest.raises(ValueError, match=r"Transformer: the feature number .* d_model 16"):
        model(cg.ones((S, N, 8)), cg.ones((T, N, 8)))
    with pytest.raises(ValueError, match="Transformer: the batch number"):
        model(cg.ones((S, N, E)), cg.ones((T, N + 1, E)))
    bf = nn.Transformer(E, H, 1, 1, FF, batch_first=True, seed=0)
    with pytest.raises(ValueError, match=r"batch number .*dimension 0"):
        bf(cg.ones((N, S, E)), cg.ones((N + 1, T, E)))
    with pytest.raises(ValueError, match="Transformer: expected src and tgt"):
        model(cg.ones((S, N, E)), cg.ones((T, E)))
    layer = nn.TransformerDecoderLayer(E, H, FF, seed=0)
    with pytest.raises(ValueError, match="expected 16"):
        layer(cg.ones((T, N, 8)), cg.ones((S, N, E)))
    with pytest.raises(ValueError, match="key_padding_mask"):
        layer(cg.ones((T, N, E)), cg.ones((S, N, E)), memory_key_padding_mask=np.zeros((N, T)))


def test_float32_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = _perturbed(torch.nn.Transformer(E, H, 1, 1, FF)).float()
    cm = nn.Transformer(E, H, 1, 1, FF, dtype="float32", seed=0)
    assert {p.dtype for p in cm.parameters()} == {np.dtype(np.float32)}
    cm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    cm.eval()
    src, tgt = _x((S, N, E)).astype(np.float32), _x((T, N, E), 2).astype(np.float32)
    mask = nn.Transformer.generate_square_subsequent_mask(T, dtype="float32")
    out = cm(cg.tensor(src), cg.tensor(tgt), tgt_mask=mask)
    ref = tm(torch.tensor(src), torch.tensor(tgt), tgt_mask=torch.tensor(mask.numpy()))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
