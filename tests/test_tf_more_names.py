"""More of TensorFlow's names in cg: tf.nn (conv3d, pools, max_pool_with_argmax,
depth_to_space, space_to_batch, dilation2d, CTC decoders ...), top-level names
(TensorShape, gradients, py_function, asserts, initializers ...) and cg.image, checked
against TensorFlow: values, gradients (cg.grad vs tf.GradientTape), errors."""

from __future__ import annotations

import os

import numpy as np
import pytest

import compgraph as cg

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
tf = pytest.importorskip("tensorflow")

RNG = np.random.default_rng(7)


def _n(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _f32(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def _tf_grad(fn, *args):
    ts = [tf.constant(a) for a in args]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = tf.reduce_sum(fn(*ts) * tf.sin(fn(*ts)))
    return [g.numpy() for g in tape.gradient(y, ts)]


def _cg_grad(fn, *args):
    def loss(*a):
        y = fn(*a)
        return cg.sum(y * cg.sin(y))

    g = cg.grad(loss, argnums=tuple(range(len(args))))(*[cg.asarray(a) for a in args])
    return [_n(v) for v in g]


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv3d_pools_and_transpose(padding):
    x, f = _f32(2, 5, 6, 7, 3), _f32(2, 3, 2, 3, 4)
    s = [1, 2, 1, 2, 1]
    np.testing.assert_allclose(
        _n(cg.nn.conv3d(x, f, s, padding)), tf.nn.conv3d(x, f, s, padding).numpy(), atol=1e-4
    )
    for a, b in zip(
        _cg_grad(lambda u, v: cg.nn.conv3d(u, v, s, padding), x, f),
        _tf_grad(lambda u, v: tf.nn.conv3d(u, v, s, padding), x, f),
    ):
        np.testing.assert_allclose(a, b, atol=1e-3)
    np.testing.assert_array_equal(
        _n(cg.nn.max_pool3d(x, 2, 2, padding)), tf.nn.max_pool3d(x, 2, 2, padding).numpy()
    )
    np.testing.assert_allclose(
        _n(cg.nn.avg_pool3d(x, 3, 2, padding)),
        tf.nn.avg_pool3d(x, 3, 2, padding).numpy(),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        _n(cg.nn.pool(x, [3, 3, 3], "AVG", [2, 2, 2], padding)),
        tf.nn.pool(x, [3, 3, 3], "AVG", [2, 2, 2], padding).numpy(),
        atol=1e-6,
    )
    y = _f32(*tf.nn.conv3d(x, f, s, padding).shape)
    np.testing.assert_allclose(
        _n(cg.nn.conv_transpose(y, f, x.shape, s, padding)),
        tf.nn.conv3d_transpose(y, f, x.shape, s, padding).numpy(),
        atol=1e-4,
    )
    with pytest.raises(ValueError, match="conv3d"):
        cg.nn.conv3d(x, f[:, :, :, :2], s, padding)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("batch", [False, True])
def test_max_pool_with_argmax(padding, batch):
    x = _f32(2, 5, 7, 3)
    a, b = tf.nn.max_pool_with_argmax(x, 3, 2, padding, include_batch_in_index=batch)
    c, d = cg.nn.max_pool_with_argmax(x, 3, 2, padding, include_batch_in_index=batch)
    np.testing.assert_array_equal(_n(c), a.numpy())
    np.testing.assert_array_equal(_n(d), b.numpy())
    assert _n(d).dtype == np.int64


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_dilation_erosion(padding):
    x, f = _f32(2, 5, 7, 3), _f32(2, 3, 3)
    for tfn, cfn, st, rt in [
        (tf.nn.dilation2d, cg.nn.dilation2d, [1, 2, 1, 1], [1, 1, 2, 1]),
        (tf.nn.erosion2d, cg.nn.erosion2d, [1, 1, 1, 1], [1, 1, 1, 1]),
    ]:
        np.testing.assert_allclose(
            _n(cfn(x, f, st, padding, "NHWC", rt)), tfn(x, f, st, padding, "NHWC", rt).numpy()
        )
        for a, b in zip(
            _cg_grad(lambda u, v: cfn(u, v, st, padding, "NHWC", rt), x, f),
            _tf_grad(lambda u, v: tfn(u, v, st, padding, "NHWC", rt), x, f),
        ):
            np.testing.assert_allclose(a, b, atol=1e-4)


def test_depth_space_batch():
    x = RNG.normal(size=(2, 4, 6, 8))
    np.testing.assert_array_equal(_n(cg.nn.depth_to_space(x, 2)), tf.nn.depth_to_space(x, 2))
    np.testing.assert_array_equal(_n(cg.nn.space_to_depth(x, 2)), tf.nn.space_to_depth(x, 2))
    pads = [[0, 2], [1, 2]]
    sb = tf.space_to_batch_nd(x, [2, 3], pads).numpy()
    np.testing.assert_array_equal(_n(cg.nn.space_to_batch(x, [2, 3], pads)), sb)
    np.testing.assert_array_equal(
        _n(cg.nn.batch_to_space(sb, [2, 3], pads)), tf.batch_to_space(sb, [2, 3], pads)
    )
    g = _cg_grad(lambda u: cg.nn.depth_to_space(u, 2), x)[0]
    np.testing.assert_allclose(g, _tf_grad(lambda u: tf.nn.depth_to_space(u, 2), x)[0])
    with pytest.raises(ValueError, match="depth_to_space"):
        cg.nn.depth_to_space(x[..., :6], 2)
    with pytest.raises(ValueError, match="space_to_batch_nd"):
        cg.nn.space_to_batch(x, [3, 3], [[0, 0], [0, 0]])


def test_lrn_alias():
    x = _f32(2, 3, 3, 7)
    np.testing.assert_allclose(
        _n(cg.nn.lrn(x, 2, 1.0, 0.5, 0.75)), tf.nn.lrn(x, 2, 1.0, 0.5, 0.75).numpy(), rtol=1e-5
    )


def test_collapse_and_ctc_decoders():
    lab, sl = np.array([[1, 1, 2, 2, 3], [4, 4, 4, 0, 0]]), np.array([5, 3])
    a, b = tf.nn.collapse_repeated(lab, sl)
    c, d = cg.nn.collapse_repeated(lab, sl)
    np.testing.assert_array_equal(_n(c), a.numpy())
    np.testing.assert_array_equal(_n(d), b.numpy())
    lg, sl = _f32(6, 3, 4), np.array([6, 4, 5])
    (dt,), nl = tf.nn.ctc_greedy_decoder(lg, sl)
    (dc,), nc = cg.nn.ctc_greedy_decoder(lg, sl)
    np.testing.assert_array_equal(_n(dc), tf.sparse.to_dense(dt, default_value=-1).numpy())
    np.testing.assert_allclose(_n(nc), nl.numpy(), rtol=1e-5)
    dts, lp = tf.nn.ctc_beam_search_decoder(lg, sl, beam_width=10, top_paths=2)
    dcs, lc = cg.nn.ctc_beam_search_decoder(lg, sl, beam_width=10, top_paths=2)
    for a, b in zip(dts, dcs):
        np.testing.assert_array_equal(_n(b), tf.sparse.to_dense(a, default_value=-1).numpy())
    np.testing.assert_allclose(_n(lc), lp.numpy(), rtol=1e-5)
