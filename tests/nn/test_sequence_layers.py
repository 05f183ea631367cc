"""Sequence layers (recurrent, embedding, normalisation, 1-d / transposed convolution)
against PyTorch: the same weights (a torch state_dict of ndarrays) and inputs give the
same outputs and the same gradient for every parameter and input, float64 and float32."""

from __future__ import annotations

import time

import numpy as np
import pytest

import compgraph as cg
from compgraph import nn

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny layers: threads only spin, badly so on a loaded machine

TOL = {np.float64: dict(rtol=1e-6, atol=1e-9), np.float32: dict(rtol=2e-4, atol=2e-5)}


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [] if out is None else [out]


def compare(tmod, cmod, inputs, dtype=np.float64, grads=True, call=None, kwargs=None):
    """Load ``tmod``'s weights into ``cmod``, run both on ``inputs`` (ndarrays; float ones
    get gradients) and check outputs, parameter gradients and input gradients."""
    tmod = tmod.to(torch.float64 if dtype == np.float64 else torch.float32)
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    kwargs = kwargs or {}
    call = call or (lambda m, *a, **k: m(*a, **k))
    tin = [torch.tensor(a, requires_grad=a.dtype.kind == "f" and grads) for a in inputs]
    cin = [cg.tensor(a, requires_grad=a.dtype.kind == "f" and grads) for a in inputs]
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    touts, couts = _flat(call(tmod, *tin, **tk)), _flat(call(cmod, *cin, **kwargs))
    assert len(touts) == len(couts)
    tol = TOL[dtype]
    for t, c in zip(touts, couts):
        assert c.dtype == dtype, (c.dtype, dtype)
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), **tol)
    if not grads:
        return
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal(t.shape).astype(dtype) for t in touts]
    sum(
        ((t * torch.tensor(w)).sum() for t, w in zip(touts, ws)),
        torch.zeros((), dtype=touts[0].dtype),
    ).backward()
    loss = None
    for c, w in zip(couts, ws):
        loss = (c * w).sum() if loss is None else loss + (c * w).sum()
    loss.backward()
    tparams = dict(tmod.named_parameters())
    for name, p in cmod.named_parameters():
        tg = tparams[name].grad
        if tg is None:
            assert p.grad is None or not np.any(p.grad), name
            continue
        np.testing.assert_allclose(p.grad, tg.numpy(), **tol, err_msg=name)
    for t, c in zip(tin, cin):
        if t.grad is not None:
            np.testing.assert_allclose(c.grad, t.grad.numpy(), **tol)


DTYPES = [np.float64, np.float32]


# --------------------------------------------------------------------------- recurrent
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kind, kw",
    [
        ("RNN", {}),
        ("RNN", dict(nonlinearity="relu", num_layers=2, bias=False)),
        ("LSTM", {}),
        ("LSTM", dict(num_layers=2, bidirectional=True, batch_first=True)),
        ("GRU", {}),
        ("GRU", dict(num_layers=2, bidirectional=True)),
    ],
)
def test_recurrent_matches_torch(kind, kw, dtype):
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(3, 4, **kw)
    cm = getattr(nn, kind)(3, 4, **kw, dtype=dtype)
    assert [(k, tuple(v.shape)) for k, v in cm.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in tm.state_dict().items()
    ]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 3) if kw.get("batch_first") else (5, 2, 3)).astype(dtype)
    compare(tm, cm, [x], dtype)
    ndir = 2 if kw.get("bidirectional") else 1
    h0 = rng.standard_normal((kw.get("num_layers", 1) * ndir, 2, 4)).astype(dtype)
    if kind == "LSTM":
        c0 = rng.standard_normal(h0.shape).astype(dtype)
        compare(tm, cm, [x, h0, c0], dtype, call=lambda m, x, h, c: m(x, (h, c)))
    else:
        compare(tm, cm, [x, h0], dtype)
    compare(tm, cm, [x[:, 0] if kw.get("batch_first") else x[:, 0]], dtype)  # unbatched


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(kind, dtype):
    torch.manual_seed(0)
    tm, cm = getattr(torch.nn, kind)(3, 4), getattr(nn, kind)(3, 4, dtype=dtype)
    rng = np.random.default_rng(2)
    x, h = rng.standard_normal((2, 3)).astype(dtype), rng.standard_normal((2, 4)).astype(dtype)
    compare(tm, cm, [x], dtype)
    if kind == "LSTMCell":
        c = rng.standard_normal((2, 4)).astype(dtype)
        compare(tm, cm, [x, h, c], dtype, call=lambda m, x, h, c: m(x, (h, c)))
        compare(tm, cm, [x[0], h[0], c[0]], dtype, call=lambda m, x, h, c: m(x, (h, c)))
    else:
        compare(tm, cm, [x, h], dtype)
        compare(tm, cm, [x[0], h[0]], dtype)


def test_recurrent_default_init_and_dropout():
    lstm = nn.LSTM(3, 16, num_layers=2, dropout=0.5, seed=0)
    w = lstm.weight_hh_l1.numpy()
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2  # U(-1/sqrt(16), 1/sqrt(16))
    x = cg.tensor(np.ones((4, 2, 3)))
    a, b = lstm(x)[0].numpy(), lstm(x)[0].numpy()
    assert not np.allclose(a, b)  # dropout between the layers while training
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].numpy(), lstm(x)[0].numpy())


def test_lstm_200_steps_flat_cost():
    """200 steps train without recursion, and a step costs what it costs at 50 steps."""
    lstm = nn.LSTM(4, 8, dtype="float64", seed=0)
    torch.manual_seed(0)
    tm = torch.nn.LSTM(4, 8).double()
    x = np.random.default_rng(3).standard_normal((200, 2, 4))
    compare(tm, lstm, [x])

    def run(steps):
        xs = cg.tensor(x[:steps], requires_grad=True)
        t = time.perf_counter()
        lstm(xs)[0].sum().backward()
        return (time.perf_counter() - t) / steps

    best = {50: np.inf, 200: np.inf}
    for _ in range(5):  # interleaved, so a burst of load hits both lengths
        for steps in best:
            best[steps] = min(best[steps], run(steps))
    assert best[200] < 2.5 * best[50]


def test_recurrent_variable_lengths_by_prefix():
    """Padded batches: outputs of each sequence's own steps equal the unpadded run."""
    gru = nn.GRU(3, 5, batch_first=True, seed=1)
    x = np.random.default_rng(4).standard_normal((2, 6, 3))
    full = gru(cg.tensor(x))[0].numpy()
    short = gru(cg.tensor(x[1:, :4]))[0].numpy()
    np.testing.assert_allclose(full[1, :4], short[0], rtol=1e-12)


def test_recurrent_errors():
    with pytest.raises(ValueError, match="LSTM"):
        nn.LSTM(3, 4)(cg.ones((5, 2, 7)))
    with pytest.raises(ValueError, match="hidden state"):
        nn.GRU(3, 4)(cg.ones((5, 2, 3)), cg.ones((2, 2, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")


# --------------------------------------------------------------------------- containers
def test_module_dict_and_parameter_list_like_torch():
    torch.manual_seed(0)
    f32 = torch.float32
    td = torch.nn.ModuleDict(
        {"a": torch.nn.Linear(2, 3, dtype=f32), "b": torch.nn.Linear(3, 1, dtype=f32)}
    )
    cd = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.Linear(3, 1)})
    assert list(cd.state_dict()) == list(td.state_dict())
    cd.load_state_dict({k: v.numpy() for k, v in td.state_dict().items()})
    cd["c"] = nn.ReLU()
    assert cd.keys() == ["a", "b", "c"] and "c" in cd and len(cd) == 3
    assert isinstance(cd.pop("c"), nn.ReLU) and len(cd) == 2
    x = np.ones((1, 2))
    np.testing.assert_allclose(
        cd["b"](cd["a"](cg.tensor(x))).numpy(), td["b"](td["a"](torch.tensor(x).float())).detach()
    )
    with pytest.raises(TypeError, match="ModuleDict"):
        cd.update([("x", 3)])
    tl = torch.nn.ParameterList(
        [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.ones(3))]
    )
    cl = nn.ParameterList([np.zeros(2), cg.nn.Parameter(np.ones(3))])
    cl.append(np.ones(4))
    tl.append(torch.nn.Parameter(torch.ones(4)))
    assert list(cl.state_dict()) == list(tl.state_dict()) == ["0", "1", "2"]
    assert [p.shape for p in cl] == [(2,), (3,), (4,)] and len(cl[1:]) == 2
    assert len(cl.parameters()) == 3


# --------------------------------------------------------------------------- embedding, norms, convs
@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_matches_torch(dtype):
    torch.manual_seed(0)
    tm, cm = torch.nn.Embedding(7, 3, padding_idx=2), nn.Embedding(7, 3, padding_idx=2, dtype=dtype)
    assert not cm.weight.numpy()[2].any() and cm.weight.shape == (7, 3)
    idx = np.array([[0, 2, 6], [2, 1, 1]])
    compare(tm, cm, [idx], dtype)  # no gradient for the padding row, 2 for a repeat
    cm.zero_grad()
    cm(cg.tensor(idx)).sum().backward()
    assert not cm.weight.grad[2].any() and np.allclose(cm.weight.grad[1], 2)
    pre = nn.Embedding.from_pretrained(np.eye(3, dtype=dtype))
    assert not pre.weight.requires_grad and pre(cg.tensor([1])).numpy().tolist() == [[0, 1, 0]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kind, args, kw, shape",
    [
        ("LayerNorm", (5,), {}, (2, 3, 5)),
        ("LayerNorm", ((3, 5),), dict(bias=False), (2, 3, 5)),
        ("LayerNorm", (5,), dict(elementwise_affine=False), (4, 5)),
        ("RMSNorm", (5,), {}, (2, 3, 5)),
        ("RMSNorm", ((3, 5),), dict(eps=1e-3), (2, 3, 5)),
        ("GroupNorm", (2, 4), {}, (3, 4, 5)),
        ("GroupNorm", (4, 4), dict(affine=False), (3, 4, 2, 2)),
    ],
)
def test_norms_match_torch(kind, args, kw, shape, dtype):
    tm, cm = getattr(torch.nn, kind)(*args, **kw), getattr(nn, kind)(*args, **kw, dtype=dtype)
    with torch.no_grad():  # not the default ones/zeros, so a swapped weight shows
        for p in tm.parameters():
            p.uniform_(0.5, 1.5)
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype) * 3 + 1
    compare(tm, cm, [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kind, args, kw, shape",
    [
        ("Conv1d", (4, 6, 3), {}, (2, 4, 9)),
        ("Conv1d", (4, 6, 3), dict(stride=2, padding=2, dilation=2, groups=2), (2, 4, 11)),
        ("Conv1d", (4, 6, 3), dict(padding="same", bias=False), (4, 7)),
        ("ConvTranspose2d", (4, 2, 3), {}, (2, 4, 5, 5)),
        (
            "ConvTranspose2d",
            (4, 6, (3, 2)),
            dict(stride=2, padding=1, output_padding=1, groups=2),
            (2, 4, 4, 3),
        ),
        ("ConvTranspose2d", (4, 2, 2), dict(stride=2, dilation=2, bias=False), (4, 3, 3)),
    ],
)
def test_convs_match_torch(kind, args, kw, shape, dtype):
    torch.manual_seed(0)
    tm, cm = getattr(torch.nn, kind)(*args, **kw), getattr(nn, kind)(*args, **kw, dtype=dtype)
    assert [(k, v.shape) for k, v in cm.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in tm.state_dict().items()
    ]
    # default init: the same bound as torch's kaiming_uniform(a=sqrt(5))
    bound = 1 / np.sqrt(np.prod(tm.weight.shape[1:]))
    assert 0.5 * bound < np.abs(cm.weight.numpy()).max() <= bound
    x = np.random.default_rng(6).standard_normal(shape).astype(dtype)
    compare(tm, cm, [x], dtype)


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    tm, cm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2), nn.ConvTranspose2d(2, 3, 3, stride=2)
    x = np.random.default_rng(7).standard_normal((1, 2, 4, 4))
    compare(tm, cm, [x], call=lambda m, x: m(x, output_size=(10, 10)))
