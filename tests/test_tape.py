"""Tests of ``cg.GradientTape`` and ``cg.Variable`` (TensorFlow style).

Reference behaviour: /work/shared/API.md sections 2 and 7, TensorFlow's
``tf.GradientTape`` / ``tf.Variable`` semantics, and PyTorch for the numbers.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import compgraph as cg
from helpers import FLOAT_DTYPES as DTYPES, TORCH_TOL as TOL  # TOL: cg float32 vs torch float64
from helpers import const, optional_torch, skip_if_missing, val

torch = optional_torch(num_threads=1)
needs_torch = skip_if_missing(torch)


# =========================================================================== the seed
class TestSeedSnippet:
    def test_verbatim(self):
        x = cg.constant(3.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            u = 3 * x + 2
            y = u ** 4
        gy = tape.gradient(y, x)
        gu = tape.gradient(u, x)
        assert isinstance(gy, cg.Tensor) and isinstance(gu, cg.Tensor)
        assert gy == 15972.0 and float(gy) == 15972.0
        assert gu == 3.0 and float(gu) == 3.0
        assert gy.shape == () and gy.dtype == np.float64

    def test_order_and_repetition_on_persistent_tape(self):
        x = cg.constant(3.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            u = 3 * x + 2
            y = u ** 4
        assert float(tape.gradient(u, x)) == 3.0
        assert float(tape.gradient(y, x)) == 15972.0
        assert float(tape.gradient(y, x)) == 15972.0
        assert float(tape.jacobian(y, x)) == 15972.0
        assert float(tape.gradient(y, u)) == 4 * 11 ** 3

    def test_watched_constant_stays_a_constant(self):
        x = cg.constant(3.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert not x.requires_grad
        assert not (x * 2).requires_grad
        assert float(tape.gradient(y, x)) == 6.0
        assert float(x) == 3.0 and x.grad is None

    def test_tape_does_not_touch_dot_grad(self):
        x = cg.tensor([1.0, 2.0], requires_grad=True)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = (x * x).sum()
        np.testing.assert_array_equal(val(tape.gradient(y, x)), [2.0, 4.0])
        assert x.grad is None


# =========================================================================== watch
class TestWatch:
    def test_unwatched_constant_gives_none(self):
        x = cg.constant(2.0)
        with cg.GradientTape() as tape:
            y = x * x
        assert tape.gradient(y, x) is None

    def test_watch_list(self):
        a, b = cg.constant(2.0), cg.constant(5.0)
        with cg.GradientTape() as tape:
            tape.watch([a, b])
            y = a * a * b
        ga, gb = tape.gradient(y, [a, b])
        assert float(ga) == 20.0 and float(gb) == 4.0

    def test_watch_nested_structure(self):
        a, b, c = cg.constant(1.0), cg.constant(2.0), cg.constant(3.0)
        with cg.GradientTape() as tape:
            tape.watch({"k": [a, (b,)], "z": c})
            y = a * b * c
        g = tape.gradient(y, {"k": [a, (b,)], "z": c})
        assert isinstance(g, dict) and set(g) == {"k", "z"}
        assert isinstance(g["k"], list) and isinstance(g["k"][1], tuple)
        assert [float(g["k"][0]), float(g["k"][1][0]), float(g["z"])] == [6.0, 3.0, 2.0]

    def test_watch_tuple_and_tensor_one_by_one(self):
        a, b = const([1.0, 2.0]), const(3.0)
        with cg.GradientTape() as tape:
            tape.watch((a,))
            tape.watch(b)
            y = (a * b).sum()
        ga, gb = tape.gradient(y, (a, b))
        np.testing.assert_array_equal(val(ga), [3.0, 3.0])
        assert float(gb) == 3.0

    @pytest.mark.parametrize("bad", [3.0, np.ones(2), "x", None])
    def test_watch_non_tensor_raises_type_error(self, bad):
        with cg.GradientTape() as tape:
            with pytest.raises(TypeError, match="watch"):
                tape.watch(bad)

    def test_watch_after_use_does_not_see_earlier_ops(self):
        x = cg.constant(3.0)
        with cg.GradientTape(persistent=True) as tape:
            y = x * x
            tape.watch(x)
            z = y * x
        assert float(tape.gradient(z, x)) == 9.0  # y is a constant for the tape
        assert tape.gradient(y, x) is None

    def test_watch_before_entering(self):
        x = cg.constant(2.0)
        tape = cg.GradientTape()
        tape.watch(x)
        with tape:
            y = x ** 3
        assert float(tape.gradient(y, x)) == 12.0

    def test_watch_integer_tensor_gives_none(self):
        i = cg.constant([1, 2])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with cg.GradientTape() as tape:
                tape.watch(i)
                y = (i * 2.0).sum()
        assert tape.gradient(y, i) is None

    def test_watch_accepts_float32(self):
        x = const([1.0, -2.0], "float32")
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = (x ** 3).sum()
        g = tape.gradient(y, x)
        assert g.dtype == np.float32
        np.testing.assert_array_equal(val(g), [3.0, 12.0])

    def test_target_equal_to_watched_source_gives_ones(self):
        # tf: tape.gradient(x, x) of a watched x is ones_like(x)
        x = const([2.0, 3.0])
        with cg.GradientTape() as tape:
            tape.watch(x)
        g = tape.gradient(x, x)
        assert g is not None, "gradient of a watched source with respect to itself is ones"
        np.testing.assert_array_equal(val(g), [1.0, 1.0])


# =========================================================================== gradient()
class TestGradientStructure:
    @pytest.fixture
    def recorded(self):
        a, b = const([1.0, 2.0]), const(3.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch([a, b])
            y = (a * a * b).sum()
        return tape, y, a, b

    def test_single_tensor(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, a)
        assert isinstance(g, cg.Tensor) and g.shape == (2,)
        np.testing.assert_array_equal(val(g), [6.0, 12.0])

    def test_list(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, [a, b])
        assert type(g) is list and len(g) == 2
        np.testing.assert_array_equal(val(g[0]), [6.0, 12.0])
        assert float(g[1]) == 5.0

    def test_tuple(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, (b, a))
        assert type(g) is tuple and len(g) == 2
        assert float(g[0]) == 5.0

    def test_dict(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, {"weight": a, "bias": b})
        assert type(g) is dict and set(g) == {"weight", "bias"}
        np.testing.assert_array_equal(val(g["weight"]), [6.0, 12.0])
        assert float(g["bias"]) == 5.0

    def test_nested_and_repeated_sources(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, {"p": [a, (b, a)]})
        np.testing.assert_array_equal(val(g["p"][0]), [6.0, 12.0])
        np.testing.assert_array_equal(val(g["p"][1][1]), [6.0, 12.0])
        g["p"][0].numpy()[0] = 99.0  # results must not alias each other
        assert val(g["p"][1][1])[0] == 6.0

    def test_intermediate_source(self, recorded):
        a = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(a)
            u = a * 3
            y = u * u
        assert float(tape.gradient(y, u)) == 12.0

    def test_unconnected_none_and_zero(self, recorded):
        tape, y, a, b = recorded
        c = const([[1.0, 2.0, 3.0]], "float32")
        with tape:
            tape.watch(c)
        assert tape.gradient(y, c) is None
        ga, gc = tape.gradient(y, [a, c], unconnected_gradients="zero")
        np.testing.assert_array_equal(val(ga), [6.0, 12.0])
        assert isinstance(gc, cg.Tensor)
        assert gc.shape == (1, 3) and gc.dtype == np.float32
        np.testing.assert_array_equal(val(gc), 0.0)

    def test_unwatched_with_zero(self, recorded):
        tape, y, a, b = recorded
        c = const([1.0, 2.0])  # never watched
        g = tape.gradient(y, c, unconnected_gradients="zero")
        assert g.shape == (2,)
        np.testing.assert_array_equal(val(g), 0.0)

    def test_bad_unconnected_gradients(self, recorded):
        tape, y, a, b = recorded
        with pytest.raises(ValueError, match="unconnected_gradients"):
            tape.gradient(y, a, unconnected_gradients="zeros")

    def test_list_of_targets_sums(self, recorded):
        a = const([1.0, 2.0])
        b = const(3.0)
        with cg.GradientTape() as tape:
            tape.watch([a, b])
            y1 = (a * a).sum()
            y2 = (a * b).sum()
        ga, gb = tape.gradient([y1, y2], [a, b])
        np.testing.assert_array_equal(val(ga), [5.0, 7.0])
        assert float(gb) == 3.0

    def test_output_gradients(self):
        a = const([1.0, 2.0])
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(a)
            y = a * a
            s = y.sum()
        g = tape.gradient(y, a, output_gradients=np.array([10.0, 1.0]))
        np.testing.assert_array_equal(val(g), [20.0, 4.0])
        g2 = tape.gradient([s, y], a, output_gradients=[2.0, cg.constant([1.0, 0.0])])
        np.testing.assert_array_equal(val(g2), [6.0, 8.0])

    def test_non_scalar_target_is_summed(self):
        # tf: the gradient of a non-scalar target is that of its sum
        a = const([1.0, 2.0, 3.0])
        with cg.GradientTape() as tape:
            tape.watch(a)
            y = a * a
        g = tape.gradient(y, a)
        np.testing.assert_array_equal(val(g), [2.0, 4.0, 6.0])

    def test_output_gradients_count_mismatch(self, recorded):
        tape, y, a, b = recorded
        with pytest.raises(ValueError):
            tape.gradient([y, y], a, output_gradients=[1.0])

    def test_output_gradients_shape_mismatch(self, recorded):
        tape, y, a, b = recorded
        with pytest.raises(ValueError):
            tape.gradient(y, a, output_gradients=np.ones(3))

    def test_non_tensor_target_or_source(self, recorded):
        tape, y, a, b = recorded
        with pytest.raises(TypeError):
            tape.gradient(3.0, a)
        with pytest.raises(TypeError):
            tape.gradient(y, 3.0)
        with pytest.raises(TypeError):
            tape.gradient(y, [a, np.ones(2)])

    def test_constant_target(self):
        x = const(2.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            k = cg.constant(5.0) * 2
        assert tape.gradient(k, x) is None
        assert float(tape.gradient(k, x, unconnected_gradients="zero")) == 0.0

    def test_float32_sources_get_float32_gradients(self):
        a = const([1.0, 2.0], "float32")
        w = cg.Variable(np.array([0.5, -1.0], np.float32))
        with cg.GradientTape() as tape:
            tape.watch(a)
            y = cg.tanh(a * w).sum()
        ga, gw = tape.gradient(y, [a, w])
        assert ga.dtype == np.float32 and gw.dtype == np.float32

    def test_result_is_not_recording_at_top_level(self, recorded):
        tape, y, a, b = recorded
        g = tape.gradient(y, a)
        assert not g.requires_grad


# =========================================================================== persistence
class TestPersistence:
    def test_second_gradient_on_non_persistent_tape_raises(self):
        x = const(3.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert float(tape.gradient(y, x)) == 6.0
        with pytest.raises(RuntimeError, match="persistent"):
            tape.gradient(y, x)

    def test_message_says_why(self):
        x = const(3.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
            z = x + 1
        tape.gradient(y, x)
        with pytest.raises(RuntimeError) as info:
            tape.gradient(z, x)  # even for another target
        msg = str(info.value)
        assert re.search(r"once|only one|second|again", msg, re.I), msg
        assert "persistent=True" in msg or "persistent" in msg

    def test_jacobian_then_gradient_raises(self):
        x = const([1.0, 2.0])
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.jacobian(y, x)
        with pytest.raises(RuntimeError, match="persistent"):
            tape.gradient(y.sum(), x)

    def test_gradient_then_jacobian_raises(self):
        x = const([1.0, 2.0])
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y.sum(), x)
        with pytest.raises(RuntimeError, match="persistent"):
            tape.jacobian(y, x)

    def test_persistent_allows_many(self):
        x = const([1.0, 2.0])
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = (x ** 3).sum()
        for _ in range(3):
            np.testing.assert_array_equal(val(tape.gradient(y, x)), [3.0, 12.0])
        np.testing.assert_array_equal(val(tape.gradient(y, [x])[0]), [3.0, 12.0])
        np.testing.assert_array_equal(val(tape.jacobian(y, x)), [3.0, 12.0])

    def test_failed_validation_does_not_use_up_the_tape(self):
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        with pytest.raises(ValueError):
            tape.gradient(y, x, unconnected_gradients="bogus")
        assert float(tape.gradient(y, x)) == 4.0


# =========================================================================== why_none / warn
class TestWhyNone:
    def setup_method(self):
        self.x = const([1.0, 2.0])
        self.i = cg.constant(np.array([1, 2]))
        self.u = const(5.0)       # never watched
        self.c = const(7.0)       # watched but not used
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with cg.GradientTape(persistent=True) as tape:
                tape.watch([self.x, self.c, self.i])
                self.y = (self.x * self.x).sum() + self.u * (self.i * 1.0).sum()
        self.tape = tape

    def test_connected_source_has_no_reason(self):
        assert self.tape.why_none(self.y, self.x) is None

    def test_never_watched(self):
        assert self.tape.gradient(self.y, self.u) is None
        msg = self.tape.why_none(self.y, self.u)
        assert isinstance(msg, str)
        assert re.search(r"never watched|not watched|unwatched", msg, re.I), msg

    def test_integer(self):
        assert self.tape.gradient(self.y, self.i) is None
        msg = self.tape.why_none(self.y, self.i)
        assert isinstance(msg, str)
        assert re.search(r"integer|int64", msg, re.I), msg

    def test_unconnected(self):
        assert self.tape.gradient(self.y, self.c) is None
        msg = self.tape.why_none(self.y, self.c)
        assert isinstance(msg, str)
        assert re.search(r"not depend|not connected|unconnected", msg, re.I), msg

    def test_reasons_differ(self):
        reasons = {self.tape.why_none(self.y, s) for s in (self.u, self.i, self.c)}
        assert len(reasons) == 3

    @pytest.mark.parametrize("which,pattern", [
        ("u", r"never watched|not watched|unwatched"),
        ("i", r"integer|int64"),
        ("c", r"not depend|not connected|unconnected"),
    ])
    def test_warn_true_warns_with_reason(self, which, pattern):
        src = getattr(self, which)
        with pytest.warns(Warning) as rec:
            g = self.tape.gradient(self.y, src, warn=True)
        assert g is None
        text = " ".join(str(w.message) for w in rec)
        assert re.search(pattern, text, re.I), text

    def test_warn_true_with_zero_still_returns_zeros(self):
        with pytest.warns(Warning):
            g = self.tape.gradient(self.y, self.c, warn=True, unconnected_gradients="zero")
        assert float(g) == 0.0

    def test_warn_true_silent_when_connected(self):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            g = self.tape.gradient(self.y, self.x, warn=True)
        assert [str(w.message) for w in rec] == []
        np.testing.assert_array_equal(val(g), [2.0, 4.0])

    def test_no_warning_by_default(self):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            assert self.tape.gradient(self.y, self.u) is None
        assert rec == []

    def test_warns_once_per_none_source(self):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            gx, gu, gc = self.tape.gradient(self.y, [self.x, self.u, self.c], warn=True)
        assert gx is not None and gu is None and gc is None
        assert len(rec) == 2, [str(w.message) for w in rec]

    def test_integer_source_in_a_fresh_tape(self):
        i = cg.constant(3)
        with cg.GradientTape() as tape:
            y = i * 2.0
        with pytest.warns(Warning, match=r"(?i)integer|int64"):
            assert tape.gradient(y, i, warn=True) is None

    def test_non_trainable_variable(self):
        v = cg.Variable(2.0, trainable=False)
        with cg.GradientTape() as tape:
            y = v * v
        msg = tape.why_none(y, v)
        assert isinstance(msg, str) and re.search(r"trainable|watch", msg, re.I), msg

    def test_through_stop_gradient(self):
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = cg.stop_gradient(x) * 3
        assert tape.gradient(y, x) is None
        msg = tape.why_none(y, x)
        assert isinstance(msg, str) and re.search(r"not depend|connect", msg, re.I), msg


# =========================================================================== stop_recording / reset
class TestStopRecordingAndReset:
    def test_stop_recording(self):
        x = const(2.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            with tape.stop_recording():
                z = x * x
            y = x * 3
        assert tape.gradient(z, x) is None
        assert float(tape.gradient(y, x)) == 3.0

    def test_stop_recording_with_variable(self):
        v = cg.Variable(2.0)
        with cg.GradientTape(persistent=True) as tape:
            with tape.stop_recording():
                a = v * v
            b = a * v
        assert tape.gradient(a, v) is None
        assert float(tape.gradient(b, v)) == 4.0  # a is a constant

    def test_stop_recording_stops_only_this_tape(self):
        # tf: stop_recording() pauses this tape; an enclosing tape keeps recording
        x = const(2.0)
        with cg.GradientTape() as outer:
            outer.watch(x)
            with cg.GradientTape() as inner:
                inner.watch(x)
                with inner.stop_recording():
                    y = x * x * x
            assert inner.gradient(y, x) is None
        assert float(outer.gradient(y, x)) == 12.0

    def test_stop_recording_restores_state(self):
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            with pytest.raises(ZeroDivisionError):
                with tape.stop_recording():
                    1 / 0
            assert cg.is_grad_enabled()
            y = x * x
        assert float(tape.gradient(y, x)) == 4.0

    def test_reset_forgets_watches(self):
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            tape.reset()
            y = x * x * x
        assert tape.gradient(y, x) is None

    def test_reset_inside_then_rewatch_records_only_later_ops(self):
        # tf: reset() is like exiting and re-entering with a new tape
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
            tape.reset()
            tape.watch(x)
            z = y * x
        assert float(tape.gradient(z, x)) == 4.0  # y is a constant after reset

    def test_reset_makes_a_used_non_persistent_tape_usable(self):
        x = const(2.0)
        tape = cg.GradientTape()
        with tape:
            tape.watch(x)
            y = x * x
        assert float(tape.gradient(y, x)) == 4.0
        tape.reset()
        with tape:
            tape.watch(x)
            y = x * x * x
        assert float(tape.gradient(y, x)) == 12.0

    def test_exception_inside_tape_restores_state(self):
        x = const(2.0)
        with cg.no_grad():
            with pytest.raises(KeyError):
                with cg.GradientTape() as tape:
                    tape.watch(x)
                    assert cg.is_grad_enabled()
                    raise KeyError("boom")
            assert not cg.is_grad_enabled()
        assert cg.is_grad_enabled()
        assert not x.requires_grad

    def test_tape_records_under_no_grad(self):
        x = const(2.0)
        with cg.no_grad():
            with cg.GradientTape() as tape:
                tape.watch(x)
                y = x * x
        assert float(tape.gradient(y, x)) == 4.0


# =========================================================================== recording scope (tf)
class TestRecordingScope:
    """A tape differentiates only what ran inside its context (tf semantics)."""

    def test_variable_ops_before_the_tape_are_constants(self):
        v = cg.Variable(2.0)
        y0 = v * v  # outside any tape
        with cg.GradientTape() as tape:
            y = y0 * v
        assert float(tape.gradient(y, v)) == 4.0  # d(y0 * v)/dv with y0 constant

    def test_variadic_op_mixing_a_leaf_and_a_value_from_before_the_tape(self):
        # stack's rule is variadic; an input made before the tape is a constant
        # (this raised TypeError: `p in targets` with no targets)
        v = cg.Variable(3.0)
        a = cg.tensor(1.0, requires_grad=True)
        d, b = v * 2, a * 2  # outside any tape
        with cg.GradientTape(persistent=True) as tape:
            z = cg.stack([v, d, v * v]).sum()
            w = cg.concatenate([cg.reshape(a, (1,)), cg.reshape(b, (1,))]).sum()
        assert float(tape.gradient(z, v)) == 7.0  # 1 + 2v, d constant
        assert float(tape.gradient(w, a)) == 1.0
        assert [float(g) for g in tape.gradient(z, [v])] == [7.0]

    def test_target_computed_after_the_tape_closed_is_not_recorded(self):
        x = const(2.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        z = y * 3
        assert tape.gradient(z, x) is None

    def test_gradient_inside_a_persistent_tape_is_recorded(self):
        # tf: calling gradient() inside the context of a persistent tape records it
        x = const(3.0)
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x ** 2
            g = tape.gradient(y, x)
            z = g * x
        assert float(g) == 6.0
        assert float(tape.gradient(z, x)) == 12.0  # d(2x * x)/dx = 4x


# =========================================================================== jacobian
class TestTapeJacobian:
    def test_shape_and_values(self, rng):
        xv = rng.standard_normal((2, 3))
        x = const(xv)
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        j = tape.jacobian(y, x)
        assert j.shape == (2, 3, 2, 3)
        expected = np.diag(2 * xv.ravel()).reshape(2, 3, 2, 3)
        np.testing.assert_allclose(val(j), expected)

    def test_scalar_target(self):
        x = const([1.0, 2.0])
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = (x ** 3).sum()
        j = tape.jacobian(y, x)
        assert j.shape == (2,)
        np.testing.assert_array_equal(val(j), [3.0, 12.0])

    def test_list_and_dict_of_sources(self, rng):
        W = cg.Variable(rng.standard_normal((3, 2)))
        x = const(rng.standard_normal(2))
        with cg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = W @ x
        jw, jx = tape.jacobian(y, [W, x])
        assert jw.shape == (3, 3, 2) and jx.shape == (3, 2)
        np.testing.assert_allclose(val(jx), W.numpy())
        expected_w = np.einsum("ij,k->ijk", np.eye(3), x.numpy())
        np.testing.assert_allclose(val(jw), expected_w)
        d = tape.jacobian(y, {"x": x})
        assert set(d) == {"x"}
        np.testing.assert_allclose(val(d["x"]), W.numpy())

    def test_unconnected(self):
        x = const([1.0, 2.0])
        c = const([1.0, 2.0, 3.0], "float32")
        with cg.GradientTape(persistent=True) as tape:
            tape.watch([x, c])
            y = x * 2
        assert tape.jacobian(y, c) is None
        jz = tape.jacobian(y, c, unconnected_gradients="zero")
        assert jz.shape == (2, 3) and jz.dtype == np.float32
        np.testing.assert_array_equal(val(jz), 0.0)

    def test_float32(self):
        x = const([1.0, 2.0], "float32")
        with cg.GradientTape() as tape:
            tape.watch(x)
            y = cg.tanh(x) * x
        j = tape.jacobian(y, x)
        assert j.dtype == np.float32


# =========================================================================== nesting
class TestNestedTapes:
    def test_second_derivative_of_seed(self):
        x = cg.constant(3.0)
        with cg.GradientTape() as outer:
            outer.watch(x)
            with cg.GradientTape() as inner:
                inner.watch(x)
                y = (3 * x + 2) ** 4
            g = inner.gradient(y, x)
        h = outer.gradient(g, x)
        assert float(g) == 15972.0
        assert float(h) == 4 * 3 * 11 ** 2 * 9  # 13068

    def test_third_derivative(self):
        x = cg.constant(0.7)
        with cg.GradientTape() as t1:
            t1.watch(x)
            with cg.GradientTape() as t2:
                t2.watch(x)
                with cg.GradientTape() as t3:
                    t3.watch(x)
                    y = cg.sin(x) * x
                d1 = t3.gradient(y, x)
            d2 = t2.gradient(d1, x)
        d3 = t1.gradient(d2, x)
        s, c = np.sin(0.7), np.cos(0.7)
        np.testing.assert_allclose(float(d1), c * 0.7 + s)
        np.testing.assert_allclose(float(d2), -s * 0.7 + 2 * c)
        np.testing.assert_allclose(float(d3), -c * 0.7 - 3 * s)

    def test_persistent_outer_gives_second_and_third(self):
        x = cg.constant(2.0)
        with cg.GradientTape(persistent=True) as outer:
            outer.watch(x)
            with cg.GradientTape() as inner:
                inner.watch(x)
                y = x ** 5
            d1 = inner.gradient(y, x)
            d2 = outer.gradient(d1, x)
        d3 = outer.gradient(d2, x)
        assert float(d1) == 80.0 and float(d2) == 160.0 and float(d3) == 240.0

    def test_hessian_by_jacobian_of_gradient(self, rng):
        A = rng.standard_normal((4, 3))
        xv = rng.standard_normal(3)
        x = const(xv)
        with cg.GradientTape() as outer:
            outer.watch(x)
            with cg.GradientTape() as inner:
                inner.watch(x)
                y = cg.tanh(cg.constant(A) @ x).sum()
            g = inner.gradient(y, x)
        H = outer.jacobian(g, x)
        z = np.tanh(A @ xv)
        np.testing.assert_allclose(val(H), A.T @ np.diag(-2 * z * (1 - z * z)) @ A, atol=1e-12)

    def test_outer_tape_not_watching_gives_none(self):
        x = cg.constant(2.0)
        with cg.GradientTape() as outer:
            with cg.GradientTape() as inner:
                inner.watch(x)
                y = x ** 3
            g = inner.gradient(y, x)
        assert float(g) == 12.0
        assert outer.gradient(g, x) is None

    def test_nested_with_variables(self):
        v = cg.Variable(1.5)
        with cg.GradientTape() as outer:
            with cg.GradientTape() as inner:
                y = v ** 4
            g = inner.gradient(y, v)
        h = outer.gradient(g, v)
        np.testing.assert_allclose(float(g), 4 * 1.5 ** 3)
        np.testing.assert_allclose(float(h), 12 * 1.5 ** 2)

    def test_tape_gradient_inside_a_transform(self):
        # grad of a function that itself uses a tape: d/dx sum(3 x^2) = 6x
        def f(x):
            with cg.GradientTape() as tape:
                tape.watch(x)
                y = (x ** 3).sum()
            return tape.gradient(y, x).sum()
        g = cg.grad(f)(np.array([1.0, 2.0]))
        np.testing.assert_allclose(val(g), [6.0, 12.0])

    def test_transform_inside_a_tape(self):
        x = const([1.0, 2.0])
        with cg.GradientTape() as tape:
            tape.watch(x)
            g = cg.grad(lambda z: (z ** 3).sum())(x)
        np.testing.assert_allclose(val(tape.jacobian(g, x)), np.diag([6.0, 12.0]))


# =========================================================================== Variable
class TestVariable:
    def test_construction(self):
        v = cg.Variable([1.0, 2.0], name="w")
        assert isinstance(v, cg.Tensor)
        assert v.name == "w" and v.trainable and v.shape == (2,) and v.dtype == np.float64
        v32 = cg.Variable([1, 2], dtype="float32")
        assert v32.dtype == np.float32 and v32.trainable
        assert cg.Variable(1.0, trainable=False).trainable is False
        assert cg.Variable(np.float32(2.0)).dtype == np.float32

    def test_bad_data(self):
        with pytest.raises(TypeError):
            cg.Variable("abc")

    def test_auto_watched(self):
        v = cg.Variable([1.0, 2.0])
        with cg.GradientTape() as tape:
            y = (v * v).sum()
        np.testing.assert_array_equal(val(tape.gradient(y, v)), [2.0, 4.0])
        wv = tape.watched_variables()
        assert isinstance(wv, tuple) and len(wv) == 1 and wv[0] is v

    def test_trainable_false_not_auto_watched(self):
        v = cg.Variable(3.0, trainable=False)
        w = cg.Variable(2.0)
        with cg.GradientTape() as tape:
            y = v * v * w
        gv, gw = tape.gradient(y, [v, w])
        assert gv is None and float(gw) == 9.0
        assert len(tape.watched_variables()) == 1 and tape.watched_variables()[0] is w

    def test_trainable_false_watched_explicitly(self):
        v = cg.Variable(3.0, trainable=False)
        with cg.GradientTape() as tape:
            tape.watch(v)
            y = v * v
        assert float(tape.gradient(y, v)) == 6.0
        assert any(u is v for u in tape.watched_variables())
        assert not v.requires_grad  # still not trainable afterwards

    def test_watch_accessed_variables_false(self):
        v, w = cg.Variable(3.0), cg.Variable(4.0)
        with cg.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(w)
            y = v * w
        gv, gw = tape.gradient(y, [v, w])
        assert gv is None and float(gw) == 3.0
        wv = tape.watched_variables()
        assert len(wv) == 1 and wv[0] is w
        assert re.search("watch", tape.why_none(y, v) or "", re.I)

    def test_watched_variables_order_and_uniqueness(self):
        v1, v2, v3 = cg.Variable(1.0), cg.Variable(2.0), cg.Variable(3.0, trainable=False)
        with cg.GradientTape() as tape:
            y = v2 * v1 * v3 + v2
        wv = tape.watched_variables()
        assert isinstance(wv, tuple)
        assert [id(v) for v in wv] == [id(v2), id(v1)]

    def test_watched_variables_empty_for_constants(self):
        x = const(1.0)
        with cg.GradientTape() as tape:
            tape.watch(x)
            _ = x * x
        assert tape.watched_variables() == ()

    def test_assign_in_place(self):
        v = cg.Variable([1.0, 2.0])
        buf = v.numpy()
        r = v.assign([5.0, 6.0])
        assert r is v
        np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
        assert np.shares_memory(buf, v.numpy())
        assert v.assign_add(np.array([1.0, 1.0])) is v
        np.testing.assert_array_equal(v.numpy(), [6.0, 7.0])
        assert v.assign_sub(cg.constant([2.0, 3.0])) is v
        np.testing.assert_array_equal(v.numpy(), [4.0, 4.0])
        assert np.shares_memory(buf, v.numpy())

    def test_assign_scalar_variable(self):
        v = cg.Variable(1.0)
        v.assign(4.0)
        v.assign_add(1.0)
        v.assign_sub(0.5)
        assert float(v) == 4.5

    @pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
    @pytest.mark.parametrize("bad", [[1.0, 2.0, 3.0], [1.0], 1.0, [[1.0, 2.0]]])
    def test_wrong_shape_raises_and_leaves_value(self, method, bad):
        v = cg.Variable([1.0, 2.0], name="w")
        with pytest.raises(ValueError) as info:
            getattr(v, method)(bad)
        np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
        msg = str(info.value)
        assert "(2,)" in msg and method in msg, msg

    @pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
    def test_incompatible_dtype_raises_and_leaves_value(self, method):
        v = cg.Variable([1, 2])  # int64
        with pytest.raises(TypeError):
            getattr(v, method)([1.5, 2.5])
        np.testing.assert_array_equal(v.numpy(), [1, 2])
        f = cg.Variable([1.0, 2.0], dtype="float32")
        with pytest.raises(TypeError):
            getattr(f, method)(np.array([1j, 2.0]))
        np.testing.assert_array_equal(f.numpy(), [1.0, 2.0])

    def test_float32_stays_float32(self):
        v = cg.Variable([1.0, 2.0], dtype="float32")
        v.assign(np.array([3.0, 4.0]))  # float64 value
        v.assign_add(np.array([0.5, 0.5]))
        assert v.dtype == np.float32
        np.testing.assert_array_equal(v.numpy(), np.array([3.5, 4.5], np.float32))

    def test_integer_variable_is_not_differentiable(self):
        v = cg.Variable([1, 2])
        assert not v.requires_grad
        with cg.GradientTape() as tape:
            y = (v * 2.0).sum()
        assert tape.gradient(y, v) is None
        assert re.search(r"integer|int64", tape.why_none(y, v) or "", re.I)

    def test_assign_after_recording_does_not_change_gradient(self):
        # the tape keeps the values read while recording (tf semantics)
        v = cg.Variable([1.0, 2.0])
        with cg.GradientTape() as tape:
            y = (v * v).sum()
        v.assign([10.0, 20.0])
        np.testing.assert_array_equal(val(tape.gradient(y, v)), [2.0, 4.0])

    def test_assign_add_after_recording_power(self):
        v = cg.Variable([1.0, 2.0])
        with cg.GradientTape() as tape:
            y = (v ** 3).sum()
        v.assign_add([10.0, 20.0])
        np.testing.assert_array_equal(val(tape.gradient(y, v)), [3.0, 12.0])

    def test_gradient_descent_loop(self):
        w = cg.Variable([0.0, 0.0])
        target = np.array([3.0, -1.0])
        for _ in range(100):
            with cg.GradientTape() as tape:
                loss = ((w - target) ** 2).sum()
            (g,) = tape.gradient(loss, [w])
            w.assign_sub(0.1 * g.numpy())
        np.testing.assert_allclose(w.numpy(), target, atol=1e-8)

    def test_variable_in_backward(self):
        v = cg.Variable(3.0)
        (v * v).backward()
        assert float(v.grad) == 6.0


# =========================================================================== torch parity
def _cases(m, c):
    """Scalar-output functions written once for cg (m=cg) and torch (m=torch)."""
    return {
        "mlp": lambda x, A, b: (m.tanh(c(A) @ x + c(b)) ** 2).sum(),
        "sin_exp": lambda x, A, b: (m.sin(x) * m.exp(-x * x)).sum() + (x @ c(A).T).sum(),
        "logsumexp": lambda x, A, b: m.logsumexp(c(A) @ x, 0) + (x * x).sum() * 0.1,
        "rational": lambda x, A, b: (x ** 3 / (1 + x * x) + m.sigmoid(x) * m.log(1 + x * x)).sum(),
        "softmax": lambda x, A, b: (m.softmax(c(A) @ x, -1) * c(b)).sum(),
    }


CASES = ["mlp", "sin_exp", "logsumexp", "rational", "softmax"]


def _data(rng, dtype):
    A = rng.standard_normal((4, 5)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    x = rng.standard_normal(5).astype(dtype)
    return x, A, b


def _torch_fns(dtype):
    td = torch.float64 if dtype == "float64" else torch.float32
    return _cases(torch, lambda a: torch.as_tensor(np.asarray(a)).to(td)), td


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES)
class TestTorchParity:
    def test_gradient(self, case, dtype, rng):
        x, A, b = _data(rng, dtype)
        f = _cases(cg, cg.constant)[case]
        xc = cg.constant(x)
        with cg.GradientTape() as tape:
            tape.watch(xc)
            y = f(xc, A, b)
        g = tape.gradient(y, xc)
        assert g.dtype == np.dtype(dtype) and y.dtype == np.dtype(dtype)
        # reference: torch in float64 on the same inputs
        tf_, _ = _torch_fns("float64")
        tx = torch.tensor(x.astype(np.float64), requires_grad=True)
        ty = tf_[case](tx, A.astype(np.float64), b.astype(np.float64))
        (tg,) = torch.autograd.grad(ty, tx)
        np.testing.assert_allclose(val(y), ty.item(), **TOL[dtype])
        np.testing.assert_allclose(val(g), tg.numpy(), **TOL[dtype])
        # and torch in the same dtype
        tfs, td = _torch_fns(dtype)
        tx2 = torch.tensor(x, requires_grad=True)
        (tg2,) = torch.autograd.grad(tfs[case](tx2, A, b), tx2)
        assert tg2.dtype == td
        np.testing.assert_allclose(val(g), tg2.detach().numpy().astype(np.float64), **TOL[dtype])

    def test_variables_gradient(self, case, dtype, rng):
        x, A, b = _data(rng, dtype)
        f = _cases(cg, lambda a: a)[case]  # A, b are Variables here
        vA, vb = cg.Variable(A), cg.Variable(b)
        with cg.GradientTape() as tape:
            y = f(cg.constant(x), vA, vb)
        gA, gb = tape.gradient(y, [vA, vb], unconnected_gradients="zero")
        assert gA.dtype == np.dtype(dtype) and gb.dtype == np.dtype(dtype)
        tA = torch.tensor(A.astype(np.float64), requires_grad=True)
        tb = torch.tensor(b.astype(np.float64), requires_grad=True)
        ty = _cases(torch, lambda a: a)[case](torch.tensor(x.astype(np.float64)), tA, tb)
        ty = ty + 0 * (tA.sum() + tb.sum())  # torch needs a graph even when unconnected
        tgA, tgb = torch.autograd.grad(ty, [tA, tb], allow_unused=True, materialize_grads=True)
        np.testing.assert_allclose(val(gA), tgA.numpy(), **TOL[dtype])
        np.testing.assert_allclose(val(gb), tgb.numpy(), **TOL[dtype])

    def test_hessian_by_nested_tapes(self, case, dtype, rng):
        x, A, b = _data(rng, dtype)
        f = _cases(cg, cg.constant)[case]
        xc = cg.constant(x)
        with cg.GradientTape() as outer:
            outer.watch(xc)
            with cg.GradientTape() as inner:
                inner.watch(xc)
                y = f(xc, A, b)
            g = inner.gradient(y, xc)
        H = outer.jacobian(g, xc)
        assert H.shape == (5, 5) and H.dtype == np.dtype(dtype)
        tf_, _ = _torch_fns("float64")
        A64, b64 = A.astype(np.float64), b.astype(np.float64)
        tH = torch.autograd.functional.hessian(lambda t: tf_[case](t, A64, b64),
                                               torch.tensor(x.astype(np.float64)))
        tol = TOL[dtype] if dtype == "float64" else dict(rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(val(H), tH.numpy(), **tol)


_VEC = {
    "tanh_affine": lambda m, c, x, W: m.tanh(c(W) @ x),
    "softmax": lambda m, c, x, W: m.softmax(x * 2, -1) * x,
    "wide": lambda m, c, x, W: m.sin(m.concatenate([x, x * x, x.sum().reshape(1)]) if m is cg
                                     else m.cat([x, x * x, x.sum().reshape(1)])),
}


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(_VEC))
def test_tape_jacobian_vs_torch(case, dtype, rng):
    x = rng.standard_normal(4).astype(dtype)
    W = rng.standard_normal((3, 4)).astype(dtype)
    xc = cg.constant(x)
    with cg.GradientTape() as tape:
        tape.watch(xc)
        y = _VEC[case](cg, cg.constant, xc, W)
    J = tape.jacobian(y, xc)
    assert J.dtype == np.dtype(dtype) and J.shape == y.shape + (4,)
    tJ = torch.autograd.functional.jacobian(
        lambda t: _VEC[case](torch, torch.as_tensor, t, W.astype(np.float64)),
        torch.tensor(x.astype(np.float64)))
    np.testing.assert_allclose(val(J), tJ.numpy(), **TOL[dtype])


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_third_derivative_vs_torch(dtype, rng):
    xv = rng.standard_normal(3).astype(dtype)
    x = cg.constant(xv)
    with cg.GradientTape() as t1:
        t1.watch(x)
        with cg.GradientTape() as t2:
            t2.watch(x)
            with cg.GradientTape() as t3:
                t3.watch(x)
                y = (cg.sigmoid(x) * cg.sin(x)).sum()
            d1 = t3.gradient(y, x).sum()  # inside t2: as in TF, t2 only sees what it recorded
        d2 = t2.gradient(d1, x).sum()
    d3 = t1.gradient(d2, x)
    assert d3.dtype == np.dtype(dtype)
    tx = torch.tensor(xv.astype(np.float64), requires_grad=True)
    ty = (torch.sigmoid(tx) * torch.sin(tx)).sum()
    (g1,) = torch.autograd.grad(ty, tx, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), tx, create_graph=True)
    (g3,) = torch.autograd.grad(g2.sum(), tx)
    tol = TOL[dtype] if dtype == "float64" else dict(rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(val(d3), g3.numpy(), **tol)
