"""cg.function called with Python floats goes straight to the compiled code after the
first call; it must give what the general path gives, and step aside inside transforms
and open tapes, for other argument types, and for structured outputs."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def seed(x):
    return (3 * x + 2) ** 4


def test_float_calls_use_the_compiled_code_and_agree():
    cf = cg.function(cg.grad(seed))
    first = cf(3.0)
    assert cf._floats  # the fast path is armed
    again = cf(3.0)
    assert isinstance(again, cg.Tensor) and float(again) == float(first) == 15972.0
    assert float(cf(-1.5)) == pytest.approx(4 * (3 * -1.5 + 2) ** 3 * 3)
    assert len(cf._cache) == 1  # no retrace


def test_other_argument_kinds_still_take_the_general_path():
    cf = cg.function(seed)
    cf(1.0)
    np.testing.assert_allclose(cf(np.array([1.0, 2.0])).numpy(), [625.0, 4096.0])
    assert cf(np.float32(1.0)).dtype == np.float32
    assert float(cf(2)) == 4096.0


def test_transforms_and_tapes_see_through_the_fast_path():
    cf = cg.function(seed)
    cf(3.0)
    assert float(cg.grad(cf)(3.0)) == 15972.0  # runs eagerly under the transform
    x = cg.Variable(3.0)
    with cg.GradientTape() as tape:
        y = cf(x) + cf(1.0)
    assert float(tape.gradient(y, x)) == 15972.0


def test_structured_outputs_are_not_short_cut():
    cf = cg.function(lambda x: (x * 2, x + 1))
    a, b = cf(1.0)
    a, b = cf(2.0)
    assert not cf._floats and float(a) == 4.0 and float(b) == 3.0


# ------------------------------------------------------------ Python-float code
def _numpy_and_floats(fn, xs):
    cf = cg.function(fn)
    cf(1.25)
    floats, code = cf._floats[1]
    return cf, floats, code


def test_float_code_is_made_for_arithmetic_and_gives_numpys_bits():
    def f(x):
        return (3 * x + 2) ** 4 / (x - 7.5) - (-x) * 0.1

    cf, floats, code = _numpy_and_floats(f, None)
    assert floats is not None
    rng = np.random.default_rng(0)
    for x in rng.normal(size=200) * 10:
        x = float(x)
        want = code(x)  # the NumPy code: a 0-d float64 array
        got = cf(x)
        assert got.dtype == np.float64 and got.shape == ()
        assert float(got) == float(want) or (np.isnan(float(got)) and np.isnan(float(want)))


def test_no_float_code_for_other_ops_or_shapes():
    assert _numpy_and_floats(lambda x: cg.sin(x) * 2, None)[1] is None
    cf = cg.function(lambda x: x * 2)
    cf(np.ones(3))
    assert not cf._floats  # an array argument: no float fast path at all


@pytest.mark.parametrize(
    "fn, x, want",
    [
        (lambda x: 1.0 / x, 0.0, np.inf),  # Python raises ZeroDivisionError
        (lambda x: x**0.5, -4.0, np.nan),  # Python gives a complex
        (lambda x: x**400.0, 1e10, np.inf),  # Python raises OverflowError
        (lambda x: x * 1e300 * 1e300, 1.0, np.inf),  # inf: NumPy's warning is kept
    ],
)
def test_where_numpy_warns_the_numpy_code_runs(fn, x, want):
    cf = cg.function(fn)
    cf(2.0)
    assert cf._floats[1][0] is not None
    with pytest.warns(RuntimeWarning):
        got = float(cf(x))
    assert got == want or (np.isnan(want) and np.isnan(got))


def test_the_busy_count_returns_to_zero_after_tapes_and_transforms():
    from compgraph.grad_mode import BUSY

    start = BUSY[0]
    cf = cg.function(seed)
    cf(3.0)
    with pytest.raises(ZeroDivisionError):
        with cg.GradientTape():
            assert BUSY[0] == start + 1
            raise ZeroDivisionError
    with pytest.raises(ValueError):
        cg.grad(lambda x: (_ for _ in ()).throw(ValueError("inside")))(1.0)
    cg.grad(lambda x: cg.grad(seed)(x))(2.0)
    assert BUSY[0] == start
    assert float(cf(3.0)) == 11.0**4  # (3*3+2)**4, through the fast path again


def test_one_float_path_agrees_with_keywords_and_other_arities():
    """The one-float call is checked apart from the argument tuple: a keyword named like
    the function's parameter, two floats, and no argument at all still work as before."""
    cf = cg.function(lambda x: (3 * x + 2) ** 4)
    cf(3.0)
    assert cf._float1 is not None
    assert float(cf(x=3.0)) == float(cf(3.0)) == 14641.0
    two = cg.function(lambda a, b: (a - b) * (a + b))
    assert float(two(3.0, 1.0)) == float(two(3.0, 1.0)) == 8.0
    assert two._float1 is None and two._floats
    assert float(two(a=3.0, b=1.0)) == 8.0
    none = cg.function(lambda: cg.tensor(2.0) * 3.0)
    assert float(none()) == float(none()) == 6.0
    with pytest.raises(TypeError):
        cf()  # the function's own error for a missing argument
    nan = cg.function(lambda x: x / 0.0)
    with np.errstate(divide="ignore"):
        nan(1.0)
        assert np.isinf(float(nan(1.0)))  # NumPy's result where Python would raise
