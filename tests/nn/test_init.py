"""``cg.nn.init`` as ``torch.nn.init``: the same gains, fans and bounds, seeded and
reproducible; statistics of large draws match the formulas."""
from __future__ import annotations

import math

import numpy as np
import pytest

import compgraph as cg
from compgraph.nn import init

torch = pytest.importorskip("torch")


def param(*shape):
    return cg.nn.Parameter(np.zeros(shape))


@pytest.mark.parametrize("name,arg", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                      ("tanh", None), ("relu", None), ("leaky_relu", None),
                                      ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_is_torchs(name, arg):
    assert init.calculate_gain(name, arg) == pytest.approx(torch.nn.init.calculate_gain(name, arg))


def test_fans_are_torchs():
    for shape in [(4, 3), (8, 3, 5, 5), (6, 2, 3)]:
        t = torch.empty(shape)
        assert init.fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    with pytest.raises(ValueError, match="2 dimensions"):
        init.fans((5,))


@pytest.mark.parametrize("fn,kw,want_std", [
    (init.kaiming_uniform_, {}, math.sqrt(2 / 200)),  # leaky_relu with a = 0: gain sqrt(2)
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 200)),
    (init.kaiming_normal_, {"a": 0.2, "mode": "fan_out"}, math.sqrt(2 / 1.04) / math.sqrt(300)),
    (init.xavier_uniform_, {"gain": 2.0}, 2.0 * math.sqrt(2 / 500)),
    (init.xavier_normal_, {}, math.sqrt(2 / 500)),
])
def test_scaled_schemes_have_torchs_spread(fn, kw, want_std):
    p = param(300, 200)
    fn(p, **kw, generator=0)
    assert p.data.std() == pytest.approx(want_std, rel=0.02)
    t = torch.empty(300, 200)
    getattr(torch.nn.init, fn.__name__)(t, **kw, generator=torch.Generator().manual_seed(0))
    assert t.std().item() == pytest.approx(want_std, rel=0.02)
    if "uniform" in fn.__name__:  # the bound itself: |w| <= sqrt(3) std, and nearly reached
        assert np.abs(p.data).max() <= math.sqrt(3) * want_std + 1e-12
        assert np.abs(p.data).max() > 0.99 * math.sqrt(3) * want_std


def test_seeded_and_reproducible():
    a, b = param(5, 4), param(5, 4)
    init.kaiming_uniform_(a, generator=7)
    init.kaiming_uniform_(b, rng=7)
    np.testing.assert_array_equal(a.data, b.data)
    init.normal_(a, 1.0, 2.0, np.random.default_rng(3))
    init.normal_(b, 1.0, 2.0, 3)
    np.testing.assert_array_equal(a.data, b.data)


def test_simple_fills_and_orthogonal():
    p = param(3, 4)
    assert (init.constant_(p, 2.5).data == 2.5).all()
    assert (init.ones_(p).data == 1).all() and (init.zeros_(p).data == 0).all()
    np.testing.assert_array_equal(init.eye_(p).data, np.eye(3, 4))
    for shape in [(6, 4), (4, 6), (8, 2, 3)]:
        q = init.orthogonal_(param(*shape), gain=2.0, generator=1).data.reshape(shape[0], -1)
        small = min(q.shape)
        gram = q @ q.T if q.shape[0] == small else q.T @ q
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    t = init.trunc_normal_(param(400, 50), std=1.0, a=-1.0, b=0.5, generator=2).data
    assert t.min() >= -1.0 and t.max() <= 0.5 and t.std() > 0.3
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(p, mode="fan")
    with pytest.raises(ValueError, match="nonlinearity"):
        init.kaiming_normal_(p, nonlinearity="swish")
    f32 = cg.nn.Parameter(np.zeros((3, 3), np.float32))
    assert init.xavier_uniform_(f32, generator=0).data.dtype == np.float32
