"""TensorFlow's tf.linalg, tf.signal and tf.random names on compgraph (cg.linalg.*,
cg.signal.*, cg.random.*), against TensorFlow itself: values in float64, gradients
(cg.grad vs tf.GradientTape), random samplers by shape, dtype, statistics and
reproducibility, errors."""

from __future__ import annotations

import os

import numpy as np
import pytest

import compgraph as cg

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
tf = pytest.importorskip("tensorflow")

L = cg.linalg
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 4, 4))
SPD = X @ np.swapaxes(X, -1, -2) + 4 * np.eye(4)
RHS = RNG.standard_normal((2, 4, 3))


def _close(got, want, tol=1e-8):
    g = np.asarray(got.numpy() if hasattr(got, "numpy") else got)
    w = np.asarray(want)
    assert g.shape == w.shape, (g.shape, w.shape)
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


def _grads(cg_fn, tf_fn, *arrays, tol=1e-7):
    """d sum(f(x) * weights) / dx for every input, cg.grad against tf.GradientTape."""
    out = np.asarray(tf_fn(*[tf.constant(a) for a in arrays]))
    w = np.random.default_rng(1).standard_normal(out.shape)
    if np.iscomplexobj(out):
        w = w + 1j * np.random.default_rng(2).standard_normal(out.shape)
    argn = tuple(range(len(arrays)))

    def loss_cg(*xs):
        y = cg_fn(*xs)
        return (
            cg.sum(cg.real(y * cg.asarray(np.conj(w))))
            if np.iscomplexobj(out)
            else cg.sum(y * cg.asarray(w))
        )

    got = cg.grad(loss_cg, argnums=argn)(*[cg.asarray(a) for a in arrays])
    ts = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as tape:
        y = tf_fn(*ts)
        loss = (
            tf.reduce_sum(tf.math.real(y * np.conj(w)))
            if np.iscomplexobj(out)
            else tf.reduce_sum(y * w)
        )
    want = tape.gradient(loss, ts)
    for g, t in zip(got, want):
        _close(g, t, tol)


# --------------------------------------------------------------------------- tf.linalg
def test_linalg_names_installed_without_overriding_numpy():
    assert L.adjoint is not None and L.triangular_solve is not None
    assert L.solve.__module__ != "compgraph.tf_linalg"  # NumPy's names stay
    assert L.eye(3).shape == (3, 3)


def test_adjoint_band_part_values_and_grads():
    _close(L.adjoint(cg.asarray(X)), tf.linalg.adjoint(X))
    z = X + 1j * X[::-1]
    _close(L.adjoint(cg.asarray(z)), tf.linalg.adjoint(z))
    for lo, hi in [(1, -1), (0, 0), (-1, 2)]:
        _close(L.band_part(cg.asarray(X), lo, hi), tf.linalg.band_part(X, lo, hi))
    _grads(lambda a: L.band_part(a, 1, 0), lambda a: tf.linalg.band_part(a, 1, 0), X)
    with pytest.raises(ValueError, match="band_part"):
        L.band_part(cg.ones(3), 0, 0)


@pytest.mark.parametrize(
    "k,rows,cols", [(0, -1, -1), (1, -1, -1), (-2, -1, -1), (1, 3, 5), (-1, 4, 3), (1, -1, 6)]
)
def test_diag(k, rows, cols):
    d = RNG.standard_normal((2, 3))
    want = tf.linalg.diag(d, k=k, num_rows=rows, num_cols=cols, padding_value=7)
    _close(L.diag(cg.asarray(d), k=k, num_rows=rows, num_cols=cols, padding_value=7), want)
    _grads(
        lambda a: L.diag(a, k=k, num_rows=rows, num_cols=cols, padding_value=7),
        lambda a: tf.linalg.diag(a, k=k, num_rows=rows, num_cols=cols, padding_value=7),
        d,
    )


def test_diag_errors():
    with pytest.raises(ValueError, match="linalg.diag"):
        L.diag(cg.ones(3), num_rows=5, num_cols=5)
    with pytest.raises(NotImplementedError, match="band"):
        L.diag(cg.ones((2, 3)), k=(0, 1))


@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_part_set_diag(k):
    _close(L.diag_part(cg.asarray(X), k=k), tf.linalg.diag_part(X, k=k))
    new = RNG.standard_normal((2, 4 - abs(k)))
    _close(L.set_diag(cg.asarray(X), cg.asarray(new), k=k), tf.linalg.set_diag(X, new, k=k))
    _grads(lambda a, b: L.set_diag(a, b, k=k), lambda a, b: tf.linalg.set_diag(a, b, k=k), X, new)


def test_tensor_diag_eye_einsum():
    d = RNG.standard_normal((2, 3))
    _close(L.tensor_diag(cg.asarray(d)), tf.linalg.tensor_diag(d))
    t = X[0].reshape(2, 2, 2, 2)
    _close(L.tensor_diag_part(cg.asarray(t)), tf.linalg.tensor_diag_part(t))
    with pytest.raises(ValueError, match="tensor_diag_part"):
        L.tensor_diag_part(cg.ones((2, 3)))
    e = L.eye(2, 3, batch_shape=[4], dtype="float64")
    _close(e, tf.linalg.eye(2, 3, batch_shape=[4], dtype=tf.float64))
    assert L.eye(3).dtype == np.float32
    _close(
        L.einsum("bij,bjk->bik", cg.asarray(X), cg.asarray(RHS)),
        tf.linalg.einsum("bij,bjk->bik", X, RHS),
    )


def test_expm_logdet_sqrtm_logm():
    _close(L.expm(cg.asarray(X)), tf.linalg.expm(X))
    _close(L.logdet(cg.asarray(SPD)), tf.linalg.logdet(SPD))
    _close(L.sqrtm(cg.asarray(SPD)), tf.linalg.sqrtm(SPD), 1e-7)
    ns = X[0] + 5 * np.eye(4)
    _close(L.sqrtm(cg.asarray(ns)), tf.linalg.sqrtm(ns), 1e-7)
    c = SPD.astype(complex)
    _close(L.logm(cg.asarray(c)), tf.linalg.logm(c), 1e-7)
    _grads(L.sqrtm, tf.linalg.sqrtm, ns, tol=1e-6)
    _grads(
        lambda a: L.logdet(a @ cg.swapaxes(a, 0, 1) + 3 * np.eye(4)),
        lambda a: tf.linalg.logdet(a @ tf.transpose(a) + 3 * np.eye(4)),
        X[0],
    )
    assert cg.gradcheck(L.logm, SPD[0])
    with pytest.raises(ValueError, match="sqrtm"):
        L.sqrtm(cg.ones((2, 3)))


def test_normalizations_and_matvec():
    _close(L.l2_normalize(cg.asarray(X), axis=-1), tf.linalg.l2_normalize(X, axis=-1))
    _close(L.l2_normalize(cg.asarray(X)), tf.linalg.l2_normalize(X))
    _grads(lambda a: L.l2_normalize(a, axis=1), lambda a: tf.linalg.l2_normalize(a, axis=1), X)
    for ord_, ax in [
        ("euclidean", None),
        (1, -1),
        (np.inf, 1),
        (3, None),
        ("fro", (-2, -1)),
        (1, (-2, -1)),
    ]:
        got = L.normalize(cg.asarray(X), ord_, ax)
        want = tf.linalg.normalize(X, ord_, ax)
        _close(got[0], want[0])
        _close(got[1], want[1])
    with pytest.raises(ValueError, match="normalize"):
        L.normalize(cg.asarray(X), "nuc")
    _close(
        L.global_norm([cg.asarray(X), None, cg.asarray(RHS)]), tf.linalg.global_norm([X, None, RHS])
    )
    with pytest.raises(TypeError, match="global_norm"):
        L.global_norm(cg.asarray(X))
    v = RHS[..., 0]
    _close(
        L.matvec(cg.asarray(X), cg.asarray(v), adjoint_a=True),
        tf.linalg.matvec(X, v, adjoint_a=True),
    )
    _grads(L.matvec, tf.linalg.matvec, X, v)


def test_lu_family():
    lu_, p = L.lu(cg.asarray(X))
    tl, tp = tf.linalg.lu(X)
    _close(lu_, tl)
    _close(p, tp)
    assert p.dtype == np.int32
    _close(L.lu_reconstruct(lu_, p), X)
    _close(L.lu_solve(lu_, p, cg.asarray(RHS)), tf.linalg.lu_solve(tl, tp, RHS))
    _close(L.lu_matrix_inverse(lu_, p), tf.linalg.lu_matrix_inverse(tl, tp))
    assert cg.gradcheck(lambda a: L.lu(a)[0], X)  # TF registers no gradient for Lu
    _grads(
        lambda a, b: L.lu_solve(a, p, b),
        lambda a, b: tf.linalg.lu_solve(a, tp, b),
        np.asarray(tl),
        RHS,
    )
    with pytest.raises(ValueError, match="lu_solve"):
        L.lu_solve(lu_, p, cg.ones((2, 3, 1)))


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_triangular_and_banded_solve(lower, adjoint):
    a = X + 4 * np.eye(4)
    want = tf.linalg.triangular_solve(a, RHS, lower=lower, adjoint=adjoint)
    _close(L.triangular_solve(cg.asarray(a), cg.asarray(RHS), lower=lower, adjoint=adjoint), want)
    _grads(
        lambda m, b: L.triangular_solve(m, b, lower=lower, adjoint=adjoint),
        lambda m, b: tf.linalg.triangular_solve(m, b, lower=lower, adjoint=adjoint),
        a,
        RHS,
    )
    bands = RNG.standard_normal((2, 3, 4)) + (
        np.array([[3.0], [0], [0]]) if lower else np.array([[0.0], [0], [3]])
    )
    want = tf.linalg.banded_triangular_solve(bands, RHS, lower=lower, adjoint=adjoint)
    _close(
        L.banded_triangular_solve(cg.asarray(bands), cg.asarray(RHS), lower=lower, adjoint=adjoint),
        want,
    )


def test_cholesky_solve_and_errors():
    ch = np.linalg.cholesky(SPD)
    _close(L.cholesky_solve(cg.asarray(ch), cg.asarray(RHS)), tf.linalg.cholesky_solve(ch, RHS))
    _grads(L.cholesky_solve, tf.linalg.cholesky_solve, ch, RHS)
    with pytest.raises(ValueError, match="triangular_solve"):
        L.triangular_solve(cg.ones((3, 3)), cg.ones((2, 1)))


def test_tridiagonal():
    dg = RNG.standard_normal((2, 3, 4)) + np.array([[0.0], [4], [0]])
    T = tf.constant
    _close(
        L.tridiagonal_solve(cg.asarray(dg), cg.asarray(RHS)),
        tf.linalg.tridiagonal_solve(T(dg), T(RHS)),
    )
    rt = np.swapaxes(RHS, -1, -2)
    _close(
        L.tridiagonal_solve(cg.asarray(dg), cg.asarray(rt), transpose_rhs=True),
        tf.linalg.tridiagonal_solve(T(dg), T(rt), transpose_rhs=True),
    )
    _close(
        L.tridiagonal_solve(cg.asarray(dg), cg.asarray(RHS[..., 0])),
        tf.linalg.tridiagonal_solve(T(dg), T(RHS[..., 0])),
    )
    seq = [dg[:, 0], dg[:, 1], dg[:, 2]]
    _close(
        L.tridiagonal_solve(
            [cg.asarray(s) for s in seq], cg.asarray(RHS), diagonals_format="sequence"
        ),
        tf.linalg.tridiagonal_solve([T(s) for s in seq], T(RHS), diagonals_format="sequence"),
    )
    m = X + 5 * np.eye(4)
    _close(
        L.tridiagonal_solve(cg.asarray(m), cg.asarray(RHS), diagonals_format="matrix"),
        tf.linalg.tridiagonal_solve(T(m), T(RHS), diagonals_format="matrix"),
    )
    _close(
        L.tridiagonal_matmul(cg.asarray(dg), cg.asarray(RHS)),
        tf.linalg.tridiagonal_matmul(T(dg), T(RHS)),
    )
    _grads(L.tridiagonal_solve, lambda d, b: tf.linalg.tridiagonal_solve(d, b), dg, RHS)
    with pytest.raises(ValueError, match="diagonals_format"):
        L.tridiagonal_solve(cg.asarray(dg), cg.asarray(RHS), diagonals_format="band")
    with pytest.raises(ValueError, match="compact"):
        L.tridiagonal_solve(cg.asarray(dg[:, :2]), cg.asarray(RHS))


def test_eigh_tridiagonal():
    al, be = RNG.standard_normal(5), RNG.standard_normal(4)
    _close(L.eigh_tridiagonal(cg.asarray(al), cg.asarray(be)), tf.linalg.eigh_tridiagonal(al, be))
    w, v = L.eigh_tridiagonal(cg.asarray(al), cg.asarray(be), eigvals_only=False)
    tw, tv = tf.linalg.eigh_tridiagonal(al, be, eigvals_only=False)
    _close(w, tw)
    _close(np.abs(v.numpy()), np.abs(tv))
    for sel, rng_ in [("i", [1, 3]), ("v", [-1.0, 1.0])]:
        _close(
            L.eigh_tridiagonal(cg.asarray(al), cg.asarray(be), select=sel, select_range=rng_),
            tf.linalg.eigh_tridiagonal(al, be, select=sel, select_range=rng_),
        )
    assert cg.gradcheck(L.eigh_tridiagonal, al, be)  # TF's has no usable gradient
    with pytest.raises(ValueError, match="eigh_tridiagonal"):
        L.eigh_tridiagonal(cg.asarray(al), cg.asarray(al))


# --------------------------------------------------------------------------- tf.signal
S = cg.signal
SX = RNG.standard_normal((2, 3, 4, 6))
SZ = SX + 1j * RNG.standard_normal(SX.shape)
SIG = RNG.standard_normal((2, 100))


@pytest.mark.parametrize("n", ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d"])
def test_complex_ffts(n):
    _close(getattr(S, n)(cg.asarray(SZ)), getattr(tf.signal, n)(tf.constant(SZ)))
    assert cg.gradcheck(lambda a: cg.real(getattr(S, n)(a * (1 + 0.5j))), SX[0, :2, :2])
    with pytest.raises(TypeError, match=n):
        getattr(S, n)(cg.asarray(SX))


@pytest.mark.parametrize("n,r", [("rfft", 1), ("rfft2d", 2), ("rfft3d", 3)])
def test_real_ffts(n, r):
    x = tf.constant(SX)
    _close(getattr(S, n)(cg.asarray(SX)), getattr(tf.signal, n)(x))
    _close(getattr(S, n)(cg.asarray(SX), [4] * r), getattr(tf.signal, n)(x, [4] * r))
    y = getattr(tf.signal, n)(x)
    i = "i" + n
    _close(getattr(S, i)(cg.asarray(y.numpy())), getattr(tf.signal, i)(y))
    _close(getattr(S, i)(cg.asarray(y.numpy()), [6] * r), getattr(tf.signal, i)(y, [6] * r))
    assert cg.gradcheck(lambda a: cg.imag(getattr(S, n)(a, [4] * r)), SX[0])
    assert S.rfft(cg.asarray(SX.astype(np.float32))).dtype == np.complex64
    with pytest.raises(ValueError, match=n):
        getattr(S, n)(cg.asarray(SX), [4] * (r + 1))


def test_fftnd_against_numpy_and_shifts():
    # TF has no CPU kernel for FFTND: compared with NumPy
    _close(S.fftnd(cg.asarray(SZ), axes=[0, 2]), np.fft.fftn(SZ, axes=[0, 2]))
    _close(
        S.ifftnd(cg.asarray(SZ), fft_length=[3, 5], axes=[1, 3]),
        np.fft.ifftn(SZ, s=[3, 5], axes=[1, 3]),
    )
    _close(S.rfftnd(cg.asarray(SX), axes=[1, 2]), np.fft.rfftn(SX, axes=[1, 2]))
    y = np.fft.rfftn(SX, axes=[1, 2])
    _close(
        S.irfftnd(cg.asarray(y), fft_length=[3, 4], axes=[1, 2]),
        np.fft.irfftn(y, s=[3, 4], axes=[1, 2]),
    )
    _close(S.fftshift(cg.asarray(SX), axes=[1]), tf.signal.fftshift(SX, axes=[1]))
    _close(S.ifftshift(cg.asarray(SX)), tf.signal.ifftshift(SX))


@pytest.mark.parametrize(
    "length,step,pad,ax",
    [
        (5, 2, False, -1),
        (5, 3, True, -1),
        (4, 4, True, 1),
        (2, 1, False, 0),
        (30, 2, False, -1),
        (30, 2, True, -1),
    ],
)
def test_frame(length, step, pad, ax):
    sig = RNG.standard_normal((2, 3, 23))
    want = tf.signal.frame(sig, length, step, pad_end=pad, pad_value=3.0, axis=ax)
    _close(S.frame(cg.asarray(sig), length, step, pad_end=pad, pad_value=3.0, axis=ax), want)
    _grads(
        lambda a: S.frame(a, length, step, pad_end=pad, axis=ax),
        lambda a: tf.signal.frame(a, length, step, pad_end=pad, axis=ax),
        sig,
    )


@pytest.mark.parametrize("step", [1, 3, 6, 8])
def test_overlap_and_add(step):
    fr = RNG.standard_normal((2, 5, 6))
    _close(S.overlap_and_add(cg.asarray(fr), step), tf.signal.overlap_and_add(fr, step))
    _grads(lambda a: S.overlap_and_add(a, step), lambda a: tf.signal.overlap_and_add(a, step), fr)
    with pytest.raises(ValueError, match="overlap_and_add"):
        S.overlap_and_add(cg.ones(3), 1)


def test_windows():
    for w in ["hann_window", "hamming_window"]:
        for n in [1, 2, 7, 8]:
            for per in [True, False]:
                _close(
                    getattr(S, w)(n, periodic=per, dtype="float64"),
                    getattr(tf.signal, w)(n, periodic=per, dtype=tf.float64),
                )
    assert S.hann_window(4).dtype == np.float32
    for n in [1, 6, 7]:
        _close(S.vorbis_window(n, dtype="float64"), tf.signal.vorbis_window(n, dtype=tf.float64))
        _close(
            S.kaiser_window(n, 5.0, dtype="float64"),
            tf.signal.kaiser_window(n, 5.0, dtype=tf.float64),
        )
        _close(
            S.kaiser_bessel_derived_window(n, 5.0, dtype="float64"),
            tf.signal.kaiser_bessel_derived_window(n, 5.0, dtype=tf.float64),
        )
    with pytest.raises(ValueError, match="floating"):
        S.hann_window(4, dtype="int32")


@pytest.mark.parametrize("args", [(16, 8, None), (16, 4, 32), (15, 5, None), (16, 8, 8)])
def test_stft_inverse_stft(args):
    _close(S.stft(cg.asarray(SIG), *args), tf.signal.stft(SIG, *args))
    _close(S.stft(cg.asarray(SIG), *args, pad_end=True), tf.signal.stft(SIG, *args, pad_end=True))
    st = tf.signal.stft(SIG, *args).numpy()
    _close(S.inverse_stft(cg.asarray(st), *args), tf.signal.inverse_stft(st, *args))
    iw, tw = S.inverse_stft_window_fn(args[1]), tf.signal.inverse_stft_window_fn(args[1])
    _close(
        S.inverse_stft(cg.asarray(st), *args, window_fn=iw),
        tf.signal.inverse_stft(st, *args, window_fn=tw),
    )
    assert cg.gradcheck(lambda a: cg.real(S.stft(a, *args)), SIG[:1, :40])


def test_dct_idct():
    d = RNG.standard_normal((3, 8))
    for t in [1, 2, 3, 4]:
        for nm in [None, "ortho"]:
            if t == 1 and nm:
                continue
            for n in [None, 5, 11]:
                _close(S.dct(cg.asarray(d), t, n, norm=nm), tf.signal.dct(d, t, n, norm=nm))
                _close(S.idct(cg.asarray(d), t, n, norm=nm), tf.signal.idct(d, t, n, norm=nm))
        _grads(lambda a: S.dct(a, t), lambda a: tf.signal.dct(a, t), d)
    with pytest.raises(ValueError, match="type 1"):
        S.dct(cg.asarray(d), 1, norm="ortho")
    with pytest.raises(NotImplementedError, match="axis"):
        S.dct(cg.asarray(d), axis=0)


def test_mdct_mel_mfcc():
    for nm in [None, "ortho"]:
        for cw, tw in [(S.vorbis_window, tf.signal.vorbis_window), (None, None)]:
            tm = tf.signal.mdct(SIG, 16, window_fn=tw, norm=nm)
            _close(S.mdct(cg.asarray(SIG), 16, window_fn=cw, norm=nm), tm)
            _close(
                S.inverse_mdct(cg.asarray(tm.numpy()), window_fn=cw, norm=nm),
                tf.signal.inverse_mdct(tm, window_fn=tw, norm=nm),
            )
        _close(
            S.mdct(cg.asarray(SIG), 12, pad_end=True, norm=nm),
            tf.signal.mdct(SIG, 12, pad_end=True, norm=nm),
        )
    with pytest.raises(ValueError, match="multiple of 4"):
        S.mdct(cg.asarray(SIG), 10)
    _close(
        S.linear_to_mel_weight_matrix(dtype="float64"),
        tf.signal.linear_to_mel_weight_matrix(dtype=tf.float64),
        1e-6,
    )
    want = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0, dtype=tf.float64)
    _close(S.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0, dtype="float64"), want, 1e-6)
    with pytest.raises(ValueError, match="linear_to_mel"):
        S.linear_to_mel_weight_matrix(upper_edge_hertz=9000.0)
    d = RNG.standard_normal((3, 8))
    _close(
        S.mfccs_from_log_mel_spectrograms(cg.asarray(d)),
        tf.signal.mfccs_from_log_mel_spectrograms(d),
    )
    _grads(S.mfccs_from_log_mel_spectrograms, tf.signal.mfccs_from_log_mel_spectrograms, d)


# --------------------------------------------------------------------------- tf.random
def test_random_samplers_shapes_stats_reproducibility():
    R = cg.random
    cg.random.set_seed(3)
    c = R.categorical(cg.asarray(np.log([[0.1, 0.9], [0.9, 0.1]])), 4000)
    assert c.shape == (2, 4000) and c.dtype == np.int64
    assert abs(float(np.mean(c.numpy()[0])) - 0.9) < 0.03
    g = R.gamma([3000], np.array([2.0, 5.0]), beta=2.0)
    assert g.shape == (3000, 2) and g.dtype == np.float32
    np.testing.assert_allclose(g.numpy().mean(0), [1.0, 2.5], rtol=0.06)
    p = R.poisson([2, 3000], 4.0)
    assert p.shape == (2, 3000) and abs(float(p.numpy().mean()) - 4) < 0.15
    s = R.shuffle(cg.arange(10))
    assert sorted(s.numpy().tolist()) == list(range(10))
    for f, args in [
        (R.stateless_uniform, ()),
        (R.stateless_normal, ()),
        (R.stateless_truncated_normal, ()),
    ]:
        a, b = f([3, 4], (1, 2), *args), f([3, 4], (1, 2), *args)
        assert a.shape == (3, 4) and a.dtype == np.float32
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not np.array_equal(a.numpy(), f([3, 4], (1, 3)).numpy())
    assert np.abs(R.stateless_truncated_normal([1000], (0, 1)).numpy()).max() <= 2
    assert R.stateless_uniform([5], (1, 2), 0, 10, dtype="int32").dtype == np.int32
    with pytest.raises(ValueError, match="maxval"):
        R.stateless_uniform([5], (1, 2), dtype="int32")
    with pytest.raises(ValueError, match="seed"):
        R.stateless_normal([2], (1, 2, 3))
    assert R.stateless_categorical(cg.zeros((2, 3)), 5, (1, 1)).shape == (2, 5)
    assert R.stateless_gamma([4, 2], (1, 1), alpha=np.array([1.0, 2.0])).shape == (4, 2)
    assert R.stateless_poisson([4], (1, 1), 3.0).dtype == np.int32
    bn = R.stateless_binomial([4000], (1, 1), 10, 0.3)
    assert abs(float(bn.numpy().mean()) - 3) < 0.1
    np.testing.assert_array_equal(R.fold_in((1, 2), 5).numpy(), R.fold_in((1, 2), 5).numpy())
    assert R.split(np.array([1, 2]), 3).shape == (3, 2)
    np.testing.assert_array_equal(
        R.create_rng_state(5, 1).numpy(), tf.random.create_rng_state(5, 1).numpy()
    )
    np.testing.assert_array_equal(
        R.create_rng_state(5, R.Algorithm.THREEFRY).numpy(),
        tf.random.create_rng_state(5, 2).numpy(),
    )
    assert [a.value for a in R.Algorithm] == [a.value for a in tf.random.Algorithm]
    gen = R.get_global_generator()
    other = cg.random.Generator().manual_seed(7)
    R.set_global_generator(other)
    assert R.get_global_generator() is gen
    first = cg.random.normal([3]).numpy()
    R.set_global_generator(cg.random.Generator().manual_seed(7))
    np.testing.assert_array_equal(cg.random.normal([3]).numpy(), first)
    R.set_global_generator(cg.random.Generator().manual_seed(8))
    assert not np.array_equal(cg.random.normal([3]).numpy(), first)
