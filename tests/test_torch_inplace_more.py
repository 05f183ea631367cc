"""More of PyTorch's in-place Tensor methods (``t.acos_() t.eq_(y) t.tril_() t.put_()
t.random_() t.resize_() ...``) and its top-level in-place functions (``torch.exp_(t)``),
against torch: values, dtypes, the same object returned, the data changed in place,
gradients through recorded in-place ops on non-leaves, leaf refusal, errors."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.torch_methods.inplace_more import INPLACE_FUNCTIONS

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
UNIT = RNG.uniform(0.1, 0.9, (2, 3))  # inside (0, 1): acos, atanh, logit, erfinv ...
POS = RNG.uniform(1.2, 2.8, (2, 3))
SIGNED = np.array([[-1.5, 0.0, 2.25], [3.5, -0.75, 1.0]])
OTHER = RNG.uniform(0.3, 1.7, (2, 3))
INTS = np.array([[12, -7, 9], [0, 15, 4]])
INTS2 = np.array([[8, 3, 6], [5, 10, 2]])
SHIFT = np.array([[1, 2, 0], [3, 1, 2]])
CMP = np.array([[0.5, 0.0, 2.25], [3.5, -1.0, 1.0]])  # some equal to SIGNED, some not
B1, B2 = RNG.standard_normal((4, 2, 3)), RNG.standard_normal((4, 3, 5))
M1, M2 = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 5))
V3, V5 = RNG.standard_normal(3), RNG.standard_normal(5)
C25 = RNG.standard_normal((2, 5))
C425 = RNG.standard_normal((4, 2, 5))


def _np_dtype(t):
    return np.dtype(str(t.dtype).replace("torch.", ""))


def _to(lib, a, rg=False):
    if isinstance(a, np.ndarray):
        if lib == "torch":
            return torch.tensor(a, requires_grad=rg)
        return cg.tensor(a.copy(), requires_grad=rg)
    return a


# name: (self, args, kwargs, differentiable in torch with respect to self and float args)
CASES = {
    **{
        n: (UNIT, (), {}, True)
        for n in "acos_ arccos_ asin_ arcsin_ atanh_ arctanh_ erfinv_ logit_".split()
    },
    **{n: (POS, (), {}, True) for n in "acosh_ arccosh_ mvlgamma_".split()},
    **{
        n: (POS, (), {}, True)
        for n in (
            "asinh_ arcsinh_ atan_ arctan_ cosh_ sinh_ sinc_ deg2rad_ rad2deg_ digamma_ erf_ "
            "erfc_ exp2_ i0_ lgamma_ log10_ log2_ negative_ conj_physical_"
        ).split()
    },
    **{n: (SIGNED, (), {}, True) for n in "absolute_ sgn_".split()},
    "fix_": (SIGNED * 1.3, (), {}, True),
    "logit_ eps": (UNIT, (), {"eps": 0.25}, True),
    "mvlgamma_": (POS + 1, (), {"p": 3}, True),
    "polygamma_": (POS, (1,), {}, True),
    "cumsum_": (SIGNED, (1,), {}, True),
    "cumprod_": (POS, (), {"dim": 0}, True),
    "tril_": (SIGNED, (), {}, True),
    "triu_": (SIGNED, (1,), {}, True),
    "tril_ -1": (SIGNED, (), {"diagonal": -1}, True),
    **{
        n: (POS, (OTHER,), {}, True)
        for n in (
            "atan2_ arctan2_ hypot_ copysign_ xlogy_ divide_ true_divide_ multiply_ subtract_"
        ).split()
    },
    "divide_ floor": (SIGNED, (OTHER,), {"rounding_mode": "floor"}, False),
    "divide_ trunc": (SIGNED, (OTHER,), {"rounding_mode": "trunc"}, False),
    "subtract_ alpha": (POS, (OTHER,), {"alpha": 2}, True),
    "multiply_ scalar": (POS, (2.5,), {}, True),
    "float_power_": (POS, (OTHER,), {}, True),
    "floor_divide_": (SIGNED, (OTHER,), {}, False),
    "nextafter_": (SIGNED, (OTHER,), {}, False),
    "heaviside_": (SIGNED, (OTHER,), {}, False),
    "igamma_": (POS, (OTHER,), {}, False),
    "igammac_": (POS, (OTHER,), {}, False),
    "ldexp_": (SIGNED, (SHIFT,), {}, True),
    **{
        n: (INTS, (INTS2,), {}, False)
        for n in "gcd_ lcm_ bitwise_and_ bitwise_or_ bitwise_xor_".split()
    },
    "floor_divide_ int": (INTS, (INTS2,), {}, False),
    **{n: (INTS2, (SHIFT,), {}, False) for n in "bitwise_left_shift_ bitwise_right_shift_".split()},
    "bitwise_not_": (INTS, (), {}, False),
    "bitwise_and_ bool": (INTS > 3, (INTS2 > 5,), {}, False),
    **{
        n: (SIGNED, (CMP,), {}, False)
        for n in (
            "eq_ ne_ not_equal_ lt_ less_ le_ less_equal_ gt_ greater_ ge_ greater_equal_ "
            "logical_and_ logical_or_ logical_xor_"
        ).split()
    },
    "eq_ scalar": (SIGNED, (1.0,), {}, False),
    "lt_ int": (INTS, (INTS2,), {}, False),
    "logical_not_": (SIGNED, (), {}, False),
    "logical_and_ int": (INTS, (INTS2,), {}, False),
    "addbmm_": (C25, (B1, B2), {}, True),
    "addbmm_ ab": (C25, (B1, B2), {"beta": 0.5, "alpha": 2.0}, True),
    "baddbmm_": (C425, (B1, B2), {"beta": 0.5, "alpha": -1.0}, True),
    "addmm_": (C25, (M1, M2), {"alpha": 3.0}, True),
    "addmv_": (V3[:2] * 1.0, (M1, V3), {"beta": 2.0}, True),
    "addr_": (M1, (V3[:2].copy(), V3), {"alpha": 0.5}, True),
}


def _run(lib, name, data, args, kw):
    method = name.split()[0]
    x = _to(lib, data)
    buf = x.numpy()
    targs = tuple(_to(lib, a) for a in args)
    out = getattr(x, method)(*targs, **kw)
    return x, out, buf


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_dtype_identity_against_torch(name):
    data, args, kw, _ = CASES[name]
    want_x, want, _ = _run("torch", name, data, args, kw)
    got_x, got, buf = _run("cg", name, data, args, kw)
    assert got is got_x and want is want_x
    assert got.dtype == _np_dtype(want), (got.dtype, want.dtype)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-8, atol=1e-12)
    assert got.numpy() is buf  # written into the tensor's own buffer
    assert not np.array_equal(buf, data) or np.array_equal(want.numpy(), data)


FLOAT_CASES = sorted(
    n for n, c in CASES.items() if c[0].dtype.kind == "f" and not n.startswith("logical_")
)


@pytest.mark.parametrize("name", ["logical_and_", "logical_or_", "logical_xor_", "logical_not_"])
def test_logical_ops_change_a_leaf_that_requires_grad_as_torch(name):
    args = () if name == "logical_not_" else (CMP,)
    got = {}
    for lib in ("cg", "torch"):
        x = _to(lib, SIGNED, rg=True)
        assert getattr(x, name)(*(_to(lib, a) for a in args)) is x
        assert x.requires_grad and x.is_leaf
        got[lib] = x.detach().numpy()
    np.testing.assert_array_equal(got["cg"], got["torch"])


@pytest.mark.parametrize("name", FLOAT_CASES)
def test_every_float_case_refuses_a_leaf_that_requires_grad(name):
    data, args, kw, _ = CASES[name]
    x = cg.tensor(data.copy(), requires_grad=True)
    targs = tuple(_to("cg", a) for a in args)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(x, name.split()[0])(*targs, **kw)
    np.testing.assert_array_equal(x.numpy(), data)
    tx = torch.tensor(data, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(tx, name.split()[0])(*tuple(_to("torch", a) for a in args), **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_buffer_itself_changes(dtype):
    x = cg.tensor(UNIT.astype(dtype))
    buf = x.numpy()
    x.acos_()
    x.eq_(x)
    assert x.numpy() is buf and x.dtype == dtype
    np.testing.assert_array_equal(buf, np.ones((2, 3)))
    t = torch.tensor(UNIT.astype(dtype))
    t.acos_().eq_(t)
    np.testing.assert_array_equal(t.numpy(), buf)


GRAD_CASES = sorted(n for n, c in CASES.items() if c[3])
# torch has no derivative for these in place (NotImplementedError): its out-of-place
# form gives the reference
TORCH_OUT_OF_PLACE = {"acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_"}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients_through_recorded_in_place_ops(name):
    data, args, kw, _ = CASES[name]
    w = RNG.standard_normal(data.shape)
    results = {}
    for lib in ("torch", "cg"):
        x = _to(lib, data, rg=True)
        targs = tuple(
            _to(lib, a, rg=isinstance(a, np.ndarray) and a.dtype.kind == "f") for a in args
        )
        y = x * 1.0
        method = name.split()[0]
        if lib == "torch" and method in TORCH_OUT_OF_PLACE:
            y = getattr(y, method[:-1])(*targs, **kw)
        else:
            assert getattr(y, method)(*targs, **kw) is y
        (y * _to(lib, w)).sum().backward()
        grads = [x.grad] + [a.grad for a in targs if getattr(a, "requires_grad", False)]
        results[lib] = [g.numpy(force=True) if lib == "torch" else g.numpy() for g in grads]
    for g, t in zip(results["cg"], results["torch"], strict=True):
        np.testing.assert_allclose(g, t, rtol=1e-9, atol=1e-12)


def test_gradcheck_of_recorded_chains():
    def f(x, y):
        z = x * 1.0
        z.atan2_(y).cumsum_(1).tril_().hypot_(y)
        return z

    x = cg.tensor(POS.copy(), requires_grad=True)
    y = cg.tensor(OTHER.copy(), requires_grad=True)
    assert cg.gradcheck(f, x, y)


def test_forward_mode_tangents():
    v = RNG.standard_normal((2, 3))

    def f(x):
        y = x * 1.0
        y.sinh_()
        return y

    _, tan = cg.jvp(f, (cg.tensor(POS),), (cg.tensor(v),))
    np.testing.assert_allclose(tan.numpy(), np.cosh(POS) * v, rtol=1e-12)

    def g(x):
        y = x * 2.0
        y.swapaxes_(0, 1).hypot_(cg.tensor(OTHER.T))
        return y

    _, tan = cg.jvp(g, (cg.tensor(POS),), (cg.tensor(v),))
    want = (2 * POS.T) * (2 * v.T) / np.hypot(2 * POS.T, OTHER.T)
    np.testing.assert_allclose(tan.numpy(), want, rtol=1e-12)


def test_zero_dim_and_complex_tensors():
    s, ts = cg.tensor(0.5), torch.tensor(0.5, dtype=torch.float64)
    assert s.acos_() is s
    ts.acos_()
    assert s.item() == pytest.approx(ts.item(), rel=1e-15)
    c = cg.tensor(np.array([1 + 2j, -3j]))
    tc = torch.tensor([1 + 2j, -3j], dtype=torch.complex128)
    c.conj_physical_().sgn_()
    tc.conj_physical_().sgn_()
    np.testing.assert_allclose(c.numpy(), tc.numpy())
    with pytest.raises(TypeError, match="can't be cast"):
        cg.tensor([1.0]).multiply_(cg.tensor(np.array([1j])))  # complex into real
    with pytest.raises(RuntimeError):
        torch.tensor([1.0]).multiply_(torch.tensor([1j]))


@pytest.mark.parametrize(
    "name", ["acos_", "eq_", "hypot_", "tril_", "cumsum_", "addmm_", "fill_diagonal_", "put_"]
)
def test_leaf_that_requires_grad_is_refused_and_no_grad_changes_it(name):
    args = {
        "eq_": (cg.tensor(UNIT),), "hypot_": (cg.tensor(OTHER),), "cumsum_": (0,),
        "addmm_": (cg.tensor(np.eye(2)), cg.tensor(np.ones((2, 3)))),
        "fill_diagonal_": (5.0,), "put_": (cg.tensor([0, 4]), cg.tensor([1.0, 2.0])),
    }.get(name, ())  # fmt: skip
    x = cg.tensor(UNIT.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(x, name)(*args)
    np.testing.assert_array_equal(x.numpy(), UNIT)
    with cg.no_grad():
        assert getattr(x, name)(*args) is x
    assert x.is_leaf and x.requires_grad
    assert not np.array_equal(x.numpy(), UNIT)
    tx = torch.tensor(UNIT, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        tx.acos_()


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_dtype_rules_as_torch():
    # a floating result cannot go into an integer tensor (torch: RuntimeError)
    for op in (lambda t: t.acos_(), lambda t: t.divide_(2), lambda t: t.hypot_(t)):
        with pytest.raises(TypeError, match="can't be cast"):
            op(cg.tensor([1, 2]))
        with pytest.raises(RuntimeError):
            op(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="can't be cast"):
        cg.tensor([True, False]).bitwise_left_shift_(cg.tensor([1, 1]))
    with pytest.raises(RuntimeError):
        torch.tensor([True, False]).bitwise_left_shift_(torch.tensor([1, 1]))
    # float_power_ needs a float64 tensor
    with pytest.raises(TypeError, match="float64"):
        cg.tensor(np.ones(2, np.float32)).float_power_(2)
    with pytest.raises(RuntimeError):
        torch.ones(2).float_power_(2)
    # a float32 tensor keeps its dtype whatever the other operand's
    x = cg.tensor(np.ones(3, np.float32))
    x.hypot_(cg.tensor(np.full(3, 2.0)))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.numpy(), np.sqrt(5.0), rtol=1e-6)
    # an int64 result into a uint8 tensor is allowed, as torch
    u = cg.tensor(np.array([5, 6], np.uint8)).bitwise_and_(cg.tensor([3, 300]))
    tu = torch.tensor([5, 6], dtype=torch.uint8).bitwise_and_(torch.tensor([3, 300]))
    assert u.dtype == np.uint8 and u.tolist() == tu.tolist()
    # a float32 non-leaf stays float32, and so does its gradient
    a = cg.tensor(np.ones(3, np.float32), requires_grad=True)
    y = a * 1.0
    y.hypot_(cg.tensor(np.full(3, 2.0)))
    y.sum().backward()
    assert y.dtype == a.grad.dtype == np.float32
    # comparisons on an int tensor: 0/1 in int64
    i = cg.tensor([1, 2, 3]).gt_(1)
    assert i.dtype == np.int64 and i.tolist() == [0, 1, 1]


def test_cumulative_dtype_must_be_selfs():
    with pytest.raises(TypeError, match="dtype"):
        cg.tensor(np.ones((2, 3), np.float32)).cumsum_(1, dtype=np.float64)
    with pytest.raises(RuntimeError):
        torch.ones(2, 3).cumsum_(1, dtype=torch.float64)
    x = cg.tensor(np.ones((2, 3))).cumprod_(0, dtype=np.float64)
    assert x.dtype == np.float64


def test_shape_cannot_change():
    with pytest.raises(ValueError, match="shape"):
        cg.tensor(np.ones(3)).hypot_(cg.tensor(np.ones((2, 3))))
    with pytest.raises(RuntimeError):
        torch.ones(3).hypot_(torch.ones(2, 3))


@pytest.mark.parametrize("name", ["swapaxes_", "swapdims_"])
def test_swapaxes_changes_the_view(name):
    data = RNG.standard_normal((2, 3, 4))
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert getattr(x, name)(0, 2) is x
    getattr(t, name)(0, 2)
    assert x.shape == tuple(t.shape) == (4, 3, 2)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    w = RNG.standard_normal((4, 3, 2))
    a = cg.tensor(data, requires_grad=True)
    y = a * 2.0
    getattr(y, name)(2, 0)
    (y * cg.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.swapaxes(w, 0, 2))
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(a, name)(0, 1)


@pytest.mark.parametrize(
    ("shape", "wrap"), [((3, 3), False), ((5, 3), False), ((7, 3), True), ((3, 5), True),
                        ((3, 3, 3), False)],
)  # fmt: skip
def test_fill_diagonal_as_torch(shape, wrap):
    data = RNG.standard_normal(shape)
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert x.fill_diagonal_(-2.0, wrap=wrap) is x
    t.fill_diagonal_(-2.0, wrap=wrap)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    # gradient: zero on the diagonal, as torch
    a, ta = cg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = a * 3.0, ta * 3.0
    y.fill_diagonal_(1.0, wrap)
    ty.fill_diagonal_(1.0, wrap)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())


def test_fill_diagonal_errors():
    with pytest.raises(ValueError, match="equal length"):
        cg.tensor(np.ones((2, 3, 3))).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError):
        torch.ones(2, 3, 3).fill_diagonal_(1.0)
    with pytest.raises(ValueError, match="2 dimensions"):
        cg.tensor(np.ones(3)).fill_diagonal_(1.0)


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_as_torch(accumulate):
    data = RNG.standard_normal((2, 3))
    idx, src = (
        np.array([0, -1, 4, 0] if accumulate else [0, -1, 4]),
        RNG.standard_normal(4 if accumulate else 3),
    )
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert x.put_(cg.tensor(idx), cg.tensor(src), accumulate) is x
    t.put_(torch.tensor(idx), torch.tensor(src), accumulate)
    np.testing.assert_allclose(x.numpy(), t.numpy())
    w = RNG.standard_normal((2, 3))
    grads = {}
    for lib in ("cg", "torch"):
        a, s = _to(lib, data, True), _to(lib, src, True)
        y = a * 2.0
        y.put_(_to(lib, idx), s, accumulate=accumulate)
        (y * _to(lib, w)).sum().backward()
        grads[lib] = (a.grad.numpy(), s.grad.numpy())
    for g, want in zip(grads["cg"], grads["torch"]):
        np.testing.assert_allclose(g, want)


def test_put_errors():
    with pytest.raises(IndexError, match="out of range"):
        cg.tensor(np.ones(3)).put_(cg.tensor([3]), cg.tensor([1.0]))
    with pytest.raises(IndexError):
        torch.ones(3).put_(torch.tensor([3]), torch.tensor([1.0]))
    with pytest.raises(TypeError, match="integer"):
        cg.tensor(np.ones(3)).put_(cg.tensor([1.0]), cg.tensor([1.0]))
    with pytest.raises(TypeError, match="same dtype"):
        cg.tensor(np.ones(3, np.float32)).put_(cg.tensor([1]), cg.tensor([1.0]))
    with pytest.raises(RuntimeError):
        torch.ones(3).put_(torch.tensor([1]), torch.tensor([1.0], dtype=torch.float64))
    with pytest.raises(ValueError, match="elements"):
        cg.tensor(np.ones(3)).put_(cg.tensor([1, 2]), cg.tensor([1.0]))


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_as_torch(reduce, include_self):
    data, src = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3))
    idx = np.array([0, 2, 0, 3, 2])
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert (
        x.index_reduce_(0, cg.tensor(idx), cg.tensor(src), reduce, include_self=include_self) is x
    )
    t.index_reduce_(0, torch.tensor(idx), torch.tensor(src), reduce, include_self=include_self)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)


def test_apply_map_map2_as_torch():
    data = SIGNED.copy()
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert x.apply_(lambda v: v * v + 1) is x
    t.apply_(lambda v: v * v + 1)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    row = np.array([1.0, 2.0, 3.0])
    x.map_(cg.tensor(row), lambda a, b: a - b)
    t.map_(torch.tensor(row), lambda a, b: a - b)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    x.map2_(cg.tensor(row), cg.tensor(OTHER), lambda a, b, c: a * b + c)
    t.map2_(torch.tensor(row), torch.tensor(OTHER), lambda a, b, c: a * b + c)
    np.testing.assert_allclose(x.numpy(), t.numpy())
    i = cg.tensor([1, 2, 3])
    i.apply_(lambda v: v * 2.7)  # written in the tensor's dtype, as torch
    assert (
        i.dtype == np.int64
        and i.tolist() == torch.tensor([1, 2, 3]).apply_(lambda v: v * 2.7).tolist()
    )
    r = cg.tensor(data, requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match="requires grad"):
        r.apply_(abs)
    with pytest.raises(RuntimeError):
        (torch.tensor(data, requires_grad=True) * 1.0).apply_(abs)
    with pytest.raises(RuntimeError, match="requires grad"):
        cg.tensor(data).map_(cg.tensor(data, requires_grad=True), max)
    with pytest.raises(RuntimeError):
        torch.tensor(data).map_(torch.tensor(data, requires_grad=True), max)


def test_random_fills():
    g = cg.Generator().manual_seed(3)
    x = cg.tensor(np.zeros((50, 40)))
    assert x.random_(2, 5, generator=g) is x
    v = x.numpy()
    assert set(np.unique(v)) == {2.0, 3.0, 4.0} and x.dtype == np.float64
    y = cg.tensor(np.zeros((50, 40)))
    y.random_(2, 5, generator=cg.Generator().manual_seed(3))
    np.testing.assert_array_equal(y.numpy(), v)  # reproducible
    assert set(np.unique(x.random_(3).numpy())) <= {0.0, 1.0, 2.0}
    i = cg.tensor(np.zeros(5000, np.int8)).random_()
    assert i.dtype == np.int8 and i.numpy().min() >= 0 and i.numpy().max() == 127
    ti = torch.zeros(5000, dtype=torch.int8).random_()
    assert ti.min() >= 0 and ti.max() == 127  # the dtype's largest value included, as torch
    big = cg.tensor(np.zeros(100, np.int64)).random_()
    assert big.numpy().max() > 2**60
    above = cg.tensor(np.zeros(100)).random_(7, None).numpy()
    assert above.min() >= 7 and above.max() > 2**40 and above.max() <= 2**53
    b = cg.tensor(np.zeros(100, bool)).random_()
    assert b.dtype == bool and b.numpy().any() and not b.numpy().all()
    f = cg.tensor(np.zeros(10000, np.float32)).random_()
    assert f.numpy().max() > 2**20 and f.numpy().max() <= 2**24
    assert torch.zeros(10000).random_().max() <= 2**24
    with pytest.raises(ValueError, match="from"):
        x.random_(5, 2)
    with pytest.raises(ValueError, match="out of bounds"):
        cg.tensor(np.zeros(3, np.uint8)).random_(0, 300)
    with pytest.raises(RuntimeError):
        torch.zeros(3, dtype=torch.uint8).random_(0, 300)
    neg = cg.tensor(np.zeros(100)).random_(-5, 3).numpy()
    assert neg.min() >= -5 and neg.max() < 3 and neg.min() < 0
    with pytest.raises(RuntimeError):
        torch.zeros(3).random_(5, 2)


def test_continuous_random_fills():
    cg.manual_seed(0)
    n = (200, 100)
    e = cg.tensor(np.zeros(n, np.float32))
    assert e.exponential_(4.0) is e and e.dtype == np.float32
    assert abs(e.numpy().mean() - 0.25) < 0.02 and e.numpy().min() >= 0
    g = cg.tensor(np.zeros(n)).geometric_(0.25)
    assert g.numpy().min() >= 1 and abs(g.numpy().mean() - 4.0) < 0.2
    assert torch.zeros(1000).geometric_(0.25).min() >= 1  # torch's support too
    ln = cg.tensor(np.zeros(n)).log_normal_(0.0, 0.5)
    assert ln.numpy().min() > 0 and abs(np.median(np.log(ln.numpy()))) < 0.05
    c = cg.tensor(np.zeros(n)).cauchy_(3.0, 0.5)
    assert abs(np.median(c.numpy()) - 3.0) < 0.05
    same = cg.tensor(np.zeros(5)).cauchy_(generator=cg.Generator().manual_seed(1))
    again = cg.tensor(np.zeros(5)).cauchy_(generator=cg.Generator().manual_seed(1))
    np.testing.assert_array_equal(same.numpy(), again.numpy())
    with pytest.raises(ValueError, match="lambda"):
        e.exponential_(0.0)
    with pytest.raises(ValueError, match="p"):
        e.geometric_(1.5)
    with pytest.raises(ValueError, match="std"):
        e.log_normal_(0.0, -1.0)
    with pytest.raises(TypeError, match="floating"):
        cg.tensor([1, 2]).exponential_()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).exponential_()
    leaf = cg.tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.exponential_()
    with cg.no_grad():
        leaf.exponential_()
    assert leaf.numpy().min() > 0


def test_resize_as_torch():
    data = np.arange(6.0)
    for shape in [(2, 3), (4,), (3, 3)]:
        x, t = cg.tensor(data.copy()), torch.tensor(data)
        assert x.resize_(*shape) is x
        t.resize_(*shape)
        assert x.shape == tuple(t.shape) == shape
        n = min(6, int(np.prod(shape)))
        np.testing.assert_array_equal(x.numpy().reshape(-1)[:n], t.numpy().reshape(-1)[:n])
    assert x.numpy().reshape(-1)[6:].tolist() == [0.0] * 3  # zeros here (torch: garbage)
    same = cg.tensor(data.copy())
    buf = same.numpy()
    same.resize_([3, 2])
    assert np.shares_memory(same.numpy(), buf)
    y = cg.tensor(data.copy()).resize_as_(cg.tensor(np.ones((2, 3))))
    assert y.shape == (2, 3) and y.numpy()[1].tolist() == [3.0, 4.0, 5.0]
    with pytest.raises(RuntimeError, match="requires grad"):
        cg.tensor(data, requires_grad=True).resize_(2, 3)
    with cg.no_grad(), pytest.raises(RuntimeError, match="requires grad"):
        cg.tensor(data, requires_grad=True).resize_(2, 3)  # even under no_grad, as torch
    with torch.no_grad(), pytest.raises(RuntimeError):
        torch.tensor(data, requires_grad=True).resize_(2, 3)
    with pytest.raises(RuntimeError):
        torch.tensor(data, requires_grad=True).resize_(2, 3)
    with pytest.raises(ValueError, match="non-negative"):
        cg.tensor(data).resize_(-1)


def test_set_shares_the_source():
    src = cg.tensor(np.arange(4.0))
    x = cg.tensor(np.zeros((2, 2)))
    assert x.set_(src) is x
    assert x.shape == (4,)
    src.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0, 4.0])
    assert x.set_().shape == (0,)
    t = torch.zeros(2, 2)
    assert tuple(t.set_().shape) == (0,)
    with pytest.raises(TypeError, match="dtype"):
        x.set_(cg.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.zeros(2).set_(torch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="leaf"):
        cg.tensor(np.ones(2), requires_grad=True).set_(src)
    # a non-leaf set to a source that requires grad stands for it (gradient to source)
    a = cg.tensor(np.ones(3), requires_grad=True)
    s = cg.tensor(np.arange(3.0), requires_grad=True)
    y = a * 2.0
    y.set_(s * 3.0)
    y.sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), [3.0, 3.0, 3.0])
    with pytest.raises(NotImplementedError, match="storage"):
        x.set_(src, 0, (2,), (1,))


def test_as_strided_as_torch():
    data = np.arange(12.0)
    x, t = cg.tensor(data.copy()), torch.tensor(data)
    assert x.as_strided_((3, 2), (3, 1), 1) is x
    t.as_strided_((3, 2), (3, 1), 1)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    with pytest.raises(ValueError, match="storage"):
        cg.tensor(data).as_strided_((3, 5), (4, 1))
    with pytest.raises(NotImplementedError, match="not recorded"):
        (cg.tensor(data, requires_grad=True) * 1.0).as_strided_((2,), (1,))


def test_sparse_and_shared_memory():
    x = cg.tensor(np.ones(2))
    assert x.share_memory_() is x
    for name in ("resize_as_sparse_", "sparse_resize_", "sparse_resize_and_clear_"):
        with pytest.raises(NotImplementedError, match="sparse"):
            getattr(x, name)(x)


def test_no_torch_in_place_method_is_missing():
    x = cg.tensor(np.ones((2, 3)))
    missing = [
        n for n in dir(torch.Tensor) if n.endswith("_") and not n.startswith("_")
        and not hasattr(x, n)
    ]  # fmt: skip
    assert missing == []


TOP_ARGS = {
    "addmv_": lambda lib: (_to(lib, M1), _to(lib, V3)),
    "clamp_": lambda lib: (0.3, 0.6), "clip_": lambda lib: (0.3, 0.6),
    "clamp_max_": lambda lib: (0.5,), "clamp_min_": lambda lib: (0.5,),
    "fill_": lambda lib: (2.5,), "ldexp_": lambda lib: (_to(lib, SHIFT[0, :2]),),
    "xlogy_": lambda lib: (_to(lib, OTHER[0, :2]),),
    "index_put_": lambda lib: ((_to(lib, np.array([1])),), _to(lib, np.array([9.0]))),
    "resize_as_": lambda lib: (_to(lib, np.ones((1, 2))),),
    "as_strided_": lambda lib: ((1,), (1,), 1),
    "logit_": lambda lib: (0.2,),
}  # fmt: skip
INT_TOP = {"gcd_": INTS2[0, :2], "lcm_": INTS2[0, :2]}


@pytest.mark.parametrize("name", sorted(INPLACE_FUNCTIONS))
def test_top_level_in_place_functions_against_torch(name):
    assert getattr(cg, name) is INPLACE_FUNCTIONS[name]
    if name == "resize_as_sparse_":
        with pytest.raises(NotImplementedError):
            cg.resize_as_sparse_(cg.tensor(np.ones(2)), cg.tensor(np.ones(2)))
        return
    results = {}
    for lib, ns in (("cg", cg), ("torch", torch)):
        if name in INT_TOP:
            x = _to(lib, INTS[0, :2].copy())
            args = (_to(lib, INT_TOP[name]),)
        else:
            x = _to(lib, (POS if "cosh" in name else UNIT)[0, :2].copy())
            args = TOP_ARGS.get(name, lambda lib: ())(lib)
        out = getattr(ns, name)(x, *args)
        assert out is x
        results[lib] = x
    got, want = results["cg"], results["torch"]
    assert got.shape == tuple(want.shape) and got.dtype == _np_dtype(want)
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-10)


def test_top_level_functions_need_a_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        cg.exp_(np.ones(2))
