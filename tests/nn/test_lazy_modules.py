"""Lazy modules (LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*,
LazyInstanceNorm*), UninitializedParameter / UninitializedBuffer, Buffer, Container,
DataParallel and the RNNBase / RNNCellBase names against torch: shapes, values and
gradients after materialisation, the class they become, repr, state_dict keys and
loading, optimizers built before the first call, and the errors."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")
nn = cg.nn
TOL = 1e-10


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _to_torch_state(cmod) -> dict:
    return {k: torch.tensor(np.array(v)) for k, v in cmod.state_dict().items()}


def _same_values_and_grads(tmod, cmod, x: np.ndarray, seed: int = 1):
    """Equal outputs, input gradients and parameter gradients of sum(y * g)."""
    tx = torch.tensor(x, requires_grad=True)
    cx = cg.tensor(x, requires_grad=True)
    ty, cy = tmod(tx), cmod(cx)
    assert tuple(ty.shape) == tuple(cy.shape)
    np.testing.assert_allclose(cy.data, ty.detach().numpy(), atol=TOL, rtol=TOL)
    g = _rng(seed).standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    (cy * g).sum().backward()
    np.testing.assert_allclose(cx.grad.data, tx.grad.numpy(), atol=TOL, rtol=TOL)
    tparams = dict(tmod.named_parameters())
    cparams = dict(cmod.named_parameters())
    assert list(cparams) == list(tparams)
    for name, p in cparams.items():
        np.testing.assert_allclose(p.grad.data, tparams[name].grad.numpy(), atol=TOL, rtol=TOL)


# (class name, constructor args, kwargs, input shape)
WEIGHTED = [
    ("LazyLinear", (3,), {}, (4, 5)),
    ("LazyLinear", (3,), {"bias": False}, (2, 6, 5)),
    ("LazyLinear", (2,), {}, (5,)),  # unbatched
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 7)),
    ("LazyConv1d", (4, 2), {"groups": 2, "bias": False}, (4, 6)),  # unbatched
    ("LazyConv2d", (4, 3), {"stride": 2}, (2, 3, 7, 6)),
    ("LazyConv2d", (6, (2, 3)), {"groups": 3, "dilation": 2}, (3, 9, 8)),
    ("LazyConv3d", (2, 2), {"padding": 1, "padding_mode": "reflect"}, (2, 3, 4, 4, 3)),
    ("LazyConv3d", (4, 3), {"groups": 2}, (4, 5, 5, 5)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("LazyConvTranspose2d", (2, 3), {"padding": 1}, (2, 3, 4, 5)),
    ("LazyConvTranspose2d", (4, 2), {"groups": 2, "bias": False}, (4, 3, 3)),
    ("LazyConvTranspose3d", (2, 2), {"stride": 2}, (1, 3, 2, 3, 2)),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), WEIGHTED, ids=_ids(WEIGHTED))
def test_weighted_lazy_modules_match_torch(name, args, kwargs, shape):
    cm = getattr(nn, name)(*args, **kwargs, seed=0)
    tm = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    assert cm.has_uninitialized_params()
    x = _rng(2).standard_normal(shape)
    cy = cm(cg.tensor(x))  # the first call materializes
    with torch.no_grad():
        tm(torch.tensor(x))
    plain = getattr(nn, name[4:])
    assert type(cm) is plain and type(tm) is getattr(torch.nn, name[4:])
    assert not any(k.startswith("_lazy") for k in vars(cm))
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    for k, v in cm.state_dict().items():
        assert v.shape == tuple(tm.state_dict()[k].shape)
    tm.load_state_dict(_to_torch_state(cm))
    np.testing.assert_allclose(cy.data, tm(torch.tensor(x)).detach().numpy(), atol=TOL, rtol=TOL)
    _same_values_and_grads(tm, cm, x)


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), WEIGHTED, ids=_ids(WEIGHTED))
def test_materialized_values_are_the_plain_class_initialisation(name, args, kwargs, shape):
    """The same seed gives the plain class's values: its initialisation, exactly."""
    cm = getattr(nn, name)(*args, **kwargs, seed=7)
    cm(cg.tensor(_rng(3).standard_normal(shape)))
    n = cm.in_features if name == "LazyLinear" else cm.in_channels
    ref = getattr(nn, name[4:])(n, *args, **kwargs, seed=7)
    assert n == (shape[-1] if name == "LazyLinear" else shape[-len(cm.kernel_size) - 1])
    for (k, a), (k2, b) in zip(cm.state_dict().items(), ref.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(a, b)
    w = cm.weight.data
    bound = 1 / np.sqrt(np.prod(w.shape[1:]))
    assert np.abs(w).max() <= bound and w.std() > bound / 4  # U(-bound, bound)


def test_seed_none_draws_from_the_process_generator_at_the_first_call():
    """Building a lazy module draws nothing: the first call draws what the plain
    class's constructor would."""
    cg.manual_seed(5)
    a = nn.LazyLinear(3)
    a(cg.ones((1, 4)))
    cg.manual_seed(5)
    ref = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.data, ref.weight.data)
    np.testing.assert_array_equal(a.bias.data, ref.bias.data)


NORMS = [
    ("LazyBatchNorm1d", {}, (6, 3)),
    ("LazyBatchNorm1d", {"momentum": None}, (5, 3, 4)),
    ("LazyBatchNorm1d", {"affine": False, "track_running_stats": False}, (4, 2)),
    ("LazyBatchNorm2d", {"eps": 1e-3}, (4, 3, 2, 3)),
    ("LazyBatchNorm3d", {"bias": False}, (3, 2, 2, 3, 2)),
    ("LazyBatchNorm3d", {"affine": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", {"affine": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm2d", {"track_running_stats": False, "bias": False}, (3, 4, 4)),
    ("LazyInstanceNorm3d", {"momentum": 0.3}, (2, 2, 3, 3, 2)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), NORMS, ids=_ids(NORMS))
def test_lazy_norms_match_torch(name, kwargs, shape):
    cm = getattr(nn, name)(**kwargs)
    tm = getattr(torch.nn, name)(**kwargs, dtype=torch.float64)
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    x = _rng(4).standard_normal(shape) * 2 + 1
    batched = "Instance" not in name or len(shape) == max(cm._ndims)
    if not batched:  # torch's lazy InstanceNorm reads dim 1 of unbatched inputs: not comparable
        cm(cg.tensor(x))
        assert cm.num_features == shape[0]
        return
    _same_values_and_grads(tm, cm, x)  # first call: the defaults are deterministic
    plain = getattr(nn, name[4:])
    assert type(cm) is plain
    assert cm.num_features == shape[1]
    if tm.num_features:  # torch leaves it 0 when there was nothing to materialize
        assert repr(cm) == repr(tm)
    for k, v in cm.state_dict().items():
        np.testing.assert_allclose(v, tm.state_dict()[k].numpy(), atol=TOL, rtol=TOL)
    cm.eval(), tm.eval()
    _same_values_and_grads(tm, cm, x + 0.5, seed=3)


def test_lazy_instance_norm_unbatched_channels_at_dim_0():
    """torch's LazyInstanceNorm1d would infer num_features=L from a (C, L) input and
    fail; compgraph's takes C, and matches torch's plain InstanceNorm1d."""
    x = _rng(5).standard_normal((3, 6))
    cm = nn.LazyInstanceNorm1d()
    tm = torch.nn.InstanceNorm1d(3, affine=True, track_running_stats=True, dtype=torch.float64)
    _same_values_and_grads(tm, cm, x)
    assert type(cm) is nn.InstanceNorm1d and cm.weight.shape == (3,)


def test_uninitialized_parameter_as_torch():
    p = nn.UninitializedParameter()
    tp = torch.nn.UninitializedParameter()
    assert repr(p) == repr(tp) == "<UninitializedParameter>"
    assert isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64
    with pytest.raises(RuntimeError, match="Can't access the shape"):
        _ = p.shape
    with pytest.raises(ValueError, match="uninitialized parameter"):
        p + 1
    with pytest.raises(ValueError, match="uninitialized parameter"):
        cg.matmul(cg.ones((2, 3)), p)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        p.sum()
    p.materialize((2, 3))
    tp.materialize((2, 3))
    assert type(p) is nn.Parameter and type(tp) is torch.nn.Parameter
    assert p.shape == (2, 3) and p.requires_grad
    with pytest.raises(AttributeError):  # torch: 'Parameter' object has no attribute
        p.materialize((4,))
    with pytest.raises(AttributeError):
        tp.materialize((4,))
    q = nn.UninitializedParameter(requires_grad=False, dtype="float32")
    q.materialize(5, dtype="float64")
    assert q.shape == (5,) and q.dtype == np.float64 and not q.requires_grad
    with pytest.raises(TypeError, match="floating"):
        nn.UninitializedParameter(dtype="int64")
    with pytest.raises(ValueError, match="negative"):
        nn.UninitializedParameter().materialize((2, -1))
    with pytest.raises(ValueError, match="cpu"):
        nn.UninitializedParameter(device="cuda")


def test_uninitialized_buffer_becomes_a_buffer():
    b = nn.UninitializedBuffer(persistent=False)
    tb = torch.nn.UninitializedBuffer(persistent=False)
    assert repr(b) == repr(tb) == "<UninitializedBuffer>"
    assert not b.requires_grad and b.persistent is False
    with pytest.raises(RuntimeError, match="shape"):
        _ = b.shape
    b.materialize((3,), dtype="float32")
    tb.materialize((3,), dtype=torch.float32)
    assert isinstance(b, nn.Buffer) and isinstance(tb, torch.nn.Buffer)
    assert b.shape == (3,) and b.dtype == np.float32 and b.persistent is False


def test_wrong_shape_after_materialisation_is_refused():
    m = nn.LazyLinear(3, seed=0)
    m(cg.ones((2, 4)))
    with pytest.raises(ValueError):
        m(cg.ones((2, 5)))  # now a Linear(4, 3)
    with pytest.raises(AttributeError):
        m.weight.materialize((3, 5))
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict({"weight": np.zeros((3, 5)), "bias": np.zeros(3)})
    c = nn.LazyConv2d(2, 1)
    c(cg.ones((1, 4, 2, 2)))
    with pytest.raises(ValueError, match="Conv2d"):
        c(cg.ones((1, 3, 2, 2)))


def test_bad_first_inputs_leave_the_module_lazy():
    cases = [
        (nn.LazyLinear(3), np.ones(())),
        (nn.LazyLinear(3), np.ones((2, 0))),
        (nn.LazyConv2d(4, 3), np.ones((3, 5))),
        (nn.LazyConv2d(4, 3, groups=2), np.ones((1, 3, 5, 5))),
        (nn.LazyConvTranspose1d(2, 3), np.ones((1, 2, 3, 4))),
        (nn.LazyBatchNorm2d(), np.ones((2, 3, 4))),
        (nn.LazyInstanceNorm3d(), np.ones((2, 3))),
    ]
    for m, x in cases:
        cls = type(m)
        with pytest.raises(ValueError, match=cls.__name__):
            m(cg.tensor(x))
        assert type(m) is cls and m.has_uninitialized_params()
    with pytest.raises(TypeError, match="input"):
        nn.LazyLinear(3)()


def test_constructor_checks():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.LazyConv1d(3, 2, groups=2)
    with pytest.raises(ValueError, match="momentum"):
        nn.LazyBatchNorm1d(momentum=2.0)


@pytest.mark.parametrize("name", ["Conv1d", "Conv2d", "ConvTranspose2d"])
def test_padding_modes_follow_the_plain_class(name):
    """Where compgraph's plain class pads with zeros only, the lazy one refuses other
    modes when built; where it takes them, the lazy one matches torch."""
    args, kw = (4, 3), {"padding": 1, "padding_mode": "circular"}
    try:
        getattr(nn, name)(2, *args, **kw)
    except ValueError:
        with pytest.raises(ValueError, match="padding_mode|zeros"):
            getattr(nn, "Lazy" + name)(*args, **kw)
        return
    cm = getattr(nn, "Lazy" + name)(*args, **kw)
    tm = getattr(torch.nn, "Lazy" + name)(*args, **kw, dtype=torch.float64)
    assert repr(cm) == repr(tm)
    x = _rng(13).standard_normal((2, 2) + (5,) * (len(cm.kernel_size)))
    cm(cg.tensor(x))
    with torch.no_grad():
        tm(torch.tensor(x))
    tm.load_state_dict(_to_torch_state(cm))
    _same_values_and_grads(tm, cm, x)


def test_load_state_dict_materializes_a_lazy_module():
    tm = torch.nn.Linear(5, 3, dtype=torch.float64)
    state = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    cm = nn.LazyLinear(3)
    assert cm.load_state_dict(state) == ([], [])
    assert type(cm) is nn.LazyLinear and not cm.has_uninitialized_params()
    assert cm.in_features == 5 and cm.weight.shape == (3, 5)
    np.testing.assert_array_equal(cm.weight.data, state["weight"])
    x = _rng(6).standard_normal((2, 5))
    _same_values_and_grads(tm, cm, x)
    assert type(cm) is nn.Linear

    # the same in torch: the lazy module loads, and becomes a Linear at its first call
    tl = torch.nn.LazyLinear(3, dtype=torch.float64)
    tl.load_state_dict(tm.state_dict())
    tl(torch.tensor(x))
    assert type(tl) is torch.nn.Linear


def test_load_state_dict_materializes_conv_and_norm():
    tc = torch.nn.ConvTranspose2d(6, 4, 3, groups=2, dtype=torch.float64)
    cc = nn.LazyConvTranspose2d(4, 3, groups=2)
    cc.load_state_dict({k: v.detach().numpy() for k, v in tc.state_dict().items()})
    assert cc.in_channels == 6
    _same_values_and_grads(tc, cc, _rng(7).standard_normal((2, 6, 3, 3)))

    tc = torch.nn.Conv1d(6, 3, 3, groups=3, dtype=torch.float64)
    cc = nn.LazyConv1d(3, 3, groups=3)
    cc.load_state_dict({k: v.detach().numpy() for k, v in tc.state_dict().items()})
    assert cc.in_channels == 6 and cc.weight.shape == (3, 2, 3)

    tb = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    tb.running_mean.fill_(0.5)
    tb.weight.data.fill_(2.0)
    cb = nn.LazyBatchNorm2d()
    cb.load_state_dict({k: v.detach().numpy() for k, v in tb.state_dict().items()})
    np.testing.assert_array_equal(cb.running_mean, np.full(3, 0.5))
    cb.eval(), tb.eval()
    _same_values_and_grads(tb, cb, _rng(8).standard_normal((2, 3, 2, 2)))


def test_load_refuses_a_state_that_disagrees_with_the_options():
    """compgraph infers in_features and keeps out_features, so a weight of another
    out_features is a size mismatch (torch would take the state's shape)."""
    cm = nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="size mismatch"):
        cm.load_state_dict({"weight": np.zeros((4, 5)), "bias": np.zeros(4)})


def test_lazy_state_dict_round_trip_and_file_load(tmp_path):
    a, b = nn.LazyLinear(3), nn.LazyLinear(3)
    sd = a.state_dict()
    assert [v.shape for v in sd.values()] == [(0,), (0,)]  # placeholders
    b.load_state_dict(sd)
    assert b.has_uninitialized_params()
    assert a.state_dict(keep_vars=True)["weight"] is a.weight

    ref = nn.Conv2d(2, 5, 3, seed=1)
    path = str(tmp_path / "conv.npz")
    ref.save(path)
    c = nn.LazyConv2d(5, 3)
    c.load(path)
    assert c.in_channels == 2
    np.testing.assert_array_equal(c.weight.data, ref.weight.data)
    np.testing.assert_array_equal(c.bias.data, ref.bias.data)


def test_load_state_dict_into_a_container_of_lazy_modules():
    net = nn.Sequential(nn.LazyLinear(3), nn.ReLU())
    ref = nn.Sequential(nn.Linear(4, 3, seed=0), nn.ReLU())
    net.load_state_dict(ref.state_dict())
    np.testing.assert_array_equal(net[0].weight.data, ref[0].weight.data)


def test_lazy_modules_in_a_sequential():
    net = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    tnet = torch.nn.Sequential(
        torch.nn.LazyConv2d(4, 3, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.LazyLinear(2, dtype=torch.float64),
    )
    assert repr(net) == repr(tnet)
    x = _rng(9).standard_normal((2, 3, 5, 5))
    net(cg.tensor(x))
    with torch.no_grad():
        tnet(torch.tensor(x))
    assert repr(net) == repr(tnet)
    assert [type(m).__name__ for m in net] == ["Conv2d", "ReLU", "Flatten", "Linear"]
    tnet.load_state_dict(_to_torch_state(net))
    _same_values_and_grads(tnet, net, x)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizer_built_before_the_first_call(opt):
    cm = nn.LazyLinear(2, seed=0)
    tm = torch.nn.LazyLinear(2, dtype=torch.float64)
    kw = {"lr": 0.1, "momentum": 0.9} if opt == "SGD" else {"lr": 0.1}
    copt = getattr(cg.optim, opt)(cm.parameters(), **kw)
    topt = getattr(torch.optim, opt)(tm.parameters(), **kw)
    assert all(isinstance(p, nn.UninitializedParameter) for p in cm.parameters())
    x = _rng(10).standard_normal((4, 3))
    cm(cg.tensor(x))
    with torch.no_grad():
        tm(torch.tensor(x))
        for tp, cp in zip(tm.parameters(), cm.parameters()):
            tp.copy_(torch.tensor(cp.data))  # in place: the optimizer keeps its objects
    for _ in range(3):
        copt.zero_grad(), topt.zero_grad()
        (cm(cg.tensor(x)) ** 2).sum().backward()
        (tm(torch.tensor(x)) ** 2).sum().backward()
        copt.step(), topt.step()
    for tp, cp in zip(tm.parameters(), cm.parameters()):
        np.testing.assert_allclose(cp.data, tp.detach().numpy(), atol=TOL, rtol=TOL)


def test_dtype_change_before_the_first_call():
    m = nn.LazyLinear(3).float()
    bn = nn.LazyBatchNorm1d().float()
    assert m.weight.dtype == np.float32 and bn.running_mean.dtype == np.float32
    m(cg.ones((2, 4), dtype="float32"))
    bn(cg.ones((2, 4), dtype="float32"))
    assert m.weight.dtype == np.float32 and m.weight.shape == (3, 4)
    assert bn.weight.dtype == bn.running_var.dtype == np.float32
    assert nn.LazyConv1d(2, 1, dtype="float32").weight.dtype == np.float32


def test_deepcopy_of_a_lazy_module():
    m = nn.LazyBatchNorm1d()
    m2 = copy.deepcopy(m)
    m(cg.ones((2, 3)))
    assert type(m2) is nn.LazyBatchNorm1d and m2.has_uninitialized_params()
    m2(cg.ones((2, 5)))
    assert m2.num_features == 5 and m.num_features == 3


def test_uninitialized_buffer_placeholder_refuses_computation():
    bn = nn.LazyBatchNorm1d()
    with pytest.raises(ValueError, match="uninitialized"):
        bn.running_mean + 1
    assert bn.running_mean.shape == (0,)


class _LazyScale(nn.LazyModuleMixin):
    """A custom lazy module, as users write them with torch's LazyModuleMixin."""

    def __init__(self):
        super().__init__()
        self.scale = nn.UninitializedParameter()
        self.offset = nn.UninitializedBuffer()

    def initialize_parameters(self, x):
        if self.has_uninitialized_params():
            self.scale.materialize(x.shape[-1:])
            self.scale.data[...] = 2.0
            self.register_buffer("offset", np.ones(x.shape[-1]))

    def forward(self, x):
        return x * self.scale + self.offset


def test_custom_lazy_module():
    m = _LazyScale()
    assert list(m.state_dict()) == ["scale", "offset"] and m.has_uninitialized_params()
    y = m(cg.ones((2, 3)))
    np.testing.assert_array_equal(y.data, np.full((2, 3), 3.0))
    assert type(m) is _LazyScale and not m.has_uninitialized_params()
    np.testing.assert_array_equal(m(cg.ones(3)).data, np.full(3, 3.0))

    class Broken(nn.LazyModuleMixin):
        def __init__(self):
            super().__init__()
            self.w = nn.UninitializedParameter()

        def initialize_parameters(self, x):
            pass

    with pytest.raises(RuntimeError, match="not been fully initialized"):
        Broken()(cg.ones(2))
    with pytest.raises(NotImplementedError, match="initialize_parameters"):
        nn.LazyModuleMixin()(cg.ones(2))

    n = _LazyScale()
    n.load_state_dict({"scale": np.full(4, 5.0), "offset": np.zeros(4)})
    assert not n.has_uninitialized_params() and n.scale.shape == (4,)
    np.testing.assert_array_equal(n(cg.ones(4)).data, np.full(4, 5.0))


# ------------------------------------------------------------------ Buffer
def test_buffer_registration_and_persistence():
    b = nn.Buffer(np.arange(3.0))
    assert isinstance(b, cg.Tensor) and b.persistent is True and not b.requires_grad
    np.testing.assert_array_equal(b.data, np.arange(3.0))
    q = nn.Buffer(np.ones(2), persistent=False)
    assert q.persistent is False
    assert nn.Buffer().shape == (0,)
    assert nn.Buffer(cg.ones(2, requires_grad=True)).requires_grad

    tm = torch.nn.Module()
    tm.a = torch.nn.Buffer(torch.arange(3.0, dtype=torch.float64))
    tm.b = torch.nn.Buffer(torch.ones(2, dtype=torch.float64), persistent=False)
    cm = nn.Module()
    for name, buf in (("a", b), ("b", q)):
        cm.register_buffer(name, buf, buf.persistent)
    assert list(cm.state_dict()) == list(tm.state_dict()) == ["a"]
    assert [n for n, _ in cm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    np.testing.assert_array_equal(cm.state_dict()["a"], tm.state_dict()["a"].numpy())


def test_buffer_assignment_in_a_lazy_module_registers_it():
    m = _LazyScale()
    m.extra = nn.Buffer(np.ones(2), persistent=False)
    m.kept = nn.Buffer(np.zeros(1))
    assert [n for n, _ in m.named_buffers()] == ["offset", "extra", "kept"]
    assert list(m.state_dict()) == ["scale", "offset", "kept"]
    m.x = 1
    with pytest.raises(KeyError, match="already exists"):  # torch's error too
        m.x = nn.Buffer(np.ones(1))


def test_buffer_assignment_registers_it():
    m = nn.Module()
    m.b = nn.Buffer(np.ones(2), persistent=False)
    m.c = nn.Buffer(np.ones(1))
    assert [n for n, _ in m.named_buffers()] == ["b", "c"]
    assert list(m.state_dict()) == ["c"]


# ------------------------------------------------------------------ wrappers and bases
def test_data_parallel_as_torch_without_gpus():
    cm = nn.DataParallel(nn.Linear(3, 2, seed=0), device_ids=[0, 1], output_device=0, dim=1)
    tm = torch.nn.DataParallel(torch.nn.Linear(3, 2, dtype=torch.float64), device_ids=None)
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict()) == ["module.weight", "module.bias"]
    assert cm.device_ids == tm.device_ids == []
    assert cm.dim == 1 and cm.output_device == 0
    assert cm.module.out_features == 2
    tm.load_state_dict(_to_torch_state(cm))
    _same_values_and_grads(tm, cm, _rng(11).standard_normal((4, 3)))
    _same_values_and_grads(tm, cm, _rng(12).standard_normal(3))
    with pytest.raises(TypeError, match="DataParallel"):
        nn.DataParallel(lambda x: x)


def test_data_parallel_passes_keyword_arguments():
    class Add(nn.Module):
        def forward(self, x, y=0.0):
            return x + y

    dp = nn.DataParallel(Add())
    np.testing.assert_array_equal(dp(cg.ones(2), y=2.0).data, np.full(2, 3.0))


def test_container_is_a_deprecated_module():
    with pytest.warns(FutureWarning, match="deprecated"):
        c = nn.Container(a=nn.Linear(2, 3, seed=0), b=nn.ReLU())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t = torch.nn.Container(a=torch.nn.Linear(2, 3), b=torch.nn.ReLU())
    assert repr(c) == repr(t)
    assert list(c.state_dict()) == list(t.state_dict()) == ["a.weight", "a.bias"]
    assert isinstance(c, nn.Module)


def test_rnn_base_classes():
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        m = cls(3, 4)
        assert isinstance(m, nn.RNNBase) and not isinstance(m, nn.RNNCellBase)
    for cls in (nn.RNNCell, nn.LSTMCell, nn.GRUCell):
        m = cls(3, 4)
        assert isinstance(m, nn.RNNCellBase) and not isinstance(m, nn.RNNBase)
    assert issubclass(nn.RNNBase, nn.Module) and issubclass(nn.RNNCellBase, nn.Module)
    assert isinstance(torch.nn.LSTM(3, 4), torch.nn.RNNBase)
    assert isinstance(torch.nn.GRUCell(3, 4), torch.nn.RNNCellBase)


def test_torch_names_are_exported():
    names = [
        "UninitializedParameter", "UninitializedBuffer", "Buffer", "LazyLinear",
        "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
        "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
        "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d",
        "RNNBase", "RNNCellBase", "Container", "DataParallel",
    ]  # fmt: skip
    for n in names:
        assert hasattr(torch.nn, n) and hasattr(nn, n), n
        if n.startswith("Lazy"):
            assert getattr(nn, n).cls_to_become is getattr(nn, n[4:])


def test_hooks_registered_before_the_first_call_stay():
    m = nn.LazyLinear(2, seed=0)
    seen = []
    m.register_forward_pre_hook(lambda mod, args: seen.append(type(mod).__name__))
    m.register_forward_hook(lambda mod, args, out: out * 0)
    y = m(cg.ones((3, 4)))
    assert seen == ["Linear"]  # the pre-hooks run after the materialisation, as torch's
    np.testing.assert_array_equal(y.data, np.zeros((3, 2)))
    m(cg.ones((3, 4)))
    assert seen == ["Linear", "Linear"]
