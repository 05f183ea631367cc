"""In-place operators and assignment on Tensors work in place, as in PyTorch (API 10):
a leaf changes under no_grad (an optimiser step), a non-leaf change is recorded, a leaf
that requires grad is refused while recording; forward mode sees assignments."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")


def test_sgd_step_by_hand_changes_the_parameter_itself():
    model = cg.nn.Linear(3, 2, seed=0)
    w = model.weight
    before = w.numpy().copy()
    x = cg.tensor(np.ones((4, 3)))
    model(x).sum().backward()
    with cg.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    assert model.weight is w  # the same object, changed in place
    np.testing.assert_allclose(w.numpy(), before - 0.1 * w.grad.numpy())
    assert w.requires_grad and w.is_leaf


def test_leaf_that_requires_grad_is_refused_while_recording():
    w = cg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])  # nothing changed
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        tw += 1


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "**="])
def test_recorded_in_place_ops_give_torchs_gradients(op):
    data, other = np.array([1.5, -0.5, 2.0]), np.array([0.5, 2.0, 3.0])
    x = cg.tensor(data, requires_grad=True)
    b = cg.tensor(other, requires_grad=True)
    y = x * 2
    ns = {"y": y, "b": b}
    exec(f"y {op} b", ns)  # noqa: S102  (the test's own operator, not user text)
    (ns["y"] * ns["y"]).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    tb = torch.tensor(other, requires_grad=True)
    ty = tx * 2
    tns = {"y": ty, "b": tb}
    exec(f"y {op} b", tns)  # noqa: S102
    (tns["y"] * tns["y"]).sum().backward()
    np.testing.assert_allclose(ns["y"].numpy(), tns["y"].detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())


def test_in_place_on_a_constant_and_dtype_rules():
    t = cg.tensor([1.0, 2.0])
    buf = t.numpy()
    t += 1
    t *= cg.tensor([2.0, 3.0])
    assert t.numpy() is buf
    np.testing.assert_array_equal(buf, [4.0, 9.0])
    i = cg.tensor([1, 2])
    with pytest.raises(TypeError, match="can't be cast"):
        i /= 2  # as torch: an int tensor cannot hold a float result in place
    s = cg.tensor(2.0)
    s += 1  # a one-element tensor (a NumPy scalar inside) too
    assert float(s) == 3.0


def test_data_iadd_changes_the_buffer():
    p = cg.tensor([1.0, 2.0], requires_grad=True)
    p.data += 1
    np.testing.assert_array_equal(p.numpy(), [2.0, 3.0])


def test_setitem_is_recorded_as_torch():
    data = np.array([1.0, 2.0, 3.0])
    x = cg.tensor(data, requires_grad=True)
    y = x * 2
    y[0] = x[1] * 5
    y[2] = 7.0
    (y * y).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    ty = tx * 2
    ty[0] = tx[1] * 5
    ty[2] = 7.0
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 1.0


def test_forward_mode_sees_assignment():
    def f(a):
        a = a * 1
        a[1] = 3.0
        return a * a

    y, t = cg.jvp(f, (np.array([1.0, 2.0, 4.0]),), (np.ones(3),))
    np.testing.assert_allclose(y.numpy(), [1.0, 9.0, 16.0])
    np.testing.assert_allclose(t.numpy(), [2.0, 0.0, 8.0])  # the assigned entry is constant
    j = cg.jacfwd(f)(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(j.numpy(), np.diag([2.0, 0.0, 8.0]))


def test_variable_plus_equals_makes_a_new_tensor_as_tensorflow():
    v = cg.Variable([1.0, 2.0])
    w = v
    w += 1
    assert type(w) is cg.Tensor and type(v) is cg.Variable
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_setitem_mask_of_the_wrong_length_is_refused():
    x = cg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(IndexError, match="boolean index"):
        y[np.array([True, False])] = 5.0
    y[np.array([True, False, True])] = 5.0
    np.testing.assert_array_equal(y.numpy(), [5.0, 4.0, 5.0])


def test_forward_mode_sees_assignment_into_the_input_itself():
    def f(a):
        a[1] = 3.0
        return a * 2

    y, t = cg.jvp(f, (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    np.testing.assert_array_equal(y.numpy(), [2.0, 6.0])
    np.testing.assert_array_equal(t.numpy(), [2.0, 0.0])
    jax = pytest.importorskip("jax")

    def fj(a):
        return a.at[1].set(3.0) * 2

    _, tj = jax.jvp(fj, (jax.numpy.array([1.0, 2.0]),), (jax.numpy.array([1.0, 1.0]),))
    np.testing.assert_array_equal(t.numpy(), np.asarray(tj))


def test_assigning_grad_keeps_the_tensors_dtype():
    x = cg.tensor([1.0, 2.0], dtype="float32", requires_grad=True)
    x.grad = np.array([0.5, 0.25])  # float64 data becomes the tensor's float32
    assert x.grad.dtype == np.float32
    with pytest.raises(TypeError, match="dtype"):
        x.grad = cg.tensor([1.0, 2.0])  # a float64 Tensor: refused, as torch
    with pytest.raises(TypeError, match="cannot be cast"):
        x.grad = np.array([1 + 2j, 0j])
    tx = torch.zeros(2, dtype=torch.float32, requires_grad=True)
    with pytest.raises(RuntimeError):
        tx.grad = torch.zeros(2, dtype=torch.float64)


@pytest.mark.parametrize(
    "op, np_op",
    [
        ("__iand__", np.bitwise_and),
        ("__ior__", np.bitwise_or),
        ("__ixor__", np.bitwise_xor),
        ("__ilshift__", np.left_shift),
        ("__irshift__", np.right_shift),
        ("__ifloordiv__", np.floor_divide),
        ("__imod__", np.remainder),
    ],
)
def test_integer_in_place_operators_change_the_tensor_itself(op, np_op):
    a = cg.tensor(np.array([5, 6, 7]))
    same = a
    buf = a._data
    r = getattr(a, op)(cg.tensor(np.array([1, 2, 3])))
    assert r is same
    np.testing.assert_array_equal(a.numpy(), np_op(np.array([5, 6, 7]), np.array([1, 2, 3])))
    assert a._data is buf


def test_bitwise_in_place_on_floats_is_numpys_type_error():
    f = cg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="bitwise_and"):
        f &= 1
    np.testing.assert_array_equal(f.numpy(), [1.0, 2.0])


def test_view_inplace_methods_change_the_shape_as_torch():
    torch = pytest.importorskip("torch")
    base = np.arange(6.0).reshape(2, 3)
    for name, args in (("t_", ()), ("transpose_", (0, 1)), ("unsqueeze_", (1,)),
                       ("squeeze_", ())):
        x, tx = cg.tensor(base.reshape(2, 3, 1) if name == "squeeze_" else base), torch.tensor(
            base.reshape(2, 3, 1) if name == "squeeze_" else base)
        assert getattr(x, name)(*args) is x
        getattr(tx, name)(*args)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        # recorded on a non-leaf: the gradient goes back through the view
        a = cg.tensor(base, requires_grad=True)
        ta = torch.tensor(base, requires_grad=True)
        y, ty = a * 2, ta * 2
        rname, rargs = ("unsqueeze_", (0,)) if name == "squeeze_" else (name, args)
        getattr(y, rname)(*rargs)
        getattr(ty, rname)(*rargs)
        w = np.random.default_rng(0).standard_normal(ty.shape)
        cg.sum(y * w).backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(cg.tensor(base, requires_grad=True), "t_")()
