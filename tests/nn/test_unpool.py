"""F.max_unpool1d/2d/3d and nn.MaxUnpool*d against PyTorch: values after max pooling with
return_indices, gradients, output_size, unbatched inputs, and errors."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg
import compgraph.nn.functional as F

torch = optional_torch()
RNG = np.random.default_rng(3)


@skip_if_missing(torch)
@pytest.mark.parametrize("nd,shape,k,s,p,out", [
    (1, (2, 3, 9), 2, None, 0, None),
    (1, (3, 10), 3, 2, 1, (10,)),
    (2, (2, 3, 6, 7), 2, None, 0, (6, 7)),
    (2, (2, 2, 8, 8), 3, 2, 1, (8, 8)),
    (2, (3, 5, 5), 2, 1, 0, None),
    (3, (1, 2, 4, 5, 6), 2, None, 0, (4, 5, 6)),
])
def test_values_and_gradients_equal_torch(nd, shape, k, s, p, out):
    tf = torch.nn.functional
    pool = {1: tf.max_pool1d, 2: tf.max_pool2d, 3: tf.max_pool3d}[nd]
    unpool_t = {1: tf.max_unpool1d, 2: tf.max_unpool2d, 3: tf.max_unpool3d}[nd]
    unpool_c = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[nd]
    x = RNG.standard_normal(shape)
    ty, ti = pool(torch.tensor(x), k, s, p, return_indices=True)
    tv = ty.detach().clone().requires_grad_(True)
    tu = unpool_t(tv, ti, k, s, p, output_size=out)
    w = RNG.standard_normal(tuple(tu.shape))
    (tu * torch.tensor(w)).sum().backward()
    v = cg.tensor(ty.detach().numpy(), requires_grad=True)
    u = unpool_c(v, ti.numpy(), k, s, p, output_size=out)
    np.testing.assert_array_equal(u.numpy(), tu.detach().numpy())
    (u * w).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy())


@skip_if_missing(torch)
def test_layer_after_maxpool_with_indices():
    x = RNG.standard_normal((2, 3, 8, 8))
    pool, unpool = cg.nn.MaxPool2d(2, return_indices=True), cg.nn.MaxUnpool2d(2)
    y, i = pool(cg.tensor(x))
    tpool = torch.nn.MaxPool2d(2, return_indices=True)
    ty, ti = tpool(torch.tensor(x))
    want = torch.nn.MaxUnpool2d(2)(ty, ti).numpy()
    np.testing.assert_array_equal(unpool(y, i).numpy(), want)
    np.testing.assert_array_equal(unpool(y, i, output_size=(2, 3, 8, 8)).numpy(), want)


def test_gradcheck_indices_as_tensors_and_repeated_places():
    v = RNG.standard_normal((1, 2, 3))
    idx = cg.asarray(np.array([[[0, 3, 4], [1, 2, 5]]]))
    assert cg.gradcheck(lambda v: F.max_unpool1d(v, idx, 2), v)
    # a place named twice: forward writes it once; each value gets its gradient (torch's)
    rep = np.array([[[1, 1, 4]]])
    t = cg.tensor(np.array([[[2.0, 2.0, 5.0]]]), requires_grad=True)
    u = F.max_unpool1d(t, rep, 2)
    np.testing.assert_array_equal(u.numpy(), [[[0.0, 2.0, 0.0, 0.0, 5.0, 0.0]]])
    (u * np.arange(1.0, 7.0)).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[[2.0, 2.0, 5.0]]])
    inf = F.max_unpool1d(np.array([[[np.inf, np.inf, 1.0]]]), rep, 2)
    np.testing.assert_array_equal(inf.numpy(), [[[0.0, np.inf, 0.0, 0.0, 1.0, 0.0]]])


def test_errors_say_what_is_wrong():
    v = np.ones((1, 1, 2, 2))
    idx = np.zeros((1, 1, 2, 2), np.int64)
    with pytest.raises(ValueError, match="invalid output_size"):
        F.max_unpool2d(v, idx, 2, output_size=(10, 10))
    with pytest.raises(ValueError, match="outside the output plane"):
        F.max_unpool2d(v, idx + 16, 2)
    with pytest.raises(TypeError, match="integers"):
        F.max_unpool2d(v, idx.astype(float), 2)
    with pytest.raises(ValueError, match="indices of shape"):
        F.max_unpool2d(v, idx[..., :1], 2)
    with pytest.raises(ValueError, match="3-D or 4-D"):
        F.max_unpool2d(np.ones(4), np.zeros(4, np.int64), 2)
    with pytest.raises(ValueError, match="kernel_size needs 2"):
        cg.nn.MaxUnpool2d((2, 2, 2))
