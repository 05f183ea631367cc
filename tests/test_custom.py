"""Users' own ops (API section 8): custom_vjp, custom_jvp, custom_gradient and
autograd.Function, in every front end: backward, tapes, transforms to higher order,
forward mode, cg.function, static graphs (run, gradients, compile, save/load),
explain, pictures and the ONNX refusal."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops.registry import OPS


# ------------------------------------------------------------------ the API's examples
@cg.custom_vjp
def clip_gradient(x):
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (cg.clip(g, -1, 1),))


@cg.custom_jvp
def sin_jvp(x):
    return cg.sin(x)


@sin_jvp.defjvp
def _sin_jvp_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    return sin_jvp(x), cg.cos(x) * t


class Exp(cg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = cg.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


@cg.custom_gradient
def log1pexp(x):
    e = cg.exp(x)
    return cg.log(1 + e), lambda upstream: upstream * (1 - 1 / (1 + e))


@cg.custom_vjp
def xsinx(x):
    return cg.sin(x) * x


def _xsinx_fwd(x):
    return xsinx(x), (cg.cos(x), x)


def _xsinx_bwd(res, g):
    c, x = res
    return (g * (c * x + cg.sin(x)),)


xsinx.defvjp(_xsinx_fwd, _xsinx_bwd)


@cg.custom_vjp
def scaled_sum(x, k):
    """x * k with a rule for x only (None for k)."""
    return x * k


scaled_sum.defvjp(lambda x, k: (x * k, k), lambda k, g: (g * k, None))


# ------------------------------------------------------------------ dynamic graphs
def test_custom_vjp_replaces_the_gradient():
    assert float(cg.grad(lambda x: 3 * clip_gradient(x))(2.0)) == 1.0
    x = cg.tensor(2.0, requires_grad=True)
    (-5 * clip_gradient(x)).backward()
    assert float(x.grad) == -1.0
    x = cg.tensor([0.5, 2.0], requires_grad=True)
    (clip_gradient(x) * cg.tensor([0.5, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 1.0])


def test_custom_vjp_higher_order_through_residuals():
    d1 = cg.grad(xsinx)(1.0)
    d2 = cg.grad(cg.grad(xsinx))(1.0)
    assert float(d1) == pytest.approx(np.cos(1) + np.sin(1))
    assert float(d2) == pytest.approx(2 * np.cos(1) - np.sin(1))
    # the value is the primal's
    assert float(xsinx(cg.tensor(1.0))) == pytest.approx(np.sin(1))


def test_custom_vjp_none_for_an_input_and_tape():
    x = cg.constant(2.0)
    k = cg.Variable(3.0)
    with cg.GradientTape() as tape:
        tape.watch(x)
        y = scaled_sum(x, k)
    gx, gk = tape.gradient(y, [x, k])
    assert float(gx) == 3.0 and gk is None


def test_custom_vjp_forward_mode_is_a_type_error():
    with pytest.raises(TypeError, match="only a VJP rule"):
        cg.jvp(xsinx, (1.0,), (1.0,))
    with pytest.raises(TypeError, match="defvjp"):
        @cg.custom_vjp
        def undefined(x):
            return x
        undefined(cg.tensor(1.0))


def test_custom_jvp_forward_reverse_and_higher_order():
    y, t = cg.jvp(sin_jvp, (0.5,), (2.0,))
    assert float(y) == pytest.approx(np.sin(0.5)) and float(t) == pytest.approx(2 * np.cos(0.5))
    # reverse mode transposes the rule
    assert float(cg.grad(sin_jvp)(0.5)) == pytest.approx(np.cos(0.5))
    assert float(cg.grad(cg.grad(sin_jvp))(0.5)) == pytest.approx(-np.sin(0.5))
    h = cg.hessian(lambda x: cg.sum(sin_jvp(x) ** 2))(np.array([0.3, 1.1]))
    np.testing.assert_allclose(h.numpy(), np.diag(2 * np.cos(2 * np.array([0.3, 1.1]))))
    x = cg.tensor([0.3, 1.1], requires_grad=True)
    sin_jvp(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([0.3, 1.1]))


def test_custom_jvp_defjvps():
    @cg.custom_jvp
    def cube(x):
        return x * x * x
    cube.defjvps(lambda t, out, x: 3 * x * x * t)
    assert float(cg.jvp(cube, (2.0,), (1.0,))[1]) == 12.0
    assert float(cg.grad(cube)(2.0)) == 12.0


def test_autograd_function_first_and_second_order():
    x = cg.tensor(1.0, requires_grad=True)
    Exp.apply(x).backward()
    assert float(x.grad) == pytest.approx(np.e)
    x = cg.tensor(1.0, requires_grad=True)
    (g1,) = cg.autograd.grad(Exp.apply(x), [x], create_graph=True)
    (g2,) = cg.autograd.grad(g1, [x])
    assert float(g2) == pytest.approx(np.e)  # the saved output is connected to the graph
    assert float(cg.grad(cg.grad(Exp.apply))(1.0)) == pytest.approx(np.e)


def test_autograd_function_ctx():
    seen = {}

    class Mul(cg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            ctx.note = "kept"
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            seen["needs"] = ctx.needs_input_grad
            seen["note"] = ctx.note
            return g * b, (g * a if ctx.needs_input_grad[1] else None)

    a = cg.tensor(2.0, requires_grad=True)
    b = cg.tensor(5.0)
    Mul.apply(a, b).backward()
    assert float(a.grad) == 5.0 and b.grad is None
    assert seen == {"needs": (True, False), "note": "kept"}
    # second order through saved inputs: d/da (d/da a*a) = 2
    assert float(cg.grad(cg.grad(lambda t: Mul.apply(t, t)))(3.0)) == pytest.approx(2.0)


def test_autograd_function_matches_torch():
    torch = pytest.importorskip("torch")

    class Cube(cg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x ** 2

    class TCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x ** 2

    data = np.array([0.5, -1.5, 2.0])
    x = cg.tensor(data, requires_grad=True)
    (g1,) = cg.autograd.grad(Cube.apply(x).sum(), [x], create_graph=True)
    (g2,) = cg.autograd.grad(g1.sum(), [x])
    tx = torch.tensor(data, requires_grad=True)
    (t1,) = torch.autograd.grad(TCube.apply(tx).sum(), [tx], create_graph=True)
    (t2,) = torch.autograd.grad(t1.sum(), [tx])
    np.testing.assert_allclose(g1.numpy(), t1.detach().numpy())
    np.testing.assert_allclose(g2.numpy(), t2.numpy())


def test_custom_gradient_tape_and_stability():
    x = cg.constant(100.0)
    with cg.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0
    assert float(cg.grad(cg.grad(log1pexp))(0.0)) == pytest.approx(0.25)


def test_gradcheck_of_each_spelling():
    for f in (xsinx, sin_jvp, Exp.apply, log1pexp):
        assert cg.gradcheck(lambda x, f=f: cg.sum(f(x) * x), np.array([0.3, -0.7, 1.2]))


# ------------------------------------------------------------------ static graphs
def _all_four(x):
    return cg.sum(Exp.apply(x) * clip_gradient(x) + sin_jvp(x) + log1pexp(x) + xsinx(x))


def _reference_grad(x):
    e = np.exp(x)
    return (e * x + np.clip(e, -1, 1) + np.cos(x) + 1 / (1 + np.exp(-x))
            + np.cos(x) * x + np.sin(x))


def test_cg_function_runs_user_ops_as_one_node_each():
    f = cg.function(_all_four)
    x = np.array([0.1, 0.2])
    assert float(f(x)) == pytest.approx(float(_all_four(cg.tensor(x))))
    g = f.get_graph(x)
    user = [n for n in g.nodes if n.opdef is not None and n.opdef.custom is not None]
    assert sorted(n.opdef.label for n in user) == ["Exp", "clip_gradient", "log1pexp",
                                                    "sin_jvp", "xsinx"]
    np.testing.assert_allclose(cg.grad(f)(x).numpy(), _reference_grad(x))
    np.testing.assert_allclose(cg.function(cg.grad(_all_four))(x).numpy(), _reference_grad(x))


def test_graph_gradients_compile_save_load(tmp_path):
    g = cg.Graph()
    a = g.input("a", shape=(2,), dtype="float64")
    y = _all_four(a)
    (da,) = g.gradients(y, [a])
    x = np.array([0.1, 0.2])
    value, grad = g.run([y, da], {"a": x})
    np.testing.assert_allclose(grad, _reference_grad(x))
    fn = g.compile([y, da])
    v2, g2 = fn(a=x)
    assert float(v2) == pytest.approx(float(value))
    np.testing.assert_allclose(g2, grad)
    # the second derivative of a static graph through a custom_jvp op
    (dda,) = g.gradients(cg.sum(g.gradients(cg.sum(sin_jvp(a)), [a])[0]), [a])
    np.testing.assert_allclose(g.run(dda, {"a": x}), -np.sin(x))
    path = tmp_path / "g.npz"
    g.save(str(path))
    loaded = cg.Graph.load(str(path))
    np.testing.assert_allclose(loaded.run(loaded[da.name], {"a": x}), grad)
    doc = json.loads(bytes(np.load(path)["graph.json"]))
    ops = {n["op"] for n in doc["nodes"]}
    assert f"{__name__}:Exp" in ops and f"{__name__}:clip_gradient" in ops


def test_loading_an_undefined_user_op_is_a_value_error(tmp_path):
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    xsinx(a)
    path = tmp_path / "g.npz"
    g.save(str(path))
    # rewrite the op's name to one this program never defined (and a module that exists)
    with np.load(path) as z:
        doc = json.loads(bytes(z["graph.json"]))
    for n in doc["nodes"]:
        if n["op"].endswith(":xsinx"):
            n["op"] = "os:system"
    raw = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        with zf.open("graph.json.npy", "w") as fh:
            np.lib.format.write_array(fh, raw)
    with pytest.raises(ValueError, match="os:system.*not defined in this program"):
        cg.Graph.load(str(bad))


def test_onnx_export_names_the_user_op(tmp_path):
    pytest.importorskip("onnx")
    g = cg.Graph()
    a = g.input("a", shape=(2,), dtype="float64")
    Exp.apply(a)
    with pytest.raises(ValueError, match="Exp.*user-defined"):
        g.to_onnx(str(tmp_path / "m.onnx"))


def test_explain_and_pictures_show_the_function_name():
    t = cg.tensor(0.3, requires_grad=True, name="t")
    z = Exp.apply(t) * 2
    z.name = "z"
    text = cg.explain(z, t)
    assert "Exp" in text and f"{np.exp(0.3):.6g}" in text
    assert text.strip().endswith(f"dz/dt = {2 * np.exp(0.3):.6g} (reverse mode gives the same)")
    assert '"Exp"' in cg.to_dot(z)
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    y = xsinx(a)
    assert '"xsinx"' in g.to_dot()
    assert "xsinx" in cg.explain(y, a, feeds={"a": 1.0})


def test_redefinition_replaces_and_locals_get_their_own_ops():
    def make(k):
        @cg.custom_vjp
        def scale(x):
            return x * k
        scale.defvjp(lambda x: (x * k, None), lambda res, g: (g * k,))
        return scale
    s2, s3 = make(2.0), make(3.0)
    assert s2.op is not s3.op and s2.op.name != s3.op.name
    assert s2.op.name in OPS and s3.op.name in OPS
    f = cg.function(lambda x: s2(x) + s3(x))
    assert float(f(1.0)) == 5.0
    assert float(cg.grad(f)(1.0)) == 5.0


def test_a_graph_keeps_the_op_it_was_built_with():
    """Redefining a module-level user op (a re-run notebook cell) must not change a graph
    built before: its nodes hold the op, and passes keep it."""
    ns: dict = {"cg": cg, "__name__": "redefined_module"}
    src = ("@cg.custom_vjp\ndef twice(x):\n    return x * {k}\n"
           "twice.defvjp(lambda x: (x * {k}, None), lambda r, g: (g * {k},))\n")
    exec(src.format(k=2.0), ns)
    old = ns["twice"]
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    y = old(a) + 0.0
    exec(src.format(k=3.0), ns)  # the same module:qualname, a new definition
    assert float(g.run(y, {"a": 1.0})) == 2.0
    assert float(g.compile(y)(1.0)) == 2.0
    assert float(g.run(g.gradients(y, a), {"a": 1.0})) == 2.0
    assert float(ns["twice"](cg.tensor(1.0))) == 3.0


def test_nondiff_argnums_as_jax():
    from functools import partial

    @partial(cg.custom_vjp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    def app_fwd(f, x):
        return app(f, x), x

    def app_bwd(f, x, g):
        return (g * 10.0,)  # a deliberately different rule: proves it is the one used

    app.defvjp(app_fwd, app_bwd)
    assert float(app(cg.sin, cg.tensor(0.0))) == 0.0
    assert float(cg.grad(lambda x: app(cg.sin, x))(0.3)) == 10.0
    traced = cg.function(lambda x: app(cg.exp, x) * 2)
    assert float(traced(0.0)) == 2.0
    assert float(cg.grad(traced)(0.0)) == 20.0

    @partial(cg.custom_jvp, nondiff_argnums=(1,))
    def power(x, k):
        return x ** k

    @power.defjvp
    def _power_jvp(k, primals, tangents):
        (x,), (t,) = primals, tangents
        return power(x, k), k * x ** (k - 1) * t

    assert float(cg.jvp(lambda x: power(x, 3), (2.0,), (1.0,))[1]) == 12.0
    assert float(cg.grad(lambda x: power(x, 3))(2.0)) == 12.0
    assert float(cg.grad(cg.grad(lambda x: power(x, 3)))(2.0)) == 12.0
