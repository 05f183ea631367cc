"""TensorFlow's tf.nn names in cg.nn: batch_normalization, moments (TensorFlow's
stop_gradient in the variance), top_k / in_top_k, log_poisson_loss, the moment helpers,
weighted_cross_entropy_with_logits, crelu, compute_average_loss: values from TensorFlow's
formulas (and TensorFlow itself where installed), float64 gradients."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(1618)
N = cg.nn


def test_batch_normalization():
    x = RNG.standard_normal((4, 3))
    mean, var = x.mean(0), x.var(0)
    offset, scale = RNG.standard_normal(3), RNG.uniform(0.5, 2, 3)
    want = scale * (x - mean) / np.sqrt(var + 1e-3) + offset
    np.testing.assert_allclose(
        N.batch_normalization(x, mean, var, offset, scale, 1e-3).numpy(), want
    )
    np.testing.assert_allclose(
        N.batch_normalization(x, mean, var, None, None, 1e-3).numpy(),
        (x - mean) / np.sqrt(var + 1e-3),
    )
    out = N.batch_normalization(x.astype(np.float32), mean, var, offset, scale, 1e-3)
    assert out.dtype == np.float32
    assert cg.gradcheck(
        lambda a, m, v, o, s: N.batch_normalization(a, m, v, o, s, 1e-3),
        x,
        mean,
        var,
        offset,
        scale,
    )


def test_moments_matches_tensorflow_graph():
    x = RNG.standard_normal((3, 4))
    m, v = N.moments(x, axes=[0])
    np.testing.assert_allclose(m.numpy(), x.mean(0))
    np.testing.assert_allclose(v.numpy(), x.var(0))
    m, v = N.moments(x, axes=[0, 1], keepdims=True)
    assert m.shape == v.shape == (1, 1)
    assert cg.gradcheck(lambda t: N.moments(t, [1])[1], x)
    # TensorFlow's variance is mean(square(x - stop_gradient(mean))): its Hessian is
    # 2/n * I, not the centred 2/n * (I - 1/n)
    h = cg.hessian(lambda t: N.moments(t, [0])[1])(cg.tensor(x[:, 0]))
    np.testing.assert_allclose(h.numpy(), 2 / 3 * np.eye(3), atol=1e-12)
    mh, vh = N.moments(x.astype(np.float16), [0])
    assert mh.dtype == vh.dtype == np.float16


def test_top_k_and_in_top_k():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, 5.0, 5.0]])
    vals, idx = N.top_k(x, k=2)
    np.testing.assert_array_equal(vals.numpy(), [[3, 3], [5, 5]])
    np.testing.assert_array_equal(idx.numpy(), [[1, 2], [2, 3]])  # ties: lower index first
    assert idx.dtype == np.int32 and N.top_k(x, 1, index_type=cg.int64).indices.dtype == np.int64
    assert N.top_k is cg.math.top_k
    np.testing.assert_array_equal(
        N.top_k(np.array([3, 250, 7], dtype=np.uint8), 2).indices.numpy(), [1, 2]
    )
    with pytest.raises(ValueError, match=r"top_k: k=5 is not in \[0, 4\]"):
        N.top_k(x, 5)
    with pytest.raises(TypeError, match="top_k: input of dtype bool"):
        N.top_k(np.array([True]), 1)
    t = cg.tensor(x, requires_grad=True)
    cg.sum(N.top_k(t, 2).values * np.array([[1.0, 2.0]])).backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[0, 1, 2, 0], [0, 0, 1, 2]])
    # in_top_k: ties at the boundary count as in; non-finite rows and bad targets are out
    preds = np.array([[0.1, 0.9, 0.9], [1.0, 1.0, 1.0], [np.inf, 0.0, 1.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(
        N.in_top_k([0, 1, 2, 5], preds, 1).numpy(), [False, True, False, False]
    )
    np.testing.assert_array_equal(
        N.in_top_k([2, 0, 1, 1], preds, 2).numpy(), [True, True, False, True]
    )
    with pytest.raises(ValueError, match=r"in_top_k: predictions must be \(batch, classes\)"):
        N.in_top_k([0], np.ones(3), 1)


def test_log_poisson_loss():
    t = np.array([0.0, 0.5, 1.0, 3.0, 10.0])
    c = RNG.standard_normal(5)
    base = np.exp(c) - c * t
    np.testing.assert_allclose(N.log_poisson_loss(t, c).numpy(), base)
    stirling = np.where(
        t > 1,
        t * np.log(np.where(t > 1, t, 1)) - t + 0.5 * np.log(2 * np.pi * np.where(t > 1, t, 1)),
        0,
    )
    np.testing.assert_allclose(
        N.log_poisson_loss(t, c, compute_full_loss=True).numpy(), base + stirling
    )
    assert cg.gradcheck(lambda a, b: N.log_poisson_loss(a, b, compute_full_loss=True), t + 0.25, c)
    tt = cg.tensor(t, requires_grad=True)  # finite gradient at targets 0 and 1
    cg.sum(N.log_poisson_loss(tt, c, compute_full_loss=True)).backward()
    assert np.all(np.isfinite(tt.grad.numpy()))
    with pytest.raises(
        ValueError, match=r"log_poisson_loss: log_input and targets must have the same shape"
    ):
        N.log_poisson_loss(np.ones(2), np.ones(3))


def test_sufficient_statistics_normalize_weighted_moments():
    x = RNG.standard_normal((4, 3))
    count, m_ss, v_ss, shift = N.sufficient_statistics(x, [0], shift=0.5)
    assert float(count) == 4.0 and shift == 0.5
    np.testing.assert_allclose(m_ss.numpy(), (x - 0.5).sum(0))
    np.testing.assert_allclose(v_ss.numpy(), ((x - 0.5) ** 2).sum(0))
    mean, var = N.normalize_moments(count, m_ss, v_ss, shift)
    np.testing.assert_allclose(mean.numpy(), x.mean(0))
    np.testing.assert_allclose(var.numpy(), x.var(0))
    w = np.array([[1.0], [2.0], [0.0], [1.0]])
    wm, wv = N.weighted_moments(x, [0], w)
    want_m = (w * x).sum(0) / w.sum()
    np.testing.assert_allclose(wm.numpy(), want_m)
    np.testing.assert_allclose(wv.numpy(), (w * (x - want_m) ** 2).sum(0) / w.sum())
    zm, zv = N.weighted_moments(x, [0], np.zeros((4, 1)))  # weights summing to 0: 0
    np.testing.assert_array_equal(zm.numpy(), 0)
    assert cg.gradcheck(lambda a, b: N.weighted_moments(a, [0], b)[1], x, w + 0.5)


def test_weighted_cross_entropy_crelu_average_loss():
    z = RNG.uniform(0, 1, (3, 2))
    x = RNG.standard_normal((3, 2))
    q = 2.5
    want = (1 - z) * x + (1 + (q - 1) * z) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
    np.testing.assert_allclose(N.weighted_cross_entropy_with_logits(z, x, q).numpy(), want)
    assert cg.gradcheck(lambda a: N.weighted_cross_entropy_with_logits(z, a, q), x)
    with pytest.raises(ValueError, match="weighted_cross_entropy_with_logits: logits and labels"):
        N.weighted_cross_entropy_with_logits(np.ones(2), np.ones(3), q)
    np.testing.assert_array_equal(N.crelu(np.array([[-1.0, 2.0]])).numpy(), [[0, 2, 1, 0]])
    np.testing.assert_array_equal(
        N.crelu(np.array([[-1.0, 2.0]]), axis=0).numpy(), [[0, 2], [1, 0]]
    )
    loss = np.array([1.0, 2.0, 3.0])
    assert float(N.compute_average_loss(loss)) == 2.0
    assert (
        float(
            N.compute_average_loss(
                loss, sample_weight=np.array([1.0, 0.0, 2.0]), global_batch_size=7
            )
        )
        == 1.0
    )
    with pytest.raises(
        ValueError, match="compute_average_loss: per_example_loss must have at least one axis"
    ):
        N.compute_average_loss(np.float64(1.0))
    assert float(N.scale_regularization_loss([1.0, 2.0])) == 3.0
    assert float(N.zero_fraction(np.array([0, 1, 0, 0]))) == 0.75


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((4, 3))
    m, v = tf.nn.moments(x, [0])
    ours = N.moments(x, [0])
    np.testing.assert_allclose(ours[0].numpy(), m.numpy())
    np.testing.assert_allclose(ours[1].numpy(), v.numpy())
    np.testing.assert_allclose(
        N.batch_normalization(x, m.numpy(), v.numpy(), 0.5, 2.0, 1e-3).numpy(),
        tf.nn.batch_normalization(x, m, v, 0.5, 2.0, 1e-3).numpy(),
    )
    t = np.array([0.0, 0.5, 3.0])
    c = np.array([0.1, -0.2, 0.3])
    np.testing.assert_allclose(
        N.log_poisson_loss(t, c, True).numpy(), tf.nn.log_poisson_loss(t, c, True).numpy()
    )
    preds = np.array([[0.1, 0.9, 0.9], [1.0, 1.0, 1.0]], dtype=np.float32)
    np.testing.assert_array_equal(
        N.in_top_k([0, 1], preds, 1).numpy(), tf.math.in_top_k([0, 1], preds, 1).numpy()
    )


def test_conv1d_and_pools_1d():
    x = RNG.standard_normal((2, 6, 3))
    f = RNG.standard_normal((3, 3, 4))
    xp = np.pad(x, [(0, 0), (1, 1), (0, 0)])  # SAME for k=3, stride 1
    want = np.stack([np.einsum("nkc,kco->no", xp[:, i : i + 3], f) for i in range(6)], 1)
    np.testing.assert_allclose(N.conv1d(x, f, 1, "SAME").numpy(), want)
    np.testing.assert_allclose(N.conv1d(x, f, 2, "VALID").numpy(), want[:, 1:5:2])
    ncw = N.conv1d(np.transpose(x, (0, 2, 1)), f, 1, "SAME", data_format="NCW")
    np.testing.assert_allclose(ncw.numpy(), np.transpose(want, (0, 2, 1)))
    assert cg.gradcheck(lambda a, b: N.conv1d(a, b, 2, "SAME"), x[:1, :5, :2], f[:, :2, :2])
    np.testing.assert_array_equal(
        N.max_pool1d(x, 2, 2, "VALID").numpy(), x.reshape(2, 3, 2, 3).max(2)
    )
    np.testing.assert_allclose(
        N.avg_pool1d(x, 3, 3, "VALID").numpy(), x.reshape(2, 2, 3, 3).mean(2)
    )
    # SAME average pooling counts only the real entries of each window
    same = N.avg_pool1d(x, 2, 2, "SAME").numpy()
    np.testing.assert_allclose(same, x.reshape(2, 3, 2, 3).mean(2))
    odd = N.avg_pool1d(x[:, :5], 2, 2, "SAME").numpy()
    np.testing.assert_allclose(odd[:, 2], x[:, 4])
    np.testing.assert_array_equal(
        N.max_pool(x, 2, 2, "VALID").numpy(), N.max_pool1d(x, 2, 2, "VALID").numpy()
    )
    img = RNG.standard_normal((1, 4, 4, 2))
    np.testing.assert_array_equal(
        N.avg_pool(img, 2, 2, "VALID").numpy(), N.avg_pool2d(img, 2, 2, "VALID").numpy()
    )
    with pytest.raises(ValueError, match="max_pool: input must be 3-D or 4-D"):
        N.max_pool(np.ones((2, 2)), 1, 1, "VALID")


def test_depthwise_conv2d():
    img = RNG.standard_normal((2, 5, 5, 2))
    df = RNG.standard_normal((3, 3, 2, 3))
    got = N.depthwise_conv2d(img, df, [1, 1, 1, 1], "VALID").numpy()
    want = np.zeros((2, 3, 3, 6))
    for c in range(2):
        for m in range(3):
            for i in range(3):
                for j in range(3):
                    want[:, i, j, c * 3 + m] = np.sum(
                        img[:, i : i + 3, j : j + 3, c] * df[:, :, c, m], axis=(1, 2)
                    )
    np.testing.assert_allclose(got, want)
    assert N.depthwise_conv2d(img, df, [1, 2, 2, 1], "SAME").shape == (2, 3, 3, 6)
    assert cg.gradcheck(
        lambda a, b: N.depthwise_conv2d(a, b, [1, 2, 2, 1], "SAME"),
        img[:1, :4, :4],
        df[:2, :2, :, :1],
    )
    with pytest.raises(
        ValueError, match="depthwise_conv2d: input has 2 channels, filter expects 3"
    ):
        N.depthwise_conv2d(img, np.ones((3, 3, 3, 1)), [1, 1, 1, 1], "VALID")


@pytest.mark.parametrize(
    "padding,stride,shape",
    [
        ("SAME", 2, (1, 7, 7, 2)),
        ("VALID", 2, (2, 8, 8, 2)),
        ("SAME", 1, (1, 5, 6, 2)),
        ("VALID", 3, (1, 9, 10, 2)),
    ],
)
def test_conv2d_transpose_is_the_gradient_of_conv2d(padding, stride, shape):
    w = RNG.standard_normal((3, 3, 2, 4))
    x = RNG.standard_normal(shape)
    out_shape = N.conv2d(x, w, stride, padding).shape
    g = RNG.standard_normal(out_shape)
    t = cg.tensor(x, requires_grad=True)
    cg.sum(N.conv2d(t, w, stride, padding) * g).backward()
    got = N.conv2d_transpose(g, w, shape, stride, padding)
    np.testing.assert_allclose(got.numpy(), t.grad.numpy())
    assert cg.gradcheck(
        lambda a, b: N.conv2d_transpose(a, b, (1, 4, 4, 2), 2, "SAME"),
        RNG.standard_normal((1, 2, 2, 3)),
        RNG.standard_normal((2, 2, 2, 3)),
    )
    with pytest.raises(ValueError, match="conv2d_transpose: filters of shape"):
        N.conv2d_transpose(g, w, (1, 7, 7, 5), stride, padding)


def test_local_response_normalization():
    x = RNG.standard_normal((1, 2, 3, 7))
    r, b, a, be = 2, 1.5, 0.5, 0.75
    sq = np.pad(x**2, [(0, 0), (0, 0), (0, 0), (r, r)])
    sums = sum(sq[..., i : i + 7] for i in range(2 * r + 1))
    np.testing.assert_allclose(
        N.local_response_normalization(x, r, b, a, be).numpy(), x / (b + a * sums) ** be
    )
    assert cg.gradcheck(
        lambda t: N.local_response_normalization(t, 1, 1.0, 0.5, 0.5), x[:, :1, :2, :4]
    )
    with pytest.raises(ValueError, match="local_response_normalization: input must be 4-D"):
        N.local_response_normalization(np.ones((2, 3)))


def test_convolutions_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((1, 6, 6, 2))
    w = RNG.standard_normal((3, 3, 2, 4))
    g = RNG.standard_normal((1, 3, 3, 4))
    np.testing.assert_allclose(
        N.conv2d_transpose(g, w, (1, 6, 6, 2), 2, "SAME").numpy(),
        tf.nn.conv2d_transpose(g, w, (1, 6, 6, 2), 2, "SAME").numpy(),
        rtol=1e-6,
    )
    dw = RNG.standard_normal((3, 3, 2, 2))
    np.testing.assert_allclose(
        N.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME").numpy(),
        tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME").numpy(),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        N.local_response_normalization(x, 1).numpy(),
        tf.nn.local_response_normalization(x, 1).numpy(),
        rtol=1e-6,
    )


def test_convolution_variants():
    img = RNG.standard_normal((1, 6, 6, 2))
    w = RNG.standard_normal((3, 3, 2, 3))
    np.testing.assert_allclose(
        N.atrous_conv2d(img, w, 2, "SAME").numpy(), N.conv2d(img, w, 1, "SAME", dilations=2).numpy()
    )
    np.testing.assert_allclose(
        N.convolution(img, w, padding="SAME").numpy(), N.conv2d(img, w, 1, "SAME").numpy()
    )
    seq = RNG.standard_normal((2, 5, 2))
    f1 = RNG.standard_normal((2, 2, 3))
    np.testing.assert_allclose(
        N.convolution(seq, f1, 2).numpy(), N.conv1d(seq, f1, 2, "VALID").numpy()
    )
    dw = RNG.standard_normal((3, 3, 2, 2))
    pw = RNG.standard_normal((1, 1, 4, 5))
    sep = N.separable_conv2d(img, dw, pw, [1, 1, 1, 1], "SAME").numpy()
    want = np.einsum(
        "nhwc,co->nhwo", N.depthwise_conv2d(img, dw, [1, 1, 1, 1], "SAME").numpy(), pw[0, 0]
    )
    np.testing.assert_allclose(sep, want)
    # conv1d_transpose is the gradient of conv1d
    ft = RNG.standard_normal((3, 2, 4))
    x = cg.tensor(seq[:, :5], requires_grad=True)
    out = N.conv1d(x, ft, 2, "SAME")
    g = RNG.standard_normal(out.shape)
    cg.sum(out * g).backward()
    np.testing.assert_allclose(
        N.conv1d_transpose(g, ft, (2, 5, 2), 2, "SAME").numpy(), x.grad.numpy()
    )
    m, v = seq.mean((0, 1)), seq.var((0, 1))
    np.testing.assert_allclose(
        N.batch_norm_with_global_normalization(seq, m, v, 0.5, 2.0, 1e-3, True).numpy(),
        N.batch_normalization(seq, m, v, 0.5, 2.0, 1e-3).numpy(),
    )
    np.testing.assert_allclose(
        N.batch_norm_with_global_normalization(seq, m, v, 0.5, 2.0, 1e-3, False).numpy(),
        N.batch_normalization(seq, m, v, 0.5, None, 1e-3).numpy(),
    )
