"""The promise of the registry: a brand-new op is ONE declaration (in this file, no
other file touched) and then works everywhere: cg.<name>, the Tensor method, NumPy
dispatch, backward (to second order), tapes, grad/jvp/hessian, cg.function, static
graphs (run, gradients, compile, save/load), explain, pictures, the command line and
ONNX."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph import cli
from compgraph.ops import Codegen, Facts, Onnx, defop, undef
from compgraph.ops.meta import floating, same_shape

NAME = "testop_softsign"
# A NumPy ufunc no op of compgraph answers to, standing in for np.<name>.
softsign_ufunc = np.frompyfunc(lambda v: v / (1 + abs(v)), 1, 1)


@pytest.fixture(scope="module")
def op():
    # ---------------------------------------------------------------- the declaration
    declared = defop(
        NAME, lambda x: x / (1 + np.abs(x)),
        elementwise=True, shape=same_shape, dtype=floating,
        vjp=(lambda ns, g, out, x: g / ((1 + ns.abs(x)) * (1 + ns.abs(x))),),
        saves=((0,),), deriv=("1/(1 + abs(x))**2",),
        doc="Elementwise softsign ``x / (1 + |x|)``.",
        method=NAME, numpy=softsign_ufunc, cli=True,
        codegen=Codegen(), onnx=Onnx("Softsign"), facts=Facts())
    # ----------------------------------------------------------------------------------
    yield declared
    undef(NAME)
    assert not hasattr(cg.Tensor, NAME) and NAME not in dir(cg)


def f(x):
    return x / (1 + np.abs(x))


def df(x):
    return 1 / (1 + np.abs(x)) ** 2


def d2f(x):
    return -2 * np.sign(x) / (1 + np.abs(x)) ** 3


X = np.array([0.5, -1.5, 2.0])


def test_public_function_method_and_numpy(op):
    fn = getattr(cg, NAME)
    assert fn.__doc__ == "Elementwise softsign ``x / (1 + |x|)``."
    t = cg.tensor(X)
    for r in (fn(t), getattr(t, NAME)(), softsign_ufunc(t)):
        assert isinstance(r, cg.Tensor)
        np.testing.assert_allclose(r.numpy(), f(X))
    assert NAME in dir(cg)


def test_backward_second_order_tape_and_gradcheck(op):
    fn = getattr(cg, NAME)
    x = cg.tensor(X, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), df(X))
    x = cg.tensor(X, requires_grad=True)
    (g,) = cg.autograd.grad(fn(x).sum(), [x], create_graph=True)
    (gg,) = cg.autograd.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), d2f(X))
    c = cg.constant(X)
    with cg.GradientTape() as tape:
        tape.watch(c)
        y = getattr(c, NAME)()
    np.testing.assert_allclose(tape.gradient(y, c).numpy(), df(X))
    assert cg.gradcheck(lambda v: fn(v * 3), X)


def test_transforms(op):
    fn = getattr(cg, NAME)
    np.testing.assert_allclose(cg.grad(lambda v: cg.sum(fn(v)))(X).numpy(), df(X))
    _, t = cg.jvp(fn, (X,), (np.ones(3),))
    np.testing.assert_allclose(t.numpy(), df(X))
    h = cg.hessian(lambda v: cg.sum(fn(v)))(X)
    np.testing.assert_allclose(h.numpy(), np.diag(d2f(X)))
    np.testing.assert_allclose(cg.jacfwd(fn)(X).numpy(), np.diag(df(X)))


def test_cg_function(op):
    fn = getattr(cg, NAME)
    traced = cg.function(lambda v: cg.sum(fn(v) * 2))
    assert float(traced(X)) == pytest.approx(2 * f(X).sum())
    assert NAME in {n.op for n in traced.get_graph(X).nodes}
    np.testing.assert_allclose(cg.function(cg.grad(lambda v: cg.sum(fn(v))))(X).numpy(), df(X))


def test_static_graph_run_gradients_compile_save_load(op, tmp_path):
    fn = getattr(cg, NAME)
    g = cg.Graph()
    a = g.input("a", shape=(3,), dtype="float64")
    y = cg.sum(fn(a))
    (da,) = g.gradients(y, [a])
    value, grad = g.run([y, da], {"a": X})
    assert float(value) == pytest.approx(f(X).sum())
    np.testing.assert_allclose(grad, df(X))
    compiled = g.compile([y, da])
    np.testing.assert_allclose(compiled(a=X)[1], df(X))
    assert NAME in compiled.source
    path = tmp_path / "g.npz"
    g.save(str(path))
    loaded = cg.Graph.load(str(path))
    np.testing.assert_allclose(loaded.run(loaded[da.name], {"a": X}), df(X))


def test_explain_and_dot(op):
    x = cg.tensor(0.5, requires_grad=True, name="x")
    y = getattr(cg, NAME)(x)
    y.name = "y"
    text = cg.explain(y, x)
    assert "dy/dx = 1/(1 + abs(x))**2" in text and f"{df(0.5):.6g}" in text
    assert f'"{NAME}"' in cg.to_dot(y)
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    getattr(a, NAME)()
    assert f'"{NAME}"' in g.to_dot()


def test_command_line(op, capsys):
    assert NAME in cli.functions()
    assert cli.main([f"y = {NAME}(3*x)", "--at", "x=0.5", "--wrt", "x"]) == 0
    out = capsys.readouterr().out
    assert f"y = {f(1.5):.10g}" in out and f"dy/dx = {3 * df(1.5):.10g}" in out


def test_onnx(op, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    g = cg.Graph()
    a = g.input("a", shape=(3,), dtype="float32")
    y = getattr(cg, NAME)(a) * 2
    g.rename(y, "y")
    path = str(tmp_path / "m.onnx")
    g.to_onnx(path)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (got,) = sess.run(None, {"a": X.astype(np.float32)})
    np.testing.assert_allclose(got, 2 * f(X), rtol=1e-6)
