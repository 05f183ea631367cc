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


# ---- top-level names


def test_tensor_shape_and_spec():
    s = cg.TensorShape([None, 3])
    t = tf.TensorShape([None, 3])
    assert s.as_list() == t.as_list() and s.rank == t.rank == 2
    assert not s.is_fully_defined()
    assert s.merge_with([2, None]).as_list() == t.merge_with([2, None]).as_list() == [2, 3]
    assert s.concatenate([4]).as_list() == [None, 3, 4]
    assert s[1] == 3 and s[0] is None and s[1:].as_list() == [3]
    assert cg.TensorShape(None).rank is None
    with pytest.raises(ValueError, match="merge_with"):
        s.merge_with([2, 4])
    with pytest.raises(ValueError, match="as_list"):
        cg.TensorShape(None).as_list()
    spec = cg.TensorSpec([None, 2], cg.float32, "x")
    assert spec.is_compatible_with(np.zeros((5, 2), np.float32))
    assert not spec.is_compatible_with(np.zeros((5, 3), np.float32))
    assert not spec.is_compatible_with(np.zeros((5, 2), np.float64))
    assert cg.as_dtype("float64") == np.float64 == cg.as_dtype(tf.float64)


def test_gradients_and_hessians_on_recorded_tensors():
    xv = np.array([0.5, -1.0, 2.0])
    x = cg.tensor(xv, requires_grad=True)
    z = cg.tensor(1.0, requires_grad=True)
    y = cg.sum(cg.sin(x) * x**2)
    g, gz = cg.gradients(y, [x, z])
    assert gz is None
    assert _n(cg.gradients(y, [x, z], unconnected_gradients="zero")[1]) == 0
    xt = tf.constant(xv)
    with tf.GradientTape(persistent=True) as t2:
        t2.watch(xt)
        with tf.GradientTape() as t1:
            t1.watch(xt)
            yt = tf.reduce_sum(tf.sin(xt) * xt**2)
        gt = t1.gradient(yt, xt)
    np.testing.assert_allclose(_n(g), gt.numpy())
    (h,) = cg.hessians(y, x)
    np.testing.assert_allclose(_n(h), t2.jacobian(gt, xt).numpy())
    (gw,) = cg.gradients(y, x, grad_ys=cg.asarray(3.0))
    np.testing.assert_allclose(_n(gw), 3 * gt.numpy())


def test_scopes_and_function_helpers():
    with cg.name_scope("a"):
        with cg.name_scope("b") as sc:
            assert sc == "a/b/" and cg.get_current_name_scope() == "a/b"
    assert cg.get_current_name_scope() == ""
    with cg.control_dependencies([]), cg.init_scope():
        pass
    assert not cg.inside_function()
    seen = []

    @cg.function
    def f(v):
        seen.append((cg.inside_function(), cg.is_symbolic_tensor(v)))
        return v * 2

    f(np.ones(2))
    assert seen == [(True, True)]
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = cg.py_function(lambda v: v**2, [x], cg.float64)
    (g,) = cg.autograd.grad(cg.sum(y), [x])
    np.testing.assert_allclose(_n(g), [2.0, 4.0])
    r = cg.numpy_function(lambda v: np.sort(v), [np.array([3, 1, 2])], cg.int64)
    np.testing.assert_array_equal(_n(r), [1, 2, 3])
    gp = cg.grad(lambda v: cg.sum(cg.grad_pass_through(cg.round)(v) * v))(cg.asarray([1.2, 2.7]))
    np.testing.assert_allclose(_n(gp), [1.0 + 1.2, 3.0 + 2.7])
    assert cg.tuple([1, 2]) == [1, 2] and cg.recompute_grad(cg.sin) is cg.sin


def test_asserts():
    cg.assert_equal(np.ones(2), np.ones(2))
    cg.assert_less(1, 2)
    cg.assert_greater(2, 1)
    cg.assert_rank(np.ones((2, 2)), 2)
    cg.Assert(True, ["fine"])
    for call, fn in [
        (lambda: cg.assert_equal(1, 2), "assert_equal"),
        (lambda: cg.assert_less(2, 2), "assert_less"),
        (lambda: cg.assert_greater(1, 2), "assert_greater"),
        (lambda: cg.assert_rank(np.ones(2), 2), "assert_rank"),
        (lambda: cg.Assert(np.array([True, False]), ["bad"]), "Assert"),
    ]:
        with pytest.raises(ValueError, match=fn):
            call()


def test_histograms_paddings_bitcast():
    v = np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0])
    np.testing.assert_array_equal(
        _n(cg.histogram_fixed_width(v, [0.0, 5.0], nbins=5)),
        tf.histogram_fixed_width(v, np.array([0.0, 5.0]), nbins=5).numpy(),
    )
    np.testing.assert_array_equal(
        _n(cg.histogram_fixed_width_bins(v, [0.0, 5.0], nbins=5)),
        tf.histogram_fixed_width_bins(v, np.array([0.0, 5.0]), nbins=5).numpy(),
    )
    for got, want in zip(
        cg.required_space_to_batch_paddings([5, 7], [2, 3], [[1, 0], [0, 2]]),
        tf.required_space_to_batch_paddings([5, 7], [2, 3], [[1, 0], [0, 2]]),
    ):
        np.testing.assert_array_equal(_n(got), want.numpy())
    a = np.array([1.5, -2.0], np.float32)
    np.testing.assert_array_equal(_n(cg.bitcast(a, cg.int32)), tf.bitcast(a, tf.int32).numpy())
    np.testing.assert_array_equal(_n(cg.bitcast(a, cg.uint8)), tf.bitcast(a, tf.uint8).numpy())
    with pytest.raises(ValueError, match="bitcast"):
        cg.bitcast(a[:1], cg.float64)


def test_linalg_fft_and_initializers():
    m = RNG.normal(size=(4, 4))
    e = np.sort_complex(_n(cg.eigvals(m)))
    np.testing.assert_allclose(e, np.sort_complex(tf.eigvals(m).numpy()), atol=1e-10)
    spd = m @ m.T + 4 * np.eye(4)
    np.testing.assert_allclose(_n(cg.matrix_square_root(spd)), tf.linalg.sqrtm(spd).numpy())
    z = RNG.normal(size=(3, 4, 5)) + 1j * RNG.normal(size=(3, 4, 5))
    np.testing.assert_allclose(
        _n(cg.fftnd(z, [4, 6], [1, 2])), np.fft.fftn(z, [4, 6], [1, 2]), atol=1e-10
    )
    assert _n(cg.zeros_initializer()((2, 3))).shape == (2, 3)
    np.testing.assert_array_equal(
        _n(cg.constant_initializer([1, 2, 3, 4])((2, 2), cg.float64)), [[1.0, 2], [3, 4]]
    )
    u = _n(cg.random_uniform_initializer(-1.0, 1.0, seed=3)((1000,)))
    assert u.dtype == np.float32 and -1 <= u.min() and u.max() < 1 and abs(u.mean()) < 0.1
    assert isinstance(cg.make_ndarray(cg.asarray([1.0])), np.ndarray)
    assert float(_n(cg.timestamp())) > 1.6e9


# ---- cg.image

IMG = RNG.random((2, 5, 7, 3))


def _cmp(a, b, atol=1e-6):
    a, b = _n(a), _n(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, atol=atol)


@pytest.mark.parametrize(
    "name",
    [
        "flip_left_right", "flip_up_down", "transpose", "rgb_to_grayscale", "rgb_to_hsv",
        "hsv_to_rgb", "rgb_to_yuv", "yuv_to_rgb", "per_image_standardization",
        "total_variation", "image_gradients", "sobel_edges", "rgb_to_yiq", "yiq_to_rgb",
    ],
)  # fmt: skip
def test_image_one_argument_functions(name):
    a, b = getattr(cg.image, name)(IMG), getattr(tf.image, name)(tf.constant(IMG))
    for u, v in zip(a, b) if isinstance(a, tuple) else [(a, b)]:
        _cmp(u, v, 1e-5)


def test_image_geometry():
    x, xt = IMG, tf.constant(IMG)
    ci, T = cg.image, tf.image
    _cmp(ci.rot90(x, 3), T.rot90(xt, 3))
    _cmp(ci.rot90(x[0]), T.rot90(xt[0]))
    _cmp(ci.central_crop(x, 0.5), T.central_crop(xt, 0.5))
    _cmp(ci.crop_to_bounding_box(x, 1, 2, 3, 4), T.crop_to_bounding_box(xt, 1, 2, 3, 4))
    _cmp(ci.pad_to_bounding_box(x, 1, 2, 8, 10), T.pad_to_bounding_box(xt, 1, 2, 8, 10))
    _cmp(ci.resize_with_crop_or_pad(x, 4, 10), T.resize_with_crop_or_pad(xt, 4, 10))
    _cmp(ci.resize_with_pad(x, 9, 9), T.resize_with_pad(xt, 9, 9))
    for p in ["SAME", "VALID"]:
        args = ([1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 2, 1], p)
        _cmp(ci.extract_patches(x, *args), T.extract_patches(xt, *args))
    with pytest.raises(ValueError, match="crop_to_bounding_box"):
        ci.crop_to_bounding_box(x, 3, 0, 3, 4)
    with pytest.raises(ValueError, match="central_crop"):
        ci.central_crop(x, 0.0)


@pytest.mark.parametrize("size", [(9, 4), (3, 11), (5, 7)])
@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_resize(size, method):
    _cmp(cg.image.resize(IMG, size, method), tf.image.resize(tf.constant(IMG), size, method))
    u8 = (IMG * 255).astype(np.uint8)
    _cmp(cg.image.resize(u8, size, method), tf.image.resize(u8, size, method), 1e-4)
    _cmp(
        cg.image.resize(IMG, (10, 10), method, preserve_aspect_ratio=True),
        tf.image.resize(tf.constant(IMG), (10, 10), method, preserve_aspect_ratio=True),
    )
    with pytest.raises(NotImplementedError, match="resize"):
        cg.image.resize(IMG, size, "bicubic")


def test_image_adjustments_and_dtypes():
    x, xt = IMG, tf.constant(IMG)
    ci, T = cg.image, tf.image
    _cmp(ci.adjust_brightness(x, 0.1), T.adjust_brightness(xt, 0.1))
    _cmp(ci.adjust_contrast(x, 1.7), T.adjust_contrast(xt, 1.7))
    _cmp(ci.adjust_gamma(x, 2.0, 1.5), T.adjust_gamma(xt, 2.0, 1.5))
    for f in (0.4, 2.4):
        _cmp(ci.adjust_saturation(x, f), T.adjust_saturation(xt, f), 1e-5)
    for d in (0.3, -0.7):
        _cmp(ci.adjust_hue(x, d), T.adjust_hue(xt, d), 1e-5)
    _cmp(ci.grayscale_to_rgb(x[..., :1]), T.grayscale_to_rgb(xt[..., :1]))
    _cmp(ci.psnr(x, x * 0.9, 1.0), T.psnr(xt, xt * 0.9, 1.0), 1e-5)
    u8 = (x * 255).astype(np.uint8)
    _cmp(ci.convert_image_dtype(u8, np.float32), T.convert_image_dtype(u8, tf.float32))
    f32 = x.astype(np.float32)
    _cmp(ci.convert_image_dtype(f32, np.uint8), T.convert_image_dtype(f32, tf.uint8))
    _cmp(ci.convert_image_dtype(u8, np.int32), T.convert_image_dtype(u8, tf.int32))
    with pytest.raises(ValueError, match="rgb_to_hsv"):
        ci.rgb_to_hsv(x[..., :2])
    with pytest.raises(ValueError, match="adjust_hue"):
        ci.adjust_hue(x, 1.5)


@pytest.mark.parametrize(
    "cfn, tfn",
    [
        (lambda u: cg.image.resize(u, (9, 4)), lambda u: tf.image.resize(u, (9, 4))),
        (cg.image.per_image_standardization, tf.image.per_image_standardization),
        (cg.image.sobel_edges, tf.image.sobel_edges),
        (cg.image.total_variation, tf.image.total_variation),
        (cg.image.rgb_to_yuv, tf.image.rgb_to_yuv),
    ],
)  # fmt: skip
def test_image_gradients_match_tf(cfn, tfn):
    x = IMG.astype(np.float32)
    np.testing.assert_allclose(_cg_grad(cfn, x)[0], _tf_grad(tfn, x)[0], rtol=1e-4, atol=2e-4)


def test_random_image_ops_are_seeded():
    x = IMG
    a = _n(cg.image.random_crop(x, (2, 3, 3, 3), seed=5))
    np.testing.assert_array_equal(a, _n(cg.image.random_crop(x, (2, 3, 3, 3), seed=5)))
    assert any((a == x[:, i : i + 3, j : j + 3]).all() for i in range(3) for j in range(5))
    f = _n(cg.image.random_flip_left_right(x, seed=1))
    for k in range(2):
        assert (f[k] == x[k]).all() or (f[k] == x[k, :, ::-1]).all()
    b = _n(cg.image.random_brightness(x, 0.2, seed=2)) - x
    assert np.allclose(b, b.flat[0]) and abs(b.flat[0]) <= 0.2
    with pytest.raises(ValueError, match="random_crop"):
        cg.image.random_crop(x, (3, 3, 3, 3))


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_depthwise_backprops(padding):
    x, f = RNG.normal(size=(2, 6, 7, 3)), RNG.normal(size=(3, 2, 3, 2))
    s = [1, 2, 2, 1]
    g = RNG.normal(size=tf.nn.depthwise_conv2d(x, f, s, padding).shape)
    np.testing.assert_allclose(
        _n(cg.nn.depthwise_conv2d_backprop_input(x.shape, f, g, s, padding)),
        tf.nn.depthwise_conv2d_backprop_input(x.shape, f, g, s, padding).numpy(),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        _n(cg.nn.depthwise_conv2d_backprop_filter(x, f.shape, g, s, padding)),
        tf.nn.depthwise_conv2d_backprop_filter(x, f.shape, g, s, padding).numpy(),
        atol=1e-12,
    )


def test_approx_k_is_exact():
    z = _f32(3, 8)
    for got, want in zip(cg.nn.approx_max_k(z, 3), tf.nn.approx_max_k(z, 3)):
        _cmp(got, want)
    v, i = cg.nn.approx_min_k(z, 2, reduction_dimension=0)  # TF: no CPU kernel for min
    np.testing.assert_array_equal(_n(i), np.argsort(z, axis=0, kind="stable")[:2])
    np.testing.assert_array_equal(_n(v), np.sort(z, axis=0)[:2])


def test_approx_top_k_and_volume_patches():
    z = _f32(3, 8)
    for got, want in zip(cg.approx_top_k(z, 3), tf.approx_top_k(z, 3)):
        _cmp(got, want)
    x = RNG.normal(size=(2, 5, 6, 4, 2))
    for p in ["SAME", "VALID"]:
        args = ([1, 2, 3, 2, 1], [1, 2, 1, 2, 1], p)
        _cmp(cg.extract_volume_patches(x, *args), tf.extract_volume_patches(x, *args))
    with pytest.raises(ValueError, match="extract_volume_patches"):
        cg.extract_volume_patches(x[0], *args)


def test_random_hue_saturation_and_resize_method():
    x = IMG
    h = _n(cg.image.random_hue(x, 0.2, seed=3))
    assert h.shape == x.shape and not np.allclose(h, x)
    s = _n(cg.image.random_saturation(x, 0.5, 1.5, seed=3))
    np.testing.assert_allclose(s.max(axis=-1), x.max(axis=-1), atol=1e-12)  # V is kept
    with pytest.raises(ValueError, match="random_hue"):
        cg.image.random_hue(x, 0.7)
    assert cg.image.ResizeMethod.NEAREST_NEIGHBOR == tf.image.ResizeMethod.NEAREST_NEIGHBOR
    _cmp(
        cg.image.resize(x, (3, 3), cg.image.ResizeMethod.NEAREST_NEIGHBOR),
        tf.image.resize(tf.constant(x), (3, 3), tf.image.ResizeMethod.NEAREST_NEIGHBOR),
    )
