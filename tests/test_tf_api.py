"""TensorFlow-style code after a rename (``tf.`` -> ``cg.``): snippets of TensorFlow's
autodiff, modules and training-loop guides, and tf.math / tf.nn examples from its API
docs, compared with the numbers those docs print (TensorFlow is not a test dependency)
and with NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def _close(got, want, tol=1e-6):
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=tol, atol=tol)


# ------------------------------------------------------- "Introduction to gradients and
# automatic differentiation" (tensorflow.org/guide/autodiff), the printed values
def test_autodiff_guide_basics():
    x = cg.Variable(3.0)
    with cg.GradientTape() as tape:
        y = x**2
    assert float(tape.gradient(y, x)) == 6.0

    w = cg.Variable(np.random.default_rng(0).normal(size=(3, 2)), name="w")
    b = cg.Variable(cg.zeros(2, dtype=np.float32), name="b")
    xs = [[1.0, 2.0, 3.0]]
    with cg.GradientTape(persistent=True) as tape:
        y = xs @ w + b
        loss = cg.reduce_mean(y**2)
    dl_dw, dl_db = tape.gradient(loss, [w, b])
    yv = np.asarray(xs) @ np.asarray(w) + np.asarray(b)
    _close(dl_dw, np.asarray(xs).T @ yv)  # d mean(y**2) / dw with 2 outputs: 2y/2
    _close(dl_db, yv[0])
    assert dl_dw.shape == (3, 2)
    grads = tape.gradient(loss, {"w": w, "b": b})
    _close(grads["b"], dl_db)


def test_autodiff_guide_what_the_tape_watches():
    x0 = cg.Variable(3.0, name="x0")
    x1 = cg.Variable(3.0, name="x1", trainable=False)
    x2 = cg.Variable(2.0, name="x2") + 1.0  # not a Variable: a Variable + a tensor
    x3 = cg.constant(3.0, name="x3")
    with cg.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2)
    g = tape.gradient(y, [x0, x1, x2, x3])
    assert float(g[0]) == 6.0 and g[1] is None and g[2] is None and g[3] is None

    x = cg.constant(3.0)
    with cg.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    assert float(tape.gradient(y, x)) == 6.0

    x0, x1 = cg.Variable(0.0), cg.Variable(10.0)
    with cg.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y = cg.math.sin(x0) + cg.nn.softplus(x1)
        ys = cg.reduce_sum(y)
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})
    assert grad["x0"] is None
    _close(grad["x1"], 0.9999546)


def test_autodiff_guide_intermediates_persistent_and_nonscalar_targets():
    x = cg.constant(3.0)
    with cg.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, y)) == 18.0

    x = cg.constant([1, 3.0])
    with cg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    _close(tape.gradient(z, x), [4.0, 108.0])
    _close(tape.gradient(y, x), [2.0, 6.0])

    x = cg.Variable(2.0)
    with cg.GradientTape(persistent=True) as tape:
        y0 = x**2
        y1 = 1 / x
    assert float(tape.gradient(y0, x)) == 4.0 and float(tape.gradient(y1, x)) == -0.25
    with cg.GradientTape() as tape:
        y = x * [3.0, 4.0]
    assert float(tape.gradient(y, x)) == 7.0

    xs = cg.linspace(-10.0, 10.0, 200 + 1)
    with cg.GradientTape() as tape:
        tape.watch(xs)
        y = cg.nn.sigmoid(xs)
    s = 1 / (1 + np.exp(-np.asarray(xs)))
    _close(tape.gradient(y, xs), s * (1 - s), 1e-12)


def test_autodiff_guide_control_flow_and_unconnected_gradients():
    x = cg.constant(1.0)
    v0, v1 = cg.Variable(2.0), cg.Variable(2.0)
    with cg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        result = v0 if x > 0.0 else v1**2
    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert float(dv0) == 1.0 and dv1 is None
    assert tape.gradient(result, x) is None

    x = cg.Variable([2.0, 2.0])
    y = cg.Variable(3.0)
    with cg.GradientTape(persistent=True) as tape:
        z = y**2
    assert tape.gradient(z, x) is None
    zero = tape.gradient(z, x, unconnected_gradients=cg.UnconnectedGradients.ZERO)
    _close(zero, [0.0, 0.0])
    assert cg.UnconnectedGradients.NONE.value == "none"
    assert cg.UnconnectedGradients("zero") is cg.UnconnectedGradients.ZERO
    assert tape.gradient(z, x, unconnected_gradients=cg.UnconnectedGradients.NONE) is None


# --------------------------------------------------------- "Introduction to modules"
class SimpleModule(cg.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.a_variable = cg.Variable(5.0, name="train_me")
        self.non_trainable_variable = cg.Variable(5.0, trainable=False, name="do_not_train_me")

    def __call__(self, x):
        return self.a_variable * x + self.non_trainable_variable


class Dense(cg.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        rng = np.random.default_rng(in_features * 10 + out_features)
        self.w = cg.Variable(rng.normal(size=(in_features, out_features)), name="w")
        self.b = cg.Variable(cg.zeros([out_features]), name="b")

    def __call__(self, x):
        return cg.nn.relu(cg.matmul(x, self.w) + self.b)


class SequentialModule(cg.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(in_features=3, out_features=3)
        self.dense_2 = Dense(in_features=3, out_features=2)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_modules_guide():
    m = SimpleModule(name="simple")
    assert float(m(cg.constant(5.0))) == 30.0
    assert [v.name for v in m.trainable_variables] == ["train_me"]
    assert [v.name for v in m.variables] == ["train_me", "do_not_train_me"]
    assert [v.name for v in m.non_trainable_variables] == ["do_not_train_me"]
    assert m.name == "simple" and SimpleModule().name == "simple_module"

    model = SequentialModule(name="the_model")
    assert model.submodules == (model.dense_1, model.dense_2)
    assert [(v.name, v.shape) for v in model.variables] == [
        ("b", (3,)),
        ("w", (3, 3)),
        ("b", (2,)),
        ("w", (3, 2)),
    ]
    assert model(cg.constant([[2.0, 2.0, 2.0]])).shape == (1, 2)
    with model.name_scope:
        pass
    with pytest.raises(ValueError, match="valid module name"):
        cg.Module(name="not valid")
    assert cg.Module is not cg.nn.Module


def test_module_collects_from_lists_dicts_and_shares_once():
    class Holder(cg.Module):
        def __init__(self):
            super().__init__()
            shared = cg.Variable(1.0, name="shared")
            self.layers = [Dense(2, 2), {"z": cg.Variable(2.0, name="z"), "a": shared}]
            self.again = shared

    h = Holder()
    names = [v.name for v in h.variables]
    assert names.count("shared") == 1 and "z" in names and len(names) == 4
    assert len(h.submodules) == 1


# -------------------------------------------- "Basic training loops" (guide), noise-free
def test_training_loop_guide_fits_the_line():
    class MyModel(cg.Module):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = cg.Variable(5.0)
            self.b = cg.Variable(0.0)

        def __call__(self, x):
            return self.w * x + self.b

    model = MyModel()
    assert float(model(3.0)) == 15.0
    assert len(model.variables) == 2

    def loss(target_y, predicted_y):
        return cg.reduce_mean(cg.square(target_y - predicted_y))

    x = cg.cast(cg.linspace(-2, 2, 201), np.float32)
    y = x * 3.0 + 2.0
    for _ in range(300):
        with cg.GradientTape() as t:
            current_loss = loss(y, model(x))
        dw, db = t.gradient(current_loss, model.trainable_variables[::-1])  # (w, b)
        model.w.assign_sub(0.1 * dw)
        model.b.assign_sub(0.1 * db)
    _close([float(model.w), float(model.b)], [3.0, 2.0], 1e-4)


# ------------------------------------------------- tf.math / tf.nn docstring examples
B = [[2, 20, 30, 3, 6], [3, 11, 16, 1, 8], [14, 45, 23, 5, 27]]
Z = [[1.0, 2.0], [3.0, 4.0]]
DOCS = [
    (lambda: cg.math.argmax([2, 20, 30, 3, 6]), 2),
    (lambda: cg.math.argmax(B, 0), [2, 2, 0, 2, 2]),
    (lambda: cg.math.argmax(B, 1), [2, 2, 1]),
    (lambda: cg.math.argmin(B), [0, 1, 1, 1, 0]),
    (lambda: cg.math.cumsum([2, 4, 6, 8]), [2, 6, 12, 20]),
    (lambda: cg.math.cumsum([2, 4, 6, 8], exclusive=True), [0, 2, 6, 12]),
    (lambda: cg.math.cumsum([2, 4, 6, 8], reverse=True), [20, 18, 14, 8]),
    (lambda: cg.math.cumsum([2, 4, 6, 8], exclusive=True, reverse=True), [18, 14, 8, 0]),
    (lambda: cg.math.cumprod([2.0, 4.0, 6.0], exclusive=True), [1.0, 2.0, 8.0]),
    (lambda: cg.reduce_logsumexp(np.zeros((2, 3))), np.log(6)),
    (lambda: cg.reduce_logsumexp(np.zeros((2, 3)), 0), [np.log(2)] * 3),
    (lambda: cg.reduce_logsumexp(np.zeros((2, 3)), 1, keepdims=True), [[np.log(3)]] * 2),
    (lambda: cg.math.reduce_std(Z), 1.118034),
    (lambda: cg.math.reduce_std(Z, 0), [1.0, 1.0]),
    (lambda: cg.math.reduce_variance(Z, 1), [0.25, 0.25]),
    (lambda: cg.reduce_sum(Z, axis=[0, 1]), 10.0),
    (lambda: cg.reduce_max(Z, axis=1, keepdims=True), [[2.0], [4.0]]),
    (lambda: cg.reduce_all([[True, True], [False, True]], axis=0), [False, True]),
    (lambda: cg.math.softplus(cg.range(0, 2, dtype=np.float32)), [0.6931472, 1.3132616]),
    (lambda: cg.math.l2_normalize([3.0, 4.0]), [0.6, 0.8]),
    (
        lambda: cg.clip_by_norm([[1.0, 2, 3, 4, 5]], 2.0),
        [[0.26967996, 0.5393599, 0.80903983, 1.0787199, 1.3483998]],
    ),
    (
        lambda: cg.clip_by_value([[-10.0, -1.0, 0.0], [0.0, 2.0, 10.0]], -1, 1),
        [[-1, -1, 0], [0, 1, 1]],
    ),
    (
        lambda: cg.add_n([cg.constant([[3, 5], [4, 8]]), [[1, 6], [2, 9]], [[3, 5], [4, 8]]]),
        [[7, 16], [10, 25]],
    ),
    (lambda: cg.boolean_mask([0, 1, 2, 3], np.array([True, False, True, False])), [0, 2]),
    (
        lambda: cg.boolean_mask([[1, 2], [3, 4], [5, 6]], np.array([True, False, True])),
        [[1, 2], [5, 6]],
    ),
    (lambda: cg.one_hot([0, 1, 2], 3), np.eye(3)),
    (
        lambda: cg.one_hot([0, 2, -1, 1], 3, on_value=5.0, off_value=0.0, axis=-1),
        [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]],
    ),
    (lambda: cg.norm([[3.0, 4.0], [0.0, 0.0]]), 5.0),
    (lambda: cg.norm([[3.0, 4.0], [6.0, 8.0]], axis=1), [5.0, 10.0]),
    (lambda: cg.norm([[3.0, -4.0]], ord=1, axis=1), [7.0]),
    (lambda: cg.norm([[1.0, 2.0], [2.0, 4.0]], axis=[0, 1]), 5.0),
    (lambda: cg.math.top_k([1.0, 5.0, 2.0, 7.0, 5.0], k=3).values, [7.0, 5.0, 5.0]),
    (lambda: cg.math.top_k([1.0, 5.0, 2.0, 7.0, 5.0], k=3).indices, [3, 1, 4]),
    (lambda: cg.gather([[1, 2], [3, 4], [5, 6]], [2, 0]), [[5, 6], [1, 2]]),
    (lambda: cg.gather([[1, 2], [3, 4]], [1], axis=1), [[2], [4]]),
    (lambda: cg.fill([2, 3], 9), np.full((2, 3), 9)),
    (lambda: cg.range(5), [0, 1, 2, 3, 4]),
    (lambda: cg.range(3, 18, 3), [3, 6, 9, 12, 15]),
    (lambda: cg.math.is_nan([1.0, np.nan]), [False, True]),
    (lambda: cg.math.squared_difference(5.0, [1.0, 2.0]), [16.0, 9.0]),
    (lambda: cg.math.divide_no_nan([3.0, 3.0], [0.0, 2.0]), [0.0, 1.5]),
    (lambda: cg.math.rsqrt([4.0, 16.0]), [0.5, 0.25]),
    (lambda: cg.math.truediv(7, 2), 3.5),
    (lambda: cg.math.floordiv(7, 2), 3),
    (lambda: cg.math.transpose([[1, 2, 3]], perm=[1, 0]), [[1], [2], [3]]),
    (lambda: cg.math.identity([1.0, 2.0]), [1.0, 2.0]),
    (
        lambda: cg.nn.gelu([-3.0, -1.0, 0.0, 1.0, 3.0]),
        [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507],
    ),
    (
        lambda: cg.nn.gelu([-3.0, -1.0, 0.0, 1.0, 3.0], approximate=True),
        [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627],
    ),
    (
        lambda: cg.nn.sigmoid_cross_entropy_with_logits(
            labels=np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.5]),
            logits=cg.constant([1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 0.0]),
        ),
        [1.3132617, 0.3132617, 0.6931472, 0.3132617, 1.3132617, 0.6931472, 0.6931472],
    ),
    (
        lambda: cg.nn.softmax_cross_entropy_with_logits(
            labels=[[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]],
            logits=cg.constant([[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]]),
        ),
        [0.16984604, 0.82474494],
    ),
    (
        lambda: cg.nn.sparse_softmax_cross_entropy_with_logits(
            labels=np.array([0, 1]), logits=cg.constant([[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]])
        ),
        [0.16984604, np.log(1 + np.exp(5.0) + np.exp(1.0)) - 5.0],
    ),
    (lambda: cg.nn.leaky_relu([-1.0, 2.0]), [-0.2, 2.0]),
    (lambda: cg.nn.relu6([-1.0, 3.0, 7.0]), [0.0, 3.0, 6.0]),
    (lambda: cg.nn.elu([-1.0, 2.0]), [np.expm1(-1.0), 2.0]),
    (
        lambda: cg.nn.selu([-1.0, 2.0]),
        [1.0507009873554805 * 1.6732632423543772 * np.expm1(-1.0), 2.1014019747109610],
    ),
    (lambda: cg.nn.silu([1.0]), [1 / (1 + np.exp(-1.0))]),
    (lambda: cg.nn.softmax([[1.0, 1.0]]), [[0.5, 0.5]]),
    (lambda: cg.nn.log_softmax([0.0, 0.0]), [np.log(0.5)] * 2),
    (lambda: cg.nn.l2_loss([3.0, 4.0]), 12.5),
    (lambda: cg.nn.moments(cg.constant(Z), axes=[0])[1], [1.0, 1.0]),
    (lambda: cg.nn.bias_add(cg.zeros((2, 3)), [1.0, 2.0, 3.0]), [[1.0, 2.0, 3.0]] * 2),
]


@pytest.mark.parametrize("i", range(len(DOCS)))
def test_tf_docs_examples(i):
    fn, want = DOCS[i]
    _close(fn(), want)


def test_cast_shape_rank_size_and_dtypes():
    x = cg.cast([1.7, -1.7], np.int32)
    assert x.dtype == np.int32 and list(np.asarray(x)) == [1, -1]  # truncation, as TF
    t = cg.convert_to_tensor([[1, 2, 3]], dtype=np.float32)
    assert isinstance(t, cg.Tensor) and t.dtype == np.float32
    assert cg.shape(t) == (1, 3) and cg.rank(t) == 2 and cg.size(t) == 3
    assert cg.one_hot([1], 2).dtype == np.float32
    assert cg.math.argmax([[1, 2]], axis=1).dtype == np.int64
    assert cg.math.sin is cg.sin and cg.math.asin is cg.asin  # aliases are the same objects
    assert cg.nn.relu is cg.relu and cg.nn.swish is cg.nn.silu
    with pytest.raises(AttributeError):
        cg.math.no_such_function  # noqa: B018


def test_tf_functions_differentiate():
    x = cg.Variable([3.0, -4.0])
    with cg.GradientTape() as tape:
        y = cg.reduce_sum(cg.clip_by_norm(x, 1.0) * [1.0, 2.0]) + cg.norm(x)
    g = tape.gradient(y, x)
    v = np.array([3.0, -4.0])
    n = np.linalg.norm(v)
    want = (np.array([1.0, 2.0]) - v * (v @ [1.0, 2.0]) / n**2) / n + v / n
    _close(g, want, 1e-12)
    with cg.GradientTape() as tape:
        vals = cg.math.top_k(x, 1).values
    _close(tape.gradient(vals, x), [1.0, 0.0])
    # clip_by_norm at zero: a finite gradient (TensorFlow's safe norm)
    z = cg.Variable([0.0, 0.0])
    with cg.GradientTape() as tape:
        s = cg.reduce_sum(cg.clip_by_norm(z, 1.0))
    assert np.isfinite(np.asarray(tape.gradient(s, z))).all()


def test_dropout_scales_as_tensorflow():
    x = cg.ones((1000,))
    y = np.asarray(cg.nn.dropout(x, rate=0.25, seed=1))
    kept = y != 0
    assert set(np.unique(y)) <= {0.0, 1 / 0.75} and 0.65 < kept.mean() < 0.85
    with pytest.raises(ValueError, match="rate"):
        cg.nn.dropout(x, rate=1.0)


def _np_conv_same(x, f, stride):
    """TensorFlow's SAME cross-correlation of an NHWC batch, written out in NumPy."""
    n, h, w, _ = x.shape
    kh, kw, _, co = f.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max((oh - 1) * stride + kh - h, 0)
    pw = max((ow - 1) * stride + kw - w, 0)
    xp = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    out = np.zeros((n, oh, ow, co))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            out[:, i, j] = np.einsum("nhwc,hwco->no", patch, f)
    return out, xp, (ph, pw)


def test_nn_conv2d_and_pools_nhwc_same_padding():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 6, 3))
    f = rng.normal(size=(3, 2, 3, 4))
    want, _, _ = _np_conv_same(x, f, 2)
    _close(cg.nn.conv2d(x, f, strides=2, padding="SAME"), want, 1e-10)
    _close(cg.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="VALID"),
           _np_conv_same(x, f, 1)[0][:, 1:4, 0:5], 1e-10)
    got = cg.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")
    assert got.shape == (2, 3, 3, 3)
    _close(got[:, 2, 2], x[:, 4, 4:6].max(axis=1))  # the last window holds 1x2 real entries
    avg = cg.nn.avg_pool2d(x, ksize=2, strides=2, padding="SAME")
    _close(avg[:, 2, 2], x[:, 4, 4:6].mean(axis=1), 1e-12)  # padding not counted
    _close(cg.nn.avg_pool2d(x, 2, 2, "VALID")[:, 0, 0], x[:, :2, :2].mean(axis=(1, 2)), 1e-12)
    w = cg.Variable(f)
    with cg.GradientTape() as tape:
        loss = cg.reduce_sum(cg.nn.conv2d(x, w, 2, "SAME") ** 2)
    g = tape.gradient(loss, w)
    eps = 1e-6
    f2 = f.copy()
    f2[1, 1, 2, 3] += eps
    num = (np.sum(_np_conv_same(x, f2, 2)[0] ** 2) - np.sum(want**2)) / eps
    assert abs(float(g[1, 1, 2, 3]) - num) < 1e-3 * max(1.0, abs(num))


def test_more_tf_names():
    _close(cg.math.log_sigmoid([0.0, -100.0]), [np.log(0.5), -100.0])
    _close(cg.math.polyval([2.0, 0.0, 1.0], 3.0), 19.0)
    _close(cg.nn.embedding_lookup(np.arange(6.0).reshape(3, 2), [2, 0]), [[4, 5], [0, 1]])
    z, x, q = np.array([0.0, 1.0]), np.array([0.5, -2.0]), 3.0
    want = -(q * z * np.log(1 / (1 + np.exp(-x))) + (1 - z) * np.log(1 - 1 / (1 + np.exp(-x))))
    _close(cg.nn.weighted_cross_entropy_with_logits(z, x, q), want, 1e-12)


def test_dropout_follows_the_global_seed():
    x = cg.ones((50,))
    cg.random.set_seed(7)
    a = np.asarray(cg.nn.dropout(x, rate=0.5))
    cg.random.set_seed(7)
    assert (np.asarray(cg.nn.dropout(x, rate=0.5)) == a).all()
    assert (np.asarray(cg.nn.dropout(x, 0.5, seed=3)) == np.asarray(cg.nn.dropout(x, 0.5, seed=3))).all()
