"""F.interpolate's 'bicubic' and 'area' modes and antialias=True against torch: values
and gradients."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg
import compgraph.nn.functional as F

torch = optional_torch()
RNG = np.random.default_rng(8)


@skip_if_missing(torch)
@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 5, 7), dict(size=(9, 11), mode="bicubic")),
    ((2, 3, 5, 7), dict(size=(9, 11), mode="bicubic", align_corners=True)),
    ((1, 2, 6, 6), dict(scale_factor=2.5, mode="bicubic")),
    ((1, 2, 6, 6), dict(scale_factor=(0.5, 1.5), mode="bicubic", recompute_scale_factor=True)),
    ((1, 1, 8, 5), dict(size=(3, 4), mode="bicubic")),
    ((1, 1, 1, 4), dict(size=(3, 1), mode="bicubic", align_corners=True)),
    ((2, 3, 10), dict(size=4, mode="area")),
    ((2, 3, 5, 7), dict(size=(3, 4), mode="area")),
    ((2, 3, 5, 7), dict(size=(7, 9), mode="area")),
    ((1, 2, 8, 6), dict(scale_factor=0.5, mode="area")),
    ((1, 2, 4, 5, 6), dict(size=(2, 3, 4), mode="area")),
    ((2, 3, 13, 17), dict(size=(5, 6), mode="bilinear", antialias=True)),
    ((2, 3, 13, 17), dict(size=(5, 6), mode="bicubic", antialias=True)),
    ((1, 2, 13, 17), dict(size=(5, 6), mode="bicubic", antialias=True, align_corners=True)),
    ((1, 2, 13, 17), dict(scale_factor=0.3, mode="bilinear", antialias=True)),
    ((1, 2, 7, 9), dict(size=(20, 30), mode="bicubic", antialias=True)),
])
def test_values_and_gradients_equal_torch(shape, kw):
    x = RNG.standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.interpolate(tx, **kw)
    w = RNG.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    cx = cg.tensor(x, requires_grad=True)
    cy = F.interpolate(cx, **kw)
    np.testing.assert_allclose(cy.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (cy * w).sum().backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_kept_and_gradcheck():
    x = RNG.standard_normal((1, 1, 4, 4))
    assert F.interpolate(cg.tensor(x.astype(np.float32)), size=(6, 6), mode="bicubic").dtype \
        == np.float32
    assert cg.gradcheck(lambda x: F.interpolate(x, size=(5, 3), mode="bicubic"), x)
    assert cg.gradcheck(lambda x: F.interpolate(x, size=(3, 2), mode="area"), x)


def test_mode_errors_as_torch():
    with pytest.raises(NotImplementedError, match="bicubic mode needs 4D input"):
        F.interpolate(np.ones((1, 1, 4)), size=5, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(np.ones((1, 1, 4)), size=2, mode="area", align_corners=True)
    with pytest.raises(NotImplementedError, match="anti-alias option is only supported"):
        F.interpolate(np.ones((1, 1, 4, 4)), size=2, mode="nearest", antialias=True)
