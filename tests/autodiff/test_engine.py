"""Tests of the reverse-mode engine behind ``Tensor.backward`` and ``cg.autodiff.grad``.

Reference behaviour is PyTorch's (``torch.autograd``) and /work/shared/API.md
sections 1 and 7.
"""
from __future__ import annotations

import gc
import math
import threading
import weakref

import numpy as np
import pytest

import compgraph as cg
from helpers import leaf, tleaf, val

torch = pytest.importorskip("torch")

agrad = cg.autodiff.grad


# --------------------------------------------------------------------------- the seed
class TestSeed:
    def test_chain_rule_example(self):
        x = cg.tensor(3.0, requires_grad=True)
        u = 3 * x + 2
        y = u ** 4
        assert float(y) == 11 ** 4
        y.backward()
        assert isinstance(x.grad, cg.Tensor)
        assert x.grad.shape == ()
        assert float(x.grad) == 15972.0  # 4 * 11**3 * 3

    def test_difference_of_squares(self):
        a = cg.tensor(3.0, requires_grad=True)
        b = cg.tensor(1.0, requires_grad=True)
        y = (a - b) * (a + b)
        assert float(y) == 8.0
        y.backward()
        assert float(a.grad) == 6.0
        assert float(b.grad) == -2.0
        assert isinstance(a.grad, cg.Tensor) and isinstance(b.grad, cg.Tensor)

    def test_backward_on_a_leaf(self):
        x = cg.tensor(2.5, requires_grad=True)
        x.backward()
        assert float(x.grad) == 1.0

    def test_grad_is_not_the_data_and_not_requiring_grad(self):
        x = leaf([1.0, 2.0, 3.0])
        (x * 1.0).sum().backward()
        assert x.grad.requires_grad is False
        assert not np.shares_memory(x.grad.data, x.data)
        np.testing.assert_array_equal(val(x.grad), [1.0, 1.0, 1.0])

    def test_broadcast_operand_gradient_is_summed_to_its_shape(self):
        x = leaf(np.arange(6.0).reshape(2, 3))
        b = leaf([1.0, 2.0, 3.0])
        s = cg.tensor(2.0, requires_grad=True)
        ((x * b + s) ** 2).sum().backward()
        tx, tb, ts = tleaf(np.arange(6.0).reshape(2, 3)), tleaf([1.0, 2.0, 3.0]), tleaf(2.0)
        ((tx * tb + ts) ** 2).sum().backward()
        assert b.grad.shape == (3,) and s.grad.shape == ()
        for c, t in ((x, tx), (b, tb), (s, ts)):
            np.testing.assert_allclose(val(c.grad), t.grad.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- gradient=
class TestGradientArgument:
    def test_required_for_non_scalar_outputs(self):
        x = leaf([1.0, 2.0, 3.0])
        y = x * 2
        with pytest.raises(RuntimeError):
            y.backward()
        assert x.grad is None

    def test_required_for_matrix_outputs(self):
        x = leaf(np.ones((2, 2)))
        with pytest.raises(RuntimeError):
            (x * x).backward()

    def test_one_element_non_0d_output_needs_no_gradient(self):
        x = leaf([3.0])
        (x * x).backward()
        np.testing.assert_array_equal(val(x.grad), [6.0])

    @pytest.mark.parametrize("kind", ["tensor", "ndarray", "list"])
    def test_accepted_forms_for_vectors(self, kind):
        x = leaf([1.0, 2.0, 3.0])
        y = x * x
        g = np.array([1.0, 10.0, 100.0])
        grad = {"tensor": cg.tensor(g), "ndarray": g, "list": g.tolist()}[kind]
        y.backward(grad)
        np.testing.assert_allclose(val(x.grad), 2 * x.data * g)

    @pytest.mark.parametrize("kind", ["int", "float", "numpy_scalar", "tensor", "ndarray"])
    def test_accepted_forms_for_scalars(self, kind):
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 3
        grad = {"int": 2, "float": 2.0, "numpy_scalar": np.float64(2.0),
                "tensor": cg.tensor(2.0), "ndarray": np.array(2.0)}[kind]
        y.backward(gradient=grad)
        assert float(x.grad) == 24.0  # 2 * 3 * x**2

    def test_gradient_keyword_and_scaling(self):
        x = leaf([[1.0, 2.0], [3.0, 4.0]])
        y = x.exp()
        g = np.array([[0.5, -1.0], [2.0, 0.0]])
        y.backward(gradient=g)
        np.testing.assert_allclose(val(x.grad), np.exp(x.data) * g)

    def test_wrong_shape_is_value_error_naming_both_shapes(self):
        x = leaf(np.ones((2, 3)))
        y = x * 2.0
        with pytest.raises(ValueError) as info:
            y.backward(np.ones((3, 2)))
        msg = str(info.value)
        assert "(2, 3)" in msg and "(3, 2)" in msg
        assert x.grad is None
        # the failed call did not consume the graph
        y.backward(np.ones((2, 3)))
        np.testing.assert_array_equal(val(x.grad), np.full((2, 3), 2.0))

    def test_wrong_shape_tensor_gradient(self):
        x = leaf([1.0, 2.0, 3.0])
        y = x * 2.0
        with pytest.raises(ValueError) as info:
            y.backward(cg.tensor([1.0, 2.0]))
        assert "(3,)" in str(info.value) and "(2,)" in str(info.value)

    def test_user_gradient_array_is_not_aliased_by_grad(self):
        x = leaf([1.0, 2.0])
        g = np.array([5.0, 7.0])
        (x + 0.0).backward(g)
        g[:] = -1.0
        np.testing.assert_array_equal(val(x.grad), [5.0, 7.0])

    def test_float32_gradient_for_float64_output(self):
        x = leaf([1.0, 2.0])
        (x * 3.0).backward(np.array([1.0, 2.0], dtype=np.float32))
        assert x.grad.dtype == np.float64
        np.testing.assert_array_equal(val(x.grad), [3.0, 6.0])


# --------------------------------------------------------------------------- retain_graph
class TestRetainGraph:
    def test_second_backward_without_retain_graph_raises(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = (x * x).sin()
        y.backward()
        with pytest.raises(RuntimeError) as info:
            y.backward()
        msg = str(info.value)
        assert "freed" in msg
        assert "retain_graph" in msg

    def test_failed_second_backward_leaves_grad_unchanged(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x * x * x
        y.backward()
        assert float(x.grad) == 12.0
        with pytest.raises(RuntimeError):
            y.backward()
        assert float(x.grad) == 12.0

    def test_retain_graph_twice_accumulates(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = (x * x).exp()
        expected = 2 * 2.0 * math.exp(4.0)
        y.backward(retain_graph=True)
        assert float(x.grad) == pytest.approx(expected, rel=1e-12)
        y.backward(retain_graph=True)
        assert float(x.grad) == pytest.approx(2 * expected, rel=1e-12)
        y.backward()  # last use may free
        assert float(x.grad) == pytest.approx(3 * expected, rel=1e-12)
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.backward()

    def test_shared_subgraph_freed_by_first_output(self):
        # like torch: z1 and z2 share h; backward of z1 frees h's buffers
        x = cg.tensor(1.5, requires_grad=True)
        h = x * x
        z1 = h.sin()
        z2 = h.cos()
        z1.backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            z2.backward()

    def test_shared_subgraph_with_retain_graph(self):
        x = cg.tensor(1.5, requires_grad=True)
        h = x * x
        z1 = h.sin()
        z2 = h.cos()
        z1.backward(retain_graph=True)
        z2.backward()
        expected = 2 * 1.5 * (math.cos(2.25) - math.sin(2.25))
        assert float(x.grad) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- accumulation
class TestAccumulation:
    def test_leaf_grads_accumulate_across_graphs(self):
        x = cg.tensor(3.0, requires_grad=True)
        (x * x).backward()
        assert float(x.grad) == 6.0
        (x * 5).backward()
        assert float(x.grad) == 11.0
        x.zero_grad()
        assert x.grad is None
        (x * 5).backward()
        assert float(x.grad) == 5.0

    def test_accumulation_makes_a_new_tensor_or_adds_in_place_consistently(self):
        x = leaf([1.0, 2.0])
        (x * 2).sum().backward()
        first = x.grad
        first_values = val(first).copy()
        (x * 3).sum().backward()
        np.testing.assert_array_equal(val(x.grad), [5.0, 5.0])
        np.testing.assert_array_equal(first_values, [2.0, 2.0])

    def test_non_leaf_grad_stays_none(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        y = h * h
        y.backward(retain_graph=True)
        assert h.grad is None
        assert not h.is_leaf and x.is_leaf
        y.backward()
        assert h.grad is None
        assert float(x.grad) == 2 * 36.0

    def test_retain_grad_on_non_leaf(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        h.retain_grad()
        y = h * h
        y.backward(retain_graph=True)
        assert float(h.grad) == 12.0  # 2h
        assert float(x.grad) == 36.0
        y.backward()
        assert float(h.grad) == 24.0
        assert float(x.grad) == 72.0
        h.zero_grad()
        assert h.grad is None

    def test_leaf_without_requires_grad_gets_no_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        c = cg.tensor(5.0)
        (x * c).backward()
        assert c.grad is None
        assert float(x.grad) == 5.0

    def test_zero_grad_on_fresh_tensor(self):
        x = cg.tensor([1.0], requires_grad=True)
        x.zero_grad()
        assert x.grad is None


# --------------------------------------------------------------------------- no-grad reasons
class TestBackwardWithoutGraph:
    def test_no_leaf_requires_grad(self):
        a = cg.tensor(2.0)
        y = a * 3 + 1
        assert not y.requires_grad
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert "requires_grad" in str(info.value)

    def test_plain_constant(self):
        with pytest.raises(RuntimeError, match="requires_grad"):
            cg.constant(1.0).backward()

    def test_created_under_no_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        with cg.no_grad():
            y = x * x
        assert not y.requires_grad
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert "no_grad" in str(info.value)
        assert x.grad is None

    def test_from_detach(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = (x * x).detach()
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert "detach" in str(info.value)

    def test_from_stop_gradient(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = cg.stop_gradient(x * x)
        assert not y.requires_grad
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert "stop_gradient" in str(info.value)

    def test_grad_function_with_no_graph(self):
        x = cg.tensor(2.0, requires_grad=True)
        with cg.no_grad():
            y = x * 2
        with pytest.raises(RuntimeError, match="no_grad"):
            agrad(y, [x])


# --------------------------------------------------------------------------- hooks
class TestHooks:
    def test_leaf_hook_sees_gradient(self):
        x = leaf([1.0, 2.0])
        seen = []
        x.register_hook(lambda g: seen.append(val(g).copy()))
        (x * x).sum().backward()
        assert len(seen) == 1
        np.testing.assert_array_equal(seen[0], [2.0, 4.0])
        np.testing.assert_array_equal(val(x.grad), [2.0, 4.0])

    def test_leaf_hook_called_once_with_total(self):
        x = cg.tensor(2.0, requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(float(g)))
        (x * x + x * 3 + x).backward()
        assert seen == [8.0]

    def test_leaf_hook_replaces_gradient(self):
        x = leaf([1.0, 2.0])
        x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        np.testing.assert_array_equal(val(x.grad), [20.0, 40.0])

    def test_non_leaf_hook_sees_summed_gradient_and_replaces_it(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3            # 6
        seen = []

        def hook(g):
            seen.append(float(g))
            return g * 10

        h.register_hook(hook)
        y = h * h + h        # dy/dh = 2h + 1 = 13
        y.backward()
        assert seen == [13.0]
        assert float(x.grad) == 13.0 * 10 * 3
        assert h.grad is None

    def test_hooks_chain_in_registration_order(self):
        x = cg.tensor(1.0, requires_grad=True)
        h = x * 2
        h.register_hook(lambda g: g + 1)
        h.register_hook(lambda g: g * 10)
        (h * 1.0).backward()
        assert float(x.grad) == (1 + 1) * 10 * 2

    def test_handle_remove(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        calls = []
        hx = x.register_hook(lambda g: calls.append("x") or g * 2)
        hh = h.register_hook(lambda g: calls.append("h") or g * 5)
        (h * 1.0).backward(retain_graph=True)
        assert float(x.grad) == 3 * 5 * 2
        assert sorted(calls) == ["h", "x"]
        hx.remove()
        hh.remove()
        hh.remove()  # removing twice is harmless
        calls.clear()
        x.zero_grad()
        (h * 1.0).backward()
        assert calls == []
        assert float(x.grad) == 3.0

    def test_hook_gets_tensor(self):
        x = cg.tensor(2.0, requires_grad=True)
        types = []
        x.register_hook(lambda g: types.append(type(g)))
        (x * 2).backward()
        assert types == [cg.Tensor]

    def test_hook_on_tensor_without_grad_raises(self):
        with pytest.raises(RuntimeError):
            cg.tensor(1.0).register_hook(lambda g: g)

    def test_non_leaf_hook_matches_torch(self):
        data = np.array([0.3, -1.2, 2.0])
        x = leaf(data)
        h = x.tanh()
        h.register_hook(lambda g: g * g)
        ((h * x).sum() + h.sum() * 2).backward()
        tx = tleaf(data)
        th = tx.tanh()
        th.register_hook(lambda g: g * g)
        ((th * tx).sum() + th.sum() * 2).backward()
        np.testing.assert_allclose(val(x.grad), tx.grad.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- errors are atomic
class TestNothingHalfUpdated:
    def _boom(self, g):
        raise ZeroDivisionError("hook failed")

    def test_leaf_hook_raising_changes_no_grad(self):
        a = cg.tensor(1.0, requires_grad=True)
        b = cg.tensor(2.0, requires_grad=True)
        (a * b).backward()
        assert (float(a.grad), float(b.grad)) == (2.0, 1.0)
        b.register_hook(self._boom)
        with pytest.raises(ZeroDivisionError):
            (a * b + a).backward()
        assert (float(a.grad), float(b.grad)) == (2.0, 1.0)

    def test_leaf_hook_raising_on_fresh_leaves(self):
        a = cg.tensor(1.0, requires_grad=True)
        b = cg.tensor(2.0, requires_grad=True)
        a.register_hook(lambda g: g)
        b.register_hook(self._boom)
        with pytest.raises(ZeroDivisionError):
            (a * b).backward()
        assert a.grad is None and b.grad is None

    def test_non_leaf_hook_raising_changes_no_grad(self):
        a = leaf([1.0, 2.0])
        b = leaf([3.0, 4.0])
        a.grad = cg.tensor([10.0, 10.0])
        h = a * b
        h.retain_grad()
        k = h.sin()
        k.register_hook(self._boom)
        y = (k + a).sum()  # a gets a direct contribution before k's node runs
        with pytest.raises(ZeroDivisionError):
            y.backward()
        np.testing.assert_array_equal(val(a.grad), [10.0, 10.0])
        assert b.grad is None
        assert h.grad is None
        assert cg.is_grad_enabled()

    def test_hook_raising_with_create_graph_restores_grad_mode(self):
        x = cg.tensor(1.0, requires_grad=True)
        h = x * 2
        h.register_hook(self._boom)
        with pytest.raises(ZeroDivisionError):
            (h * h).backward(create_graph=True)
        assert cg.is_grad_enabled()
        assert x.grad is None

    def test_bad_hook_result_shape(self):
        x = leaf([1.0, 2.0])
        x.grad = cg.tensor([5.0, 5.0])
        x.register_hook(lambda g: cg.tensor([1.0, 2.0, 3.0]))
        with pytest.raises((ValueError, RuntimeError)):
            (x * x).sum().backward()
        np.testing.assert_array_equal(val(x.grad), [5.0, 5.0])


# --------------------------------------------------------------------------- grad mode
class TestGradMode:
    def test_no_grad_context(self):
        x = cg.tensor(2.0, requires_grad=True)
        assert cg.is_grad_enabled()
        with cg.no_grad():
            assert not cg.is_grad_enabled()
            y = x * 2
            z = (x + 1).exp()
        assert cg.is_grad_enabled()
        assert not y.requires_grad and y.is_leaf
        assert not z.requires_grad
        assert (x * 2).requires_grad

    def test_no_grad_decorator(self):
        @cg.no_grad()
        def f(t):
            assert not cg.is_grad_enabled()
            return t * 2

        x = cg.tensor(2.0, requires_grad=True)
        assert not f(x).requires_grad
        assert cg.is_grad_enabled()
        assert f.__name__ == "f"

    def test_enable_grad_inside_no_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        with cg.no_grad():
            with cg.enable_grad():
                assert cg.is_grad_enabled()
                y = x * x
            assert not cg.is_grad_enabled()
            z = x * x
        assert y.requires_grad and not z.requires_grad
        y.backward()
        assert float(x.grad) == 4.0

    def test_enable_grad_decorator_inside_no_grad(self):
        @cg.enable_grad()
        def f(t):
            return t * t

        x = cg.tensor(3.0, requires_grad=True)
        with cg.no_grad():
            y = f(x)
            assert not cg.is_grad_enabled()
        assert y.requires_grad
        y.backward()
        assert float(x.grad) == 6.0

    def test_nested_and_restored_after_exception(self):
        assert cg.is_grad_enabled()
        with pytest.raises(KeyError):
            with cg.no_grad():
                with cg.no_grad():
                    with cg.enable_grad():
                        with cg.no_grad():
                            assert not cg.is_grad_enabled()
                        assert cg.is_grad_enabled()
                    assert not cg.is_grad_enabled()
                assert not cg.is_grad_enabled()
                raise KeyError("x")
        assert cg.is_grad_enabled()

    def test_decorator_restores_after_exception(self):
        @cg.no_grad()
        def f():
            raise KeyError("boom")

        with pytest.raises(KeyError):
            f()
        assert cg.is_grad_enabled()

    def test_set_grad_enabled(self):
        with cg.set_grad_enabled(False):
            assert not cg.is_grad_enabled()
        assert cg.is_grad_enabled()

    def test_reusable_no_grad_object(self):
        ng = cg.no_grad()
        for _ in range(2):
            with ng:
                assert not cg.is_grad_enabled()
            assert cg.is_grad_enabled()

    def test_stop_gradient_blocks(self):
        x = cg.tensor(3.0, requires_grad=True)
        y = x * x + cg.stop_gradient(x * x) * x
        y.backward()
        assert float(x.grad) == 2 * 3.0 + 9.0

    def test_detach_blocks_and_shares_data(self):
        x = leaf([1.0, 2.0])
        d = x.detach()
        assert d.is_leaf and not d.requires_grad
        assert np.shares_memory(d.data, x.data)
        y = (x * d).sum()
        y.backward()
        np.testing.assert_array_equal(val(x.grad), [1.0, 2.0])
        assert d.grad is None

    def test_detach_of_intermediate(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * x
        y = h * h.detach()
        y.backward()
        assert float(x.grad) == 4.0 * 2 * 2.0  # h_detached * dh/dx


class TestGradModeThreads:
    def test_no_grad_in_a_thread_does_not_affect_main(self):
        x = cg.tensor(2.0, requires_grad=True)
        entered = threading.Event()
        checked = threading.Event()
        seen = {}

        def worker():
            with cg.no_grad():
                seen["worker_enabled"] = cg.is_grad_enabled()
                seen["worker_rg"] = (x * 2).requires_grad
                entered.set()
                checked.wait(10)
            seen["worker_after"] = cg.is_grad_enabled()

        t = threading.Thread(target=worker)
        t.start()
        assert entered.wait(10)
        main_enabled = cg.is_grad_enabled()
        main_rg = (x * 2).requires_grad
        checked.set()
        t.join(10)
        assert not t.is_alive()
        assert main_enabled is True and main_rg is True
        assert seen == {"worker_enabled": False, "worker_rg": False, "worker_after": True}
        assert cg.is_grad_enabled()

    def test_new_thread_starts_with_grad_enabled(self):
        x = cg.tensor(2.0, requires_grad=True)
        seen = {}

        def worker():
            seen["enabled"] = cg.is_grad_enabled()
            y = x * x
            seen["rg"] = y.requires_grad

        with cg.no_grad():
            t = threading.Thread(target=worker)
            t.start()
            t.join(10)
            assert not cg.is_grad_enabled()
        assert seen == {"enabled": True, "rg": True}

    def test_two_threads_with_opposite_modes(self):
        barrier = threading.Barrier(2, timeout=10)
        x = cg.tensor(2.0, requires_grad=True)
        seen = {}

        def worker(name, ctx):
            with ctx:
                barrier.wait()  # both are inside their context now
                seen[name] = (cg.is_grad_enabled(), (x * 3).requires_grad)
                barrier.wait()  # neither leaves before the other has looked

        def run_disabled():
            worker("off", cg.no_grad())

        def run_enabled():
            with cg.no_grad():
                worker("on", cg.enable_grad())

        ts = [threading.Thread(target=run_disabled), threading.Thread(target=run_enabled)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(10)
        assert seen == {"off": (False, False), "on": (True, True)}

    def test_backward_in_a_thread_inside_main_no_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 3
        err = []

        def worker():
            try:
                y.backward()
            except Exception as e:  # pragma: no cover - reported below
                err.append(e)

        with cg.no_grad():
            t = threading.Thread(target=worker)
            t.start()
            t.join(10)
        assert not err
        assert float(x.grad) == 12.0


# --------------------------------------------------------------------------- higher order
class TestHigherOrder:
    def test_cube_second_and_third_derivative(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 3
        (g1,) = agrad(y, [x], create_graph=True)
        assert float(g1) == 12.0
        assert g1.requires_grad
        (g2,) = agrad(g1, [x], create_graph=True)
        assert float(g2) == 12.0  # 6x
        (g3,) = agrad(g2, [x])
        assert float(g3) == 6.0
        assert x.grad is None

    def test_backward_create_graph_then_backward_of_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 3
        y.backward(create_graph=True)
        g = x.grad
        assert float(g) == 12.0
        assert g.requires_grad
        x.grad = None
        g.backward()
        assert float(x.grad) == 12.0

    def test_create_graph_retains_graph_by_default(self):
        x = cg.tensor(1.3, requires_grad=True)
        y = x.sin() * x
        (g,) = agrad(y, [x], create_graph=True)
        # the first-order graph is still usable (torch: retain_graph defaults to create_graph)
        (g_again,) = agrad(y, [x])
        assert float(g_again) == pytest.approx(float(g), rel=1e-14)

    @pytest.mark.parametrize("name,fn,derivs", [
        ("sin", cg.sin, (math.cos, lambda v: -math.sin(v), lambda v: -math.cos(v))),
        ("exp", cg.exp, (math.exp, math.exp, math.exp)),
        ("log", cg.log, (lambda v: 1 / v, lambda v: -1 / v ** 2, lambda v: 2 / v ** 3)),
        ("cos", cg.cos, (lambda v: -math.sin(v), lambda v: -math.cos(v), math.sin)),
        ("tanh", cg.tanh, (
            lambda v: 1 - math.tanh(v) ** 2,
            lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2),
            lambda v: (1 - math.tanh(v) ** 2) * (6 * math.tanh(v) ** 2 - 2))),
    ])
    def test_three_derivatives_of_elementary_functions(self, name, fn, derivs):
        v = 0.7
        x = cg.tensor(v, requires_grad=True)
        g = fn(x)
        for k, d in enumerate(derivs):
            (g,) = agrad(g, [x], create_graph=k < 2)
            assert float(g) == pytest.approx(d(v), rel=1e-12, abs=1e-14), (name, k + 1)

    def test_sigmoid_third_derivative_vs_torch(self):
        v = np.array([-1.5, 0.2, 2.0])
        x = leaf(v)
        g = cg.sigmoid(x)
        tx = tleaf(v)
        tg = torch.sigmoid(tx)
        for k in range(3):
            (g,) = agrad(g.sum(), [x], create_graph=True)
            (tg,) = torch.autograd.grad(tg.sum(), [tx], create_graph=True)
            np.testing.assert_allclose(val(g), tg.detach().numpy(), rtol=1e-10, atol=1e-14)

    def test_hvp_of_matmul_tanh_vs_torch(self):
        rng = np.random.default_rng(0)
        A = rng.standard_normal((5, 4))
        xv = rng.standard_normal(4)
        v = rng.standard_normal(4)

        x = leaf(xv)
        f = cg.tanh(cg.tensor(A) @ x).sum()
        (g,) = agrad(f, [x], create_graph=True)
        (hv,) = agrad(g, [x], grad_outputs=cg.tensor(v))

        At = torch.tensor(A)
        _, thv = torch.autograd.functional.hvp(lambda t: torch.tanh(At @ t).sum(),
                                               torch.tensor(xv), torch.tensor(v))
        np.testing.assert_allclose(val(g), (1 - np.tanh(A @ xv) ** 2) @ A, rtol=1e-12)
        np.testing.assert_allclose(val(hv), thv.numpy(), rtol=1e-10, atol=1e-12)

    def test_hvp_with_matrix_parameter_vs_torch_double_backward(self):
        rng = np.random.default_rng(1)
        Wv = rng.standard_normal((3, 4))
        xv = rng.standard_normal((4, 2))
        V = rng.standard_normal((3, 4))

        W = leaf(Wv)
        X = cg.tensor(xv)
        loss = (cg.exp(cg.tanh(W @ X)) * (W @ X)).mean()
        (gW,) = agrad(loss, [W], create_graph=True)
        (hv,) = agrad((gW * cg.tensor(V)).sum(), [W])

        tW = tleaf(Wv)
        tX = torch.tensor(xv)
        tl = (torch.exp(torch.tanh(tW @ tX)) * (tW @ tX)).mean()
        (tgW,) = torch.autograd.grad(tl, [tW], create_graph=True)
        (thv,) = torch.autograd.grad((tgW * torch.tensor(V)).sum(), [tW])
        np.testing.assert_allclose(val(gW), tgW.detach().numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(val(hv), thv.numpy(), rtol=1e-9, atol=1e-12)

    def test_full_hessian_of_matmul_function_vs_torch(self):
        rng = np.random.default_rng(2)
        A = rng.standard_normal((3, 3))
        xv = rng.standard_normal(3)

        def f_cg(x):
            return (cg.log(cg.tensor(A) @ x * (A @ x) + 1.0) + cg.sin(x)).sum()

        x = leaf(xv)
        (g,) = agrad(f_cg(x), [x], create_graph=True)
        rows = []
        for i in range(3):
            e = np.zeros(3)
            e[i] = 1.0
            (r,) = agrad(g, [x], grad_outputs=e, retain_graph=True)
            rows.append(val(r))
        H = np.stack(rows)
        At = torch.tensor(A)
        tH = torch.autograd.functional.hessian(
            lambda t: (torch.log((At @ t) * (At @ t) + 1.0) + torch.sin(t)).sum(),
            torch.tensor(xv))
        np.testing.assert_allclose(H, tH.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)

    def test_mixed_second_derivatives_vs_torch(self):
        av, bv = 0.8, -1.3

        def f(a, b, lib):
            return lib.sin(a * b) + a ** 2 * b ** 3 + lib.exp(a - b) / (b * b + 1)

        a = cg.tensor(av, requires_grad=True)
        b = cg.tensor(bv, requires_grad=True)
        ga, gb = agrad(f(a, b, cg), [a, b], create_graph=True)
        gab, gaa = agrad(ga, [b, a], retain_graph=True)
        gba, gbb = agrad(gb, [a, b])

        ta, tb = tleaf(av), tleaf(bv)
        tga, tgb = torch.autograd.grad(f(ta, tb, torch), [ta, tb], create_graph=True)
        tgab, tgaa = torch.autograd.grad(tga, [tb, ta], retain_graph=True)
        tgba, tgbb = torch.autograd.grad(tgb, [ta, tb])
        for c, t in ((ga, tga), (gb, tgb), (gab, tgab), (gaa, tgaa), (gba, tgba), (gbb, tgbb)):
            assert float(c) == pytest.approx(t.item(), rel=1e-11, abs=1e-13)
        assert float(gab) == pytest.approx(float(gba), rel=1e-11)
        assert a.grad is None and b.grad is None

    def test_create_graph_through_broadcast_and_reduction(self):
        rng = np.random.default_rng(3)
        xv = rng.standard_normal((2, 3))
        bv = rng.standard_normal(3)
        x, b = leaf(xv), leaf(bv)
        y = ((x * b).tanh() + b ** 2).mean()
        gx, gb = agrad(y, [x, b], create_graph=True)
        hb, hx = agrad((gx ** 2).sum() + gb.sum(), [b, x])

        tx, tb = tleaf(xv), tleaf(bv)
        ty = ((tx * tb).tanh() + tb ** 2).mean()
        tgx, tgb = torch.autograd.grad(ty, [tx, tb], create_graph=True)
        thb, thx = torch.autograd.grad((tgx ** 2).sum() + tgb.sum(), [tb, tx])
        assert hb.shape == (3,) and hx.shape == (2, 3)
        np.testing.assert_allclose(val(hb), thb.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(val(hx), thx.numpy(), rtol=1e-10, atol=1e-13)


class TestGradFunction:
    def test_returns_list_and_leaves_grad_untouched(self):
        x = cg.tensor(3.0, requires_grad=True)
        u = 3 * x + 2
        y = u ** 4
        res = agrad(y, [x, u])
        assert isinstance(res, list) and len(res) == 2
        assert float(res[0]) == 15972.0
        assert float(res[1]) == 5324.0
        assert x.grad is None and u.grad is None

    def test_existing_grad_is_not_modified(self):
        x = cg.tensor(3.0, requires_grad=True)
        (x * 2).backward()
        agrad(x * x, [x])
        assert float(x.grad) == 2.0

    def test_non_leaf_input_only(self):
        x = cg.tensor(0.5, requires_grad=True)
        h = x.exp()
        y = h.sin() * h
        (gh,) = agrad(y, [h])
        hv = math.exp(0.5)
        assert float(gh) == pytest.approx(math.cos(hv) * hv + math.sin(hv), rel=1e-13)

    def test_unused_input_gives_none(self):
        x = cg.tensor(1.0, requires_grad=True)
        z = cg.tensor(1.0, requires_grad=True)
        gx, gz = agrad(x * 2, [x, z])
        assert float(gx) == 2.0 and gz is None

    def test_unused_input_raises_when_not_allowed(self):
        x = cg.tensor(1.0, requires_grad=True)
        z = cg.tensor(1.0, requires_grad=True)
        with pytest.raises(RuntimeError):
            agrad(x * 2, [x, z], allow_unused=False)

    def test_multiple_outputs_with_grad_outputs(self):
        x = leaf([1.0, 2.0])
        y1 = x * x
        y2 = x.sin().sum()
        (g,) = agrad([y1, y2], [x], grad_outputs=[np.array([1.0, 3.0]), 2.0])
        np.testing.assert_allclose(val(g), 2 * x.data * [1.0, 3.0] + 2 * np.cos(x.data))

    def test_retain_graph_false_frees(self):
        x = cg.tensor(1.0, requires_grad=True)
        y = (x * x).exp()
        agrad(y, [x])
        with pytest.raises(RuntimeError, match="retain_graph"):
            agrad(y, [x])

    def test_retain_graph_true_allows_repeat(self):
        x = cg.tensor(1.0, requires_grad=True)
        y = (x * x).exp()
        a = agrad(y, [x], retain_graph=True)[0]
        b = agrad(y, [x])[0]
        assert float(a) == float(b) == pytest.approx(2 * math.e)

    def test_grad_then_backward_with_retain_graph(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 2
        agrad(y, [x], retain_graph=True)
        y.backward()
        assert float(x.grad) == 4.0

    def test_non_scalar_output_requires_grad_outputs(self):
        x = leaf([1.0, 2.0])
        with pytest.raises(RuntimeError):
            agrad(x * 2, [x])


# --------------------------------------------------------------------------- shared subexpressions
class TestSharedSubexpressions:
    def test_sum_of_consumers(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x * x + x * x * x
        y.backward()
        assert float(x.grad) == 2 * 2.0 + 3 * 2.0 ** 2

    def test_diamond_vs_torch(self):
        v = np.array([0.1, -0.7, 1.4])
        x = leaf(v)
        h = x.sin()
        k = h * h
        y = (k + h.exp() * k + h / (k + 1)).sum()
        y.backward()
        tx = tleaf(v)
        th = tx.sin()
        tk = th * th
        (tk + th.exp() * tk + th / (tk + 1)).sum().backward()
        np.testing.assert_allclose(val(x.grad), tx.grad.numpy(), rtol=1e-13)

    def test_same_tensor_as_both_operands(self):
        x = leaf([3.0, -2.0])
        (x * x).sum().backward()
        np.testing.assert_array_equal(val(x.grad), [6.0, -4.0])
        x.zero_grad()
        (x - x).sum().backward()
        np.testing.assert_array_equal(val(x.grad), [0.0, 0.0])
        x.zero_grad()
        (x / x).sum().backward()
        np.testing.assert_allclose(val(x.grad), [0.0, 0.0], atol=1e-15)

    def test_wide_fan_out(self):
        x = cg.tensor(1.5, requires_grad=True)
        h = x * 2
        total = h
        for i in range(1, 200):
            total = total + h * float(i)
        total.backward()
        assert float(x.grad) == pytest.approx(2 * (1 + sum(range(1, 200))), rel=1e-14)

    def test_multiple_roots_in_one_backward(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * x
        y1, y2 = h * 3, h.sin()
        cg.autodiff.backward([y1, y2])
        assert float(x.grad) == pytest.approx(3 * 4.0 + math.cos(4.0) * 4.0, rel=1e-14)


# --------------------------------------------------------------------------- deep graphs
def test_million_op_chain_no_recursion_and_deep_deallocation():
    # 500,000 (mul, sin) pairs = 1,000,000 recorded ops, all scalars.
    n = 500_000
    c = 1.0000001
    x0 = 1.2
    x = cg.tensor(x0, requires_grad=True)
    y = x
    for _ in range(n):
        y = (y * c).sin()
    # closed form by a float loop: y_{k+1} = sin(c y_k), dy_{k+1}/dy_k = c cos(c y_k)
    v, d = x0, 1.0
    for _ in range(n):
        d *= c * math.cos(c * v)
        v = math.sin(c * v)
    assert float(y) == pytest.approx(v, rel=1e-9)
    y.backward()
    assert float(x.grad) == pytest.approx(d, rel=1e-6)
    assert d != 0.0
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None
    # a deep graph dropped without running backward (still holding its saved buffers)
    m = 300_000
    y = x
    for _ in range(m):
        y = y * c
    assert float(y) == pytest.approx(x0 * c ** m, rel=1e-9)
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None


# --------------------------------------------------------------------------- memory
def _build():
    rng = np.random.default_rng(0)
    a = cg.tensor(rng.standard_normal((1000, 1000)), requires_grad=True)
    b = cg.tensor(rng.standard_normal((1000, 1000)), requires_grad=True)
    h1 = a * b              # mul saves a, b (leaf data)
    h2 = h1.tanh()          # tanh may save its output h2
    h3 = h2 * h1            # mul saves h2, h1
    h4 = h3.exp()
    loss = (h4 * h2).mean()
    saved = [weakref.ref(t.data) for t in (h1, h2, h3, h4)]
    return a, b, loss, saved


def test_backward_frees_intermediate_arrays():
    a, b, loss, refs = _build()
    loss.backward()
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)
    assert a.grad.shape == (1000, 1000) and b.grad.shape == (1000, 1000)
    assert np.isfinite(a.grad.data).all()


def test_retain_graph_keeps_saved_arrays_until_loss_deleted():
    a, b, loss, refs = _build()
    h1_ref, h2_ref = refs[0], refs[1]  # both are operands of h3 = h2 * h1, so saved
    gc.collect()
    assert h1_ref() is not None and h2_ref() is not None
    loss.backward(retain_graph=True)
    gc.collect()
    assert h1_ref() is not None and h2_ref() is not None
    first = a.grad.data.copy()
    loss.backward()
    np.testing.assert_allclose(a.grad.data, 2 * first)
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)


def test_deleting_loss_without_backward_frees_arrays():
    a, b, loss, refs = _build()
    gc.collect()
    assert refs[0]() is not None
    del loss
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)


def test_retained_graph_freed_when_loss_deleted():
    a, b, loss, refs = _build()
    loss.backward(retain_graph=True)
    del loss
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)


def test_create_graph_graph_freed_when_grads_dropped():
    a, b, loss, refs = _build()
    ga, gb = agrad(loss, [a, b], create_graph=True)
    del loss
    gc.collect()
    assert refs[0]() is not None  # the gradient graph still needs h1
    del ga, gb
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)


# --------------------------------------------------------------------------- dtypes
class TestDtypes:
    def test_float32_graph_gives_float32_grads(self):
        x = cg.tensor(np.array([0.5, 1.5, -2.0], dtype=np.float32), requires_grad=True)
        w = cg.tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
        s = cg.tensor(2.0, dtype="float32", requires_grad=True)
        y = ((x @ w).tanh() * 2.5 + s ** 2).exp().mean()
        assert y.dtype == np.float32
        y.backward()
        for t in (x, w, s):
            assert t.grad.dtype == np.float32, t.grad.dtype
        assert s.grad.shape == ()

    def test_float32_matches_float64(self):
        v = np.array([0.5, 1.5, -2.0])
        x32 = cg.tensor(v.astype(np.float32), requires_grad=True)
        x64 = cg.tensor(v, requires_grad=True)
        for x in (x32, x64):
            (x.sin() * x / (x * x + 1)).sum().backward()
        np.testing.assert_allclose(val(x32.grad), val(x64.grad), rtol=1e-5)

    def test_float32_create_graph(self):
        x = cg.tensor(np.array([0.5, 1.0], dtype=np.float32), requires_grad=True)
        (g,) = agrad((x ** 3).sum(), [x], create_graph=True)
        (h,) = agrad(g.sum(), [x])
        assert g.dtype == np.float32 and h.dtype == np.float32
        np.testing.assert_allclose(val(h), [3.0, 6.0], rtol=1e-6)

    def test_mixed_precision_grads_keep_each_leaf_dtype(self):
        a = cg.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
        b = cg.tensor(np.array([3.0, 4.0]), requires_grad=True)
        y = (a * b).sum()
        assert y.dtype == np.float64
        y.backward()
        assert a.grad.dtype == np.float32
        assert b.grad.dtype == np.float64
        np.testing.assert_array_equal(val(a.grad), [3.0, 4.0])

    # (a Python int alone becomes the default float: micrograd's Value(2), API.md section 10)
    @pytest.mark.parametrize("data", [[1, 2, 3], np.arange(4), np.array([1, 0], dtype=np.int32)])
    def test_integer_tensors_cannot_require_grad(self, data):
        with pytest.raises(TypeError):
            cg.tensor(data, requires_grad=True)
        t = cg.tensor(data)
        with pytest.raises(TypeError):
            t.requires_grad = True
        assert not t.requires_grad

    def test_bool_tensor_cannot_require_grad(self):
        with pytest.raises(TypeError):
            cg.tensor([True, False], requires_grad=True)

    def test_integer_constant_in_float_graph(self):
        x = leaf([1.0, 2.0])
        k = cg.tensor([2, 3])
        (x * k).sum().backward()
        assert x.grad.dtype == np.float64
        assert k.grad is None
        np.testing.assert_array_equal(val(x.grad), [2.0, 3.0])

    def test_comparisons_do_not_require_grad(self):
        x = leaf([1.0, 2.0])
        assert not (x > 1.5).requires_grad


# --------------------------------------------------------------------------- more engine corners
class TestGradOwnership:
    def test_sibling_leaves_do_not_share_grad_memory(self):
        a = leaf([1.0, 2.0])
        b = leaf([3.0, 4.0])
        (a + b).backward(np.array([1.0, 1.0]))
        assert not np.shares_memory(a.grad.data, b.grad.data)
        a.grad.data[...] = 100.0
        np.testing.assert_array_equal(val(b.grad), [1.0, 1.0])

    def test_retained_non_leaf_grad_does_not_alias_leaf_grad(self):
        x = leaf([1.0, 2.0])
        h = x + 0.0
        h.retain_grad()
        (h + 0.0).backward(np.array([2.0, 3.0]))
        assert not np.shares_memory(h.grad.data, x.grad.data)
        h.grad.data[...] = -1.0
        np.testing.assert_array_equal(val(x.grad), [2.0, 3.0])

    def test_grad_of_reshape_is_writeable_and_owned(self):
        x = leaf(np.arange(6.0))
        y = x.reshape(2, 3)
        seed = np.ones((2, 3))
        y.backward(seed)
        assert x.grad.shape == (6,)
        x.grad.data[0] = 7.0  # must not raise (read-only) nor touch the seed
        np.testing.assert_array_equal(seed, np.ones((2, 3)))

    def test_grad_function_results_do_not_alias(self):
        a = leaf([1.0, 2.0])
        b = leaf([3.0, 4.0])
        ga, gb = agrad(a + b, [a, b], grad_outputs=np.ones(2))
        assert not np.shares_memory(ga.data, gb.data)


class TestMoreGradFunction:
    def test_gradient_of_output_with_respect_to_itself(self):
        x = leaf([1.0, 2.0])
        y = x * 3
        (g,) = agrad(y, [y], grad_outputs=np.array([4.0, 5.0]))
        np.testing.assert_array_equal(val(g), [4.0, 5.0])

    def test_input_not_requiring_grad(self):
        x = cg.tensor(1.0, requires_grad=True)
        c = cg.tensor(2.0)
        gx, gc_ = agrad(x * c, [x, c])
        assert float(gx) == 2.0 and gc_ is None
        with pytest.raises(RuntimeError):
            agrad(x * c, [x, c], allow_unused=False)

    def test_double_vjp_gives_jvp(self):
        # J v from two reverse passes: differentiate J^T u with respect to the seed u
        rng = np.random.default_rng(5)
        A = rng.standard_normal((5, 3))
        xv, v = rng.standard_normal(3), rng.standard_normal(3)
        x = leaf(xv)
        y = cg.tanh(cg.tensor(A) @ x)
        u = cg.zeros(5, requires_grad=True)
        (jtu,) = agrad(y, [x], grad_outputs=u, create_graph=True)
        (jv,) = agrad(jtu, [u], grad_outputs=v)
        expected = (1 - np.tanh(A @ xv) ** 2) * (A @ v)
        np.testing.assert_allclose(val(jv), expected, rtol=1e-12, atol=1e-14)

    def test_hooks_run_during_grad(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: g * 2)
        (g,) = agrad(h * h, [x])
        assert float(g) == 2 * 6.0 * 2 * 3

    def test_deep_chain_second_derivative(self):
        n = 5000
        x0 = 0.9
        x = cg.tensor(x0, requires_grad=True)
        y = x
        for _ in range(n):
            y = y.sin()
        (g,) = agrad(y, [x], create_graph=True)
        (h,) = agrad(g, [x])
        tx = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        ty = tx
        for _ in range(n):
            ty = torch.sin(ty)
        (tg,) = torch.autograd.grad(ty, [tx], create_graph=True)
        (th,) = torch.autograd.grad(tg, [tx])
        assert float(g) == pytest.approx(tg.item(), rel=1e-9)
        assert float(h) == pytest.approx(th.item(), rel=1e-8)


class TestMoreErrors:
    def test_non_differentiable_op_is_named(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = cg.stop_gradient(x)
        assert not y.requires_grad
        with pytest.raises(RuntimeError, match="stop_gradient"):
            y.backward()

    def test_piecewise_constant_ops_have_zero_gradients_as_torch(self):
        torch = pytest.importorskip("torch")
        data = np.array([-1.5, 0.0, 2.5])
        for name in ("sign", "floor"):
            x = cg.tensor(data, requires_grad=True)
            y = getattr(cg, name)(x)
            assert y.requires_grad
            y.sum().backward()
            t = torch.tensor(data, requires_grad=True)
            getattr(torch, name)(t).sum().backward()
            np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())

    def test_non_leaf_hook_bad_shape_changes_nothing(self):
        a = leaf([1.0, 2.0])
        a.grad = cg.tensor([9.0, 9.0])
        h = a * 2
        h.register_hook(lambda g: cg.tensor(np.ones(3)))
        y = (h * h).sum() + a.sum()
        with pytest.raises((ValueError, RuntimeError)):
            y.backward()
        np.testing.assert_array_equal(val(a.grad), [9.0, 9.0])

    def test_requires_grad_cannot_be_set_on_non_leaf(self):
        x = cg.tensor(1.0, requires_grad=True)
        with pytest.raises(RuntimeError):
            (x * 2).requires_grad = False

    def test_float32_output_with_float64_seed(self):
        x = cg.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
        (x * x).backward(np.array([1.0, 1.0]))
        assert x.grad.dtype == np.float32
        np.testing.assert_array_equal(val(x.grad), [2.0, 4.0])


class TestMoreGradMode:
    def test_set_grad_enabled_as_function_call(self):
        try:
            cg.set_grad_enabled(False)
            assert not cg.is_grad_enabled()
            x = cg.tensor(1.0, requires_grad=True)
            assert not (x * 2).requires_grad
        finally:
            cg.set_grad_enabled(True)
        assert cg.is_grad_enabled()

    def test_set_grad_enabled_decorator_does_not_switch_at_definition(self):
        @cg.set_grad_enabled(False)
        def f():
            return cg.is_grad_enabled()

        assert cg.is_grad_enabled()
        assert f() is False
        assert cg.is_grad_enabled()

    def test_backward_inside_no_grad_still_works(self):
        # like torch: no_grad affects recording, not the reverse pass of an existing graph
        x = cg.tensor(2.0, requires_grad=True)
        y = x ** 3
        with cg.no_grad():
            y.backward()
        assert float(x.grad) == 12.0

    def test_concurrent_backward_in_threads(self):
        barrier = threading.Barrier(4, timeout=20)
        results = {}

        def worker(k):
            x = cg.tensor(float(k) / 10, requires_grad=True)
            barrier.wait()
            y = x
            for _ in range(300):
                y = (y * 1.001).sin() + x * 0.0
            barrier.wait()
            y.backward()
            results[k] = float(x.grad)

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(1, 5)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        for k in range(1, 5):
            x = cg.tensor(float(k) / 10, requires_grad=True)
            y = x
            for _ in range(300):
                y = (y * 1.001).sin() + x * 0.0
            y.backward()
            assert results[k] == float(x.grad)


class TestTorchParityCorners:
    def test_leaf_hook_runs_in_grad_function(self):
        # torch.autograd.grad fires hooks registered on its (leaf) inputs, exactly as it
        # does for non-leaf inputs; compgraph fires the non-leaf ones already.
        x = cg.tensor(2.0, requires_grad=True)
        x.register_hook(lambda g: g * 10)
        (g,) = agrad(x * 3, [x])
        tx = torch.tensor(2.0, requires_grad=True)
        tx.register_hook(lambda g: g * 10)
        (tg,) = torch.autograd.grad(tx * 3, [tx])
        assert float(g) == tg.item() == 30.0
        assert x.grad is None

    def test_non_leaf_hook_runs_in_grad_function(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 1.0
        h.register_hook(lambda g: g * 10)
        (g,) = agrad(h * 3, [h])
        assert float(g) == 30.0

    def test_grad_outputs_length_mismatch_raises(self):
        x = leaf([1.0, 2.0])
        with pytest.raises((RuntimeError, ValueError)):
            agrad([x * 2, (x * 3).sum()], [x], grad_outputs=[np.ones(2)])

    def test_backward_grad_tensors_length_mismatch_raises(self):
        x = leaf([1.0, 2.0])
        with pytest.raises((RuntimeError, ValueError)):
            cg.autodiff.backward([x * 2, (x * 3).sum()], [np.ones(2)])
        assert x.grad is None

    def test_backward_of_the_same_root_twice_sums(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = x * x
        cg.autodiff.backward([y, y], [1.0, 2.0])
        assert float(x.grad) == 3 * 4.0

    def test_grad_mode_is_off_inside_hooks_without_create_graph(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        seen = []
        h.register_hook(lambda g: seen.append(("node", cg.is_grad_enabled())))
        x.register_hook(lambda g: seen.append(("leaf", cg.is_grad_enabled())))
        (h * h).backward()
        assert sorted(seen) == [("leaf", False), ("node", False)]
        assert cg.is_grad_enabled()

    def test_grad_mode_is_on_inside_hooks_with_create_graph(self):
        x = cg.tensor(2.0, requires_grad=True)
        h = x * 3
        seen = []
        h.register_hook(lambda g: seen.append((cg.is_grad_enabled(), g.requires_grad)))
        (h * h).backward(create_graph=True)
        assert seen == [(True, True)]

    def test_wrong_shape_grad_assignment_is_rejected(self):
        # torch refuses the assignment itself; either that or a backward that changes
        # nothing is acceptable, but never a half-updated or silently broadcast .grad
        a = leaf([1.0, 2.0])
        b = leaf([1.0, 2.0])
        try:
            b.grad = cg.tensor(np.ones(3))
        except (ValueError, TypeError, RuntimeError):
            return
        with pytest.raises((ValueError, RuntimeError)):
            (a * b).sum().backward()
        assert a.grad is None

    def test_broadcastable_wrong_shape_grad_is_not_silently_broadcast(self):
        a = leaf([1.0, 2.0])
        try:
            a.grad = cg.tensor(np.ones((2, 2)))
        except (ValueError, TypeError, RuntimeError):
            return
        try:
            (a * 1.0).sum().backward()
        except (ValueError, RuntimeError):
            return
        assert a.grad.shape == (2,)

    def test_backward_inputs_argument(self):
        x = cg.tensor(2.0, requires_grad=True)
        y = cg.tensor(3.0, requires_grad=True)
        h = x * y
        (h * h).backward(inputs=[x])
        assert float(x.grad) == 36.0 and y.grad is None
        x2 = cg.tensor(2.0, requires_grad=True)
        y2 = cg.tensor(3.0, requires_grad=True)
        h2 = x2 * y2
        (h2 * h2).backward(inputs=[h2, y2])
        assert x2.grad is None
        assert float(y2.grad) == 24.0 and float(h2.grad) == 12.0


def test_reduction_does_not_keep_its_input_alive():
    # sum's backward needs only the input's shape (torch's SumBackward saves sizes), so
    # the summed 1000x1000 intermediate can die as soon as the user drops it
    rng = np.random.default_rng(0)
    a = cg.tensor(rng.standard_normal((1000, 1000)), requires_grad=True)
    h = a * 2.0 + 1.0
    ref = weakref.ref(h.data)
    loss = h.sum()
    k = (a * 3.0 - 1.0)
    ref_k = weakref.ref(k.data)
    loss2 = k.mean()
    del h, k
    gc.collect()
    assert ref() is None, "sum() kept its whole 1000x1000 input alive for backward"
    assert ref_k() is None, "mean() kept its whole 1000x1000 input alive for backward"
    (loss + loss2).backward()
    np.testing.assert_allclose(a.grad.data, np.full((1000, 1000), 2.0 + 3.0 / 1e6))
