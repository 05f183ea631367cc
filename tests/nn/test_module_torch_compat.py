"""Module, containers and DataLoader behave like their PyTorch 2.x counterparts.

One section per audit finding: DataLoader over one array, buffer reassignment,
zero_grad(set_to_none=False), load_state_dict errors and return value, state_dict
order, the common Module API (with ModuleList / Sequential), frozen parameters.
"""
from collections import OrderedDict

import numpy as np
import pytest

import compgraph as cg
from compgraph.nn import IncompatibleKeys, ModuleList, StateDictError
from helpers import same_state

torch = pytest.importorskip("torch")
tnn = torch.nn
nn = cg.nn


def mlp(seed=0):
    return nn.Sequential(nn.Linear(2, 8, seed=seed), nn.BatchNorm1d(8), nn.ReLU(),
                         nn.Linear(8, 3, seed=seed + 1))


def torch_mlp():
    return tnn.Sequential(tnn.Linear(2, 8), tnn.BatchNorm1d(8), tnn.ReLU(), tnn.Linear(8, 3))


class Block(nn.Module):
    """Own parameter and buffer set before and after children: order must follow torch."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.body = nn.Sequential(nn.Linear(3, 3, seed=0), nn.BatchNorm1d(3))
        self.register_buffer("count", np.zeros((), np.int64))
        self.head = nn.Linear(3, 2, seed=1)

    def forward(self, x):
        return self.head(self.body(x * self.scale))


class TBlock(tnn.Module):
    def __init__(self):
        super().__init__()
        self.scale = tnn.Parameter(torch.ones(3))
        self.body = tnn.Sequential(tnn.Linear(3, 3), tnn.BatchNorm1d(3))
        self.register_buffer("count", torch.zeros((), dtype=torch.int64))
        self.head = tnn.Linear(3, 2)


# --------------------------------------------------------------------------- 1. DataLoader
def test_dataloader_single_array_yields_batches_like_torch():
    x = np.arange(14.0).reshape(7, 2)
    ours = list(cg.data.DataLoader(x, batch_size=3))
    theirs = list(torch.utils.data.DataLoader(torch.tensor(x), batch_size=3))
    assert len(ours) == len(theirs) == 3
    for b, tb in zip(ours, theirs):
        assert isinstance(b, np.ndarray)  # the batch itself, not a 1-tuple
        np.testing.assert_array_equal(b, tb.numpy())
    # a Tensor is one array too; as_tensors wraps each batch
    tb = list(cg.data.DataLoader(cg.tensor(x), batch_size=4, as_tensors=True))
    assert [type(b) for b in tb] == [cg.Tensor, cg.Tensor] and tb[0].shape == (4, 2)
    assert [b.shape for b in cg.data.DataLoader(cg.tensor(x), batch_size=4)] == [(4, 2), (3, 2)]
    # 1-D: batches of scalars, not rows of one element
    assert [b.tolist() for b in cg.data.DataLoader(np.arange(5), batch_size=2)] == [
        [0, 1], [2, 3], [4]]


def test_dataloader_single_array_shuffle_covers_every_sample_and_drop_last():
    x = np.arange(23)
    loader = cg.data.DataLoader(x, batch_size=5, shuffle=True, seed=0)
    a, b = np.concatenate(list(loader)), np.concatenate(list(loader))
    assert sorted(a.tolist()) == list(range(23)) and not np.array_equal(a, b)
    again = np.concatenate(list(cg.data.DataLoader(x, batch_size=5, shuffle=True, seed=0)))
    np.testing.assert_array_equal(a, again)
    dropped = cg.data.DataLoader(x, batch_size=5, drop_last=True)
    assert len(dropped) == 4 and all(len(bt) == 5 for bt in dropped)


def test_dataloader_tuples_and_lists_unchanged():
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    for arrays in ((x, y), [x, y]):
        batches = list(cg.data.DataLoader(arrays, batch_size=2))
        assert all(isinstance(bt, tuple) and len(bt) == 2 for bt in batches)
        np.testing.assert_array_equal(np.concatenate([bt[1] for bt in batches]), y)
    one = next(iter(cg.data.DataLoader((y,), batch_size=2)))
    assert isinstance(one, tuple) and len(one) == 1  # an explicit 1-tuple stays a tuple


def test_dataloader_batch_size_none_yields_single_samples_like_torch():
    x = np.arange(12.0).reshape(6, 2)
    ours = list(cg.data.DataLoader(x, batch_size=None))
    theirs = list(torch.utils.data.DataLoader(torch.tensor(x), batch_size=None))
    assert len(cg.data.DataLoader(x, batch_size=None)) == len(ours) == len(theirs) == 6
    for s, ts in zip(ours, theirs):
        assert s.shape == tuple(ts.shape) == (2,)
        np.testing.assert_array_equal(s, ts.numpy())
    ours[0][0] = -1.0  # a copy: the data set is untouched
    assert x[0, 0] == 0.0
    pairs = list(cg.data.DataLoader((x, np.arange(6)), batch_size=None, shuffle=True, seed=1))
    assert sorted(int(yi) for _, yi in pairs) == list(range(6))
    assert all(isinstance(yi, np.ndarray) and yi.shape == () for _, yi in pairs)
    assert all(np.array_equal(xi, x[int(yi)]) for xi, yi in pairs)
    with pytest.raises(ValueError, match="drop_last"):
        cg.data.DataLoader(x, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="drop_last"):
        torch.utils.data.DataLoader(torch.tensor(x), batch_size=None, drop_last=True)


@pytest.mark.parametrize("bs", [0, -1, 2.5, True, "4"])
def test_dataloader_bad_batch_size(bs):
    with pytest.raises(ValueError, match="batch_size"):
        cg.data.DataLoader(np.zeros(4), batch_size=bs)
    if not isinstance(bs, str):
        with pytest.raises(ValueError, match="batch_size"):
            torch.utils.data.DataLoader(torch.zeros(4), batch_size=bs)


def test_dataloader_validates_arrays():
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        cg.data.DataLoader((np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match=r"\[3, 3, 2\]"):
        cg.data.DataLoader([np.ones(3), np.ones((3, 2)), np.ones(2)])
    with pytest.raises(ValueError, match="not an array"):
        cg.data.DataLoader([1.0, 2.0, 3.0])  # a list means several arrays
    with pytest.raises(ValueError, match="single value"):
        cg.data.DataLoader(np.float64(3.0))
    with pytest.raises(ValueError, match="at least one"):
        cg.data.DataLoader([])


# --------------------------------------------------------------------------- 2. buffers
def test_reassigned_buffer_stays_registered_like_torch():
    bn, tb = nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    bn.running_mean = np.ones(3)
    tb.running_mean = torch.ones(3)
    assert list(bn.state_dict()) == list(tb.state_dict())
    assert [n for n, _ in bn.named_buffers()] == [n for n, _ in tb.named_buffers()]
    np.testing.assert_array_equal(bn.state_dict()["running_mean"], np.ones(3))
    assert bn.running_mean is bn._buffers["running_mean"]
    # the layer keeps using (and updating) the new buffer
    bn.train()
    bn(cg.tensor(np.random.default_rng(0).normal(size=(4, 3))))
    assert not np.array_equal(bn.state_dict()["running_mean"], np.ones(3))
    # loading writes into the reassigned buffer
    sd = bn.state_dict()
    sd["running_mean"] = np.full(3, 7.0)
    bn.load_state_dict(sd)
    np.testing.assert_array_equal(bn.running_mean, np.full(3, 7.0))


def test_buffer_assignment_copies_and_converts():
    bn = nn.BatchNorm1d(3)
    mine = np.ones(3)
    bn.running_mean = mine
    bn.train()
    bn(cg.tensor(np.random.default_rng(0).normal(size=(4, 3))))
    np.testing.assert_array_equal(mine, np.ones(3))  # stored as a copy: caller's array untouched
    bn.running_var = cg.tensor([2.0, 2.0, 2.0])  # a Tensor: its data
    assert isinstance(bn.running_var, np.ndarray) and "running_var" in bn.state_dict()
    bn.num_batches_tracked = bn.num_batches_tracked + 1  # NumPy scalar -> 0-d array
    assert isinstance(bn.num_batches_tracked, np.ndarray) and bn.num_batches_tracked.shape == ()
    bn(cg.tensor(np.random.default_rng(1).normal(size=(4, 3))))  # in-place += still works
    assert int(bn.state_dict()["num_batches_tracked"]) == 3


@pytest.mark.parametrize("value", [0.5, [0.0, 0.0, 0.0], "zeros"])
def test_non_array_assigned_to_buffer_raises_type_error_like_torch(value):
    bn, tb = nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    with pytest.raises(TypeError, match="buffer 'running_mean'"):
        bn.running_mean = value
    with pytest.raises(TypeError):
        tb.running_mean = value
    assert "running_mean" in bn.state_dict()  # unchanged after the refusal
    with pytest.raises(TypeError, match="dtype"):
        bn.running_mean = np.array([None, None, None], dtype=object)


def test_buffer_set_to_none_parameter_or_deleted_like_torch():
    bn, tb = nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    bn.running_mean, tb.running_mean = None, None
    assert list(bn.state_dict()) == list(tb.state_dict())
    assert [n for n, _ in bn.named_buffers()] == [n for n, _ in tb.named_buffers()]
    bn.running_mean = np.zeros(3)  # still a buffer name: registered again
    assert "running_mean" in bn.state_dict()
    bn2, tb2 = nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    bn2.running_mean = nn.Parameter(np.zeros(3))
    tb2.running_mean = tnn.Parameter(torch.zeros(3))
    assert [n for n, _ in bn2.named_parameters()] == [n for n, _ in tb2.named_parameters()]
    assert list(bn2.state_dict()) == list(tb2.state_dict())
    del bn2.running_var
    assert "running_var" not in bn2.state_dict() and not hasattr(bn2, "running_var")


def test_parameter_and_module_slots_check_types_like_torch():
    lin, tl = nn.Linear(2, 2, seed=0), tnn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        lin.weight = cg.tensor(np.zeros((2, 2)))
    with pytest.raises(TypeError):
        tl.weight = torch.zeros(2, 2)
    lin.bias, tl.bias = None, None
    assert [n for n, _ in lin.named_parameters()] == [n for n, _ in tl.named_parameters()]
    assert list(lin.state_dict()) == list(tl.state_dict()) == ["weight"]
    b, tb = Block(), TBlock()
    with pytest.raises(TypeError, match="child module 'head'"):
        b.head = 3
    with pytest.raises(TypeError):
        tb.head = 3
    b.head, tb.head = None, None  # None keeps the slot, as torch
    assert list(b.state_dict()) == list(tb.state_dict())
    seq, tseq = nn.Sequential(nn.ReLU()), tnn.Sequential(tnn.ReLU())
    with pytest.raises(TypeError):
        seq[0] = 3
    with pytest.raises(TypeError):
        tseq[0] = 3


def test_register_buffer_persistent_and_name_checks_like_torch():
    lin, tl = nn.Linear(2, 2, seed=0), tnn.Linear(2, 2)
    lin.register_buffer("scratch", np.zeros(2), persistent=False)
    tl.register_buffer("scratch", torch.zeros(2), persistent=False)
    lin.register_buffer("kept", [1.0, 2.0])  # register_buffer converts array-likes
    tl.register_buffer("kept", torch.tensor([1.0, 2.0]))
    assert [n for n, _ in lin.named_buffers()] == [n for n, _ in tl.named_buffers()]
    assert list(lin.state_dict()) == list(tl.state_dict()) == ["weight", "bias", "kept"]
    lin.load_state_dict(lin.state_dict())  # the non-persistent buffer is not expected
    lin.scratch = np.ones(2)  # reassigning keeps it non-persistent
    assert "scratch" not in lin.state_dict()
    for bad, err in (("weight", KeyError), ("a.b", KeyError), ("", KeyError), (3, TypeError)):
        with pytest.raises(err):
            lin.register_buffer(bad, np.zeros(1))
        with pytest.raises(err):
            tl.register_buffer(bad, torch.zeros(1))


# --------------------------------------------------------------------------- 3. zero_grad
def test_zero_grad_set_to_none_false_zeroes_in_place_like_torch():
    m, tm = mlp(), torch_mlp().double()
    with torch.no_grad():
        for p, tp in zip(m.parameters(), tm.parameters()):
            tp.copy_(torch.tensor(p.data))
    m[3].bias.requires_grad_(False)  # no gradient: stays None, as in torch
    tm[3].bias.requires_grad_(False)
    x = np.random.default_rng(0).normal(size=(5, 2))
    (m(cg.tensor(x)) ** 2).sum().backward()
    (tm(torch.tensor(x)) ** 2).sum().backward()
    grads = [p.grad for p in m.parameters()]
    arrays = [None if g is None else g.data for g in grads]
    m.zero_grad(set_to_none=False)
    tm.zero_grad(set_to_none=False)
    for p, tp, g, arr in zip(m.parameters(), tm.parameters(), grads, arrays):
        assert (p.grad is None) == (tp.grad is None)
        if g is not None:
            assert p.grad is g and p.grad.data is arr  # the same Tensor and array
            np.testing.assert_array_equal(arr, tp.grad.numpy())
            assert not arr.any()
    m.zero_grad()  # default: set_to_none=True, as torch 2.x
    tm.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert all(tp.grad is None for tp in tm.parameters())


def test_zero_grad_in_place_scalar_and_create_graph_gradients():
    class Scalar(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(2.0)

        def forward(self, x):
            return x * self.s * self.s

    m = Scalar()
    m(cg.tensor(3.0)).backward()
    assert float(m.s.grad.data) == 12.0
    m.zero_grad(set_to_none=False)
    assert float(m.s.grad.data) == 0.0
    m(cg.tensor(3.0)).backward()  # accumulates onto the zero
    assert float(m.s.grad.data) == 12.0
    m.zero_grad()
    m(cg.tensor(3.0)).backward(create_graph=True)
    assert m.s.grad.grad_fn is not None
    m.zero_grad(set_to_none=False)
    assert m.s.grad.grad_fn is None and m.s.grad.is_leaf and float(m.s.grad.data) == 0.0


# --------------------------------------------------------------------------- 4. load_state_dict
def test_load_state_dict_strict_errors_like_torch():
    m, tm = mlp(), torch_mlp()
    before = m.state_dict()
    state = mlp(5).state_dict()
    del state["3.bias"]
    state["5.weight"] = np.zeros(3)
    state["0.weight"] = np.zeros((8, 2, 1))
    tstate = {k: torch.tensor(v) for k, v in state.items()}
    with pytest.raises(RuntimeError) as ours:
        m.load_state_dict(state)
    with pytest.raises(RuntimeError) as theirs:
        tm.load_state_dict(tstate)
    msg, tmsg = str(ours.value), str(theirs.value)
    for part in ('Missing key(s) in state_dict: "3.bias"',
                 'Unexpected key(s) in state_dict: "5.weight"',
                 "size mismatch for 0.weight"):
        assert part in msg and part in tmsg
    assert msg.index("Missing") < msg.index("Unexpected") < msg.index("size mismatch")
    assert "(8, 2, 1)" in msg and "(8, 2)" in msg and "Nothing was loaded" in msg
    assert same_state(m, mlp()) and all(np.array_equal(before[k], v)
                                        for k, v in m.state_dict().items())
    err = ours.value
    assert err.missing_keys == ["3.bias"] and err.unexpected_keys == ["5.weight"]
    assert err.mismatched == [("0.weight", (8, 2, 1), (8, 2))]
    # Also a KeyError and a ValueError, so code written for earlier compgraph still catches it
    assert isinstance(err, StateDictError) and isinstance(err, KeyError)
    assert isinstance(err, ValueError) and not msg.startswith("'")


def test_load_state_dict_returns_incompatible_keys_like_torch():
    m, tm = mlp(), torch_mlp()
    state = mlp(5).state_dict()
    del state["1.running_var"], state["3.bias"]
    state["extra"] = np.zeros(1)
    ours = m.load_state_dict(state, strict=False)
    theirs = tm.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert ours.missing_keys == theirs.missing_keys == ["1.running_var", "3.bias"]
    assert ours.unexpected_keys == theirs.unexpected_keys == ["extra"]
    missing, unexpected = ours  # a named tuple
    assert (missing, unexpected) == (ours.missing_keys, ours.unexpected_keys)
    assert isinstance(ours, tuple) and ours._fields == theirs._fields
    np.testing.assert_array_equal(m[0].weight.data, mlp(5)[0].weight.data)  # matching keys loaded
    ok = m.load_state_dict(mlp(2).state_dict())
    tok = tm.load_state_dict(torch_mlp().state_dict())
    assert ok == IncompatibleKeys([], []) and ok.missing_keys == tok.missing_keys == []
    assert repr(ok) == repr(tok) == "<All keys matched successfully>"


def test_load_state_dict_shape_mismatch_raises_even_when_not_strict_like_torch(tmp_path):
    m, tm = mlp(), torch_mlp()
    state = mlp(5).state_dict()
    state["1.running_mean"] = np.zeros(7)
    with pytest.raises(RuntimeError, match="size mismatch for 1.running_mean"):
        m.load_state_dict(state, strict=False)
    with pytest.raises(RuntimeError, match="size mismatch for 1.running_mean"):
        tm.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert same_state(m, mlp())  # nothing loaded, not even the matching keys
    np.savez(tmp_path / "bad.npz", **state)
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load(str(tmp_path / "bad.npz"))
    assert same_state(m, mlp())
    m.save(str(tmp_path / "good.npz"))
    assert mlp(3).load(str(tmp_path / "good.npz")) == ([], [])


def test_load_state_dict_accepts_tensors_and_checks_input():
    m = mlp()
    state = {k: cg.tensor(v) for k, v in mlp(4).state_dict().items()}
    m.load_state_dict(state)
    assert same_state(m, mlp(4))
    with pytest.raises(TypeError, match="mapping"):
        m.load_state_dict([("0.weight", np.zeros((8, 2)))])
    bad = mlp(4).state_dict()
    bad["0.bias"] = np.array([None] * 8, dtype=object)
    with pytest.raises(RuntimeError, match="0.bias"):
        m.load_state_dict(bad)


# --------------------------------------------------------------------------- 5. state_dict order
def test_state_dict_order_module_by_module_like_torch():
    assert list(mlp().state_dict()) == list(torch_mlp().state_dict())
    assert list(Block().state_dict()) == list(TBlock().state_dict())
    assert [n for n, _ in Block().named_parameters()] == [
        n for n, _ in TBlock().named_parameters()]
    assert [n for n, _ in Block().named_buffers()] == [n for n, _ in TBlock().named_buffers()]


def test_state_dict_lists_shared_modules_under_each_name_like_torch():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, seed=0)
            self.b = self.a

    class TTied(tnn.Module):
        def __init__(self):
            super().__init__()
            self.a = tnn.Linear(2, 2)
            self.b = self.a

    t = Tied()
    assert list(t.state_dict()) == list(TTied().state_dict())
    assert [n for n, _ in t.named_parameters()] == [n for n, _ in TTied().named_parameters()]
    t.load_state_dict(t.state_dict())
    sd = t.state_dict(keep_vars=True)
    assert sd["a.weight"] is t.a.weight and sd["b.weight"] is t.a.weight
    assert list(t.state_dict(prefix="net.")) == ["net.a.weight", "net.a.bias", "net.b.weight",
                                                 "net.b.bias"]


# --------------------------------------------------------------------------- 6. Module API
def test_discovery_api_matches_torch_names():
    b, tb = Block(), TBlock()
    names = lambda it: [n for n, _ in it]  # noqa: E731
    assert names(b.named_modules()) == names(tb.named_modules())
    assert names(b.named_children()) == names(tb.named_children())
    assert [type(c).__name__ for c in b.children()] == [type(c).__name__ for c in tb.children()]
    kinds = [type(c).__name__ for c in b.modules()]
    assert kinds[1:] == [type(c).__name__ for c in tb.modules()][1:] and kinds[0] == "Block"
    assert names(b.named_buffers()) == names(tb.named_buffers())
    assert len(b.buffers()) == len(list(tb.buffers())) == 4
    assert all(isinstance(x, np.ndarray) for x in b.buffers())
    assert names(b.named_parameters(recurse=False)) == names(tb.named_parameters(recurse=False))
    assert len(b.parameters(recurse=False)) == 1 and b.parameters(recurse=False)[0] is b.scale
    assert len(b.buffers(recurse=False)) == 1
    assert names(b.named_buffers(recurse=False)) == names(tb.named_buffers(recurse=False))
    assert names(b.named_modules(prefix="m")) == names(tb.named_modules(prefix="m"))


def test_apply_visits_children_first_like_torch():
    seen, tseen = [], []
    b, tb = Block(), TBlock()
    assert b.apply(lambda m: seen.append(type(m).__name__)) is b
    tb.apply(lambda m: tseen.append(type(m).__name__))
    assert seen[:-1] == tseen[:-1] == ["Linear", "BatchNorm1d", "Sequential", "Linear"]
    assert (seen[-1], tseen[-1]) == ("Block", "TBlock")  # the root last

    def reset(m):
        if isinstance(m, nn.Linear):
            m.weight.data[...] = 0.5

    b.apply(reset)
    assert np.all(b.head.weight.data == 0.5) and np.all(b.body[0].weight.data == 0.5)


def test_requires_grad_on_module():
    m = mlp()
    assert m.requires_grad_(False) is m
    assert len(m.parameters()) == 6 and not any(p.requires_grad for p in m.parameters())
    m[0].requires_grad_()
    assert [p.requires_grad for p in m.parameters()] == [True, True, False, False, False, False]


def test_forward_hooks():
    lin = nn.Linear(2, 2, seed=0)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = lin.register_forward_hook(lambda mod, args, out: calls.append((mod, out.shape)))
    h3 = lin.register_forward_hook(lambda mod, args, out: out + 1)
    x = cg.tensor(np.ones((3, 2)))
    y = lin(x)
    ref = np.asarray(cg.tensor(np.full((3, 2), 2.0)) @ lin.weight.T + lin.bias) + 1
    np.testing.assert_allclose(np.asarray(y.data), np.asarray(ref.data), rtol=1e-12)
    assert calls == [(lin, (3, 2))]
    for h in (h1, h2, h3):
        h.remove()
    h1.remove()  # a second remove does nothing
    np.testing.assert_allclose(np.asarray(lin(x).data),
                               np.asarray((x @ lin.weight.T + lin.bias).data), rtol=1e-12)
    assert len(calls) == 1
    # the same contract as torch: a pre-hook returning one value replaces the single argument
    tl = tnn.Linear(2, 2)
    tl.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    assert torch.equal(tl(torch.ones(1, 2)), tl.bias.detach().reshape(1, 2))
    lin.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    np.testing.assert_allclose(np.asarray(lin(x).data)[0], lin.bias.data)


def test_module_list_like_torch():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = ModuleList([nn.Linear(2, 2, seed=k) for k in range(2)])
            self.layers.append(nn.ReLU())
            self.layers.extend([nn.Linear(2, 3, seed=5)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    class TStack(tnn.Module):
        def __init__(self):
            super().__init__()
            self.layers = tnn.ModuleList([tnn.Linear(2, 2) for _ in range(2)])
            self.layers.append(tnn.ReLU())
            self.layers.extend([tnn.Linear(2, 3)])

    s, ts = Stack(), TStack()
    assert list(s.state_dict()) == list(ts.state_dict())
    assert [n for n, _ in s.named_parameters()] == [n for n, _ in ts.named_parameters()]
    assert len(s.parameters()) == 6 and len(s.layers) == 4
    assert isinstance(s.layers[2], nn.ReLU) and s.layers[-1] is s.layers[3]
    assert s(cg.tensor(np.ones((1, 2)))).shape == (1, 3)
    sl = s.layers[1:3]
    assert isinstance(sl, ModuleList) and [type(m).__name__ for m in sl] == ["Linear", "ReLU"]
    assert list(sl.state_dict()) == list(ts.layers[1:3].state_dict()) == ["0.weight", "0.bias"]
    with pytest.raises(IndexError):
        s.layers[4]
    with pytest.raises(IndexError):
        ts.layers[4]
    del s.layers[0]
    del ts.layers[0]
    assert list(s.state_dict()) == list(ts.state_dict())  # renumbered, as torch
    assert s.layers[0] is getattr(s.layers, "0")  # attribute access follows the renumbering
    s.layers.insert(0, nn.Tanh())
    ts.layers.insert(0, tnn.Tanh())
    assert list(s.state_dict()) == list(ts.state_dict())
    assert isinstance(s.layers.pop(0), nn.Tanh) and len(s.layers) == 3
    s.layers[0] = nn.Linear(2, 2, seed=9)
    assert np.array_equal(s.layers[0].weight.data, nn.Linear(2, 2, seed=9).weight.data)
    assert len(s.layers + ModuleList([nn.ReLU()])) == 4
    with pytest.raises(TypeError):
        s.layers.append("relu")
    with pytest.raises(TypeError):
        ModuleList(nn.ReLU())
    with pytest.raises(NotImplementedError):
        s.layers(cg.tensor(np.ones(2)))


def test_sequential_slicing_append_and_ordered_dict_like_torch():
    net, tnet = mlp(), torch_mlp()
    head = net[0:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head[0] is net[0] and head[1] is net[1]
    assert list(net[1:].state_dict()) == list(tnet[1:].state_dict())  # names kept, as torch
    x = cg.tensor(np.random.default_rng(0).normal(size=(4, 2)))
    net.eval()
    np.testing.assert_array_equal(np.asarray(net[2:](net[:2](x)).data), np.asarray(net(x).data))
    assert net.append(nn.Tanh()) is net and len(net) == 5 and isinstance(net[-1], nn.Tanh)
    tnet.append(tnn.Tanh())
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [type(m) for m in net][-1] is nn.Tanh
    with pytest.raises(IndexError):
        net[5]

    layers = OrderedDict([("fc1", nn.Linear(2, 4, seed=0)), ("act", nn.ReLU()),
                          ("fc2", nn.Linear(4, 1, seed=1))])
    tlayers = OrderedDict([("fc1", tnn.Linear(2, 4)), ("act", tnn.ReLU()),
                           ("fc2", tnn.Linear(4, 1))])
    named, tnamed = nn.Sequential(layers), tnn.Sequential(tlayers)
    assert list(named.state_dict()) == list(tnamed.state_dict()) == [
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert named.fc1 is layers["fc1"] and named[2] is layers["fc2"]
    assert named(x).shape == (4, 1)
    assert list(named[1:].state_dict()) == list(tnamed[1:].state_dict()) == [
        "fc2.weight", "fc2.bias"]
    del named[0]
    del tnamed[0]
    assert list(named.state_dict()) == list(tnamed.state_dict())  # renumbered to "0", "1"
    named.insert(0, nn.Linear(2, 4, seed=3))
    tnamed.insert(0, tnn.Linear(2, 4))
    assert list(named.state_dict()) == list(tnamed.state_dict())
    assert named(x).shape == (4, 1)
    assert len(named + nn.Sequential(nn.ReLU())) == 4
    with pytest.raises(TypeError):
        nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", 3)]))


# --------------------------------------------------------------------------- 7. frozen
def test_frozen_parameter_stays_listed_and_gets_no_gradient_like_torch():
    m, tm = mlp(), torch_mlp().double()
    with torch.no_grad():
        for p, tp in zip(m.parameters(), tm.parameters()):
            tp.copy_(torch.tensor(p.data))
    m[0].weight.requires_grad_(False)
    tm[0].weight.requires_grad_(False)
    assert len(m.parameters()) == len(list(tm.parameters())) == 6
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert "0.weight" in m.state_dict()
    x = np.random.default_rng(1).normal(size=(5, 2))
    (m(cg.tensor(x)) ** 2).sum().backward()
    (tm(torch.tensor(x)) ** 2).sum().backward()
    for p, tp in zip(m.parameters(), tm.parameters()):
        assert (p.grad is None) == (tp.grad is None)
        if p.grad is not None:
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert m[0].weight.grad is None
    # an optimiser over the trainable parameters leaves the frozen one alone
    frozen = m[0].weight.data.copy()
    cg.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.1).step()
    np.testing.assert_array_equal(m[0].weight.data, frozen)
    p = nn.Parameter(np.ones(2), requires_grad=False)
    tp = tnn.Parameter(torch.ones(2), requires_grad=False)
    assert p.requires_grad == tp.requires_grad is False and p.is_leaf


def test_to_float_and_double_cast_parameters_and_buffers_in_place():
    net = cg.nn.Sequential(cg.nn.Linear(3, 4, seed=0), cg.nn.BatchNorm1d(4))
    params = net.parameters()
    opt = cg.optim.SGD(params, lr=0.1)
    assert net.float() is net
    assert all(p.data.dtype == np.float32 for p in net.parameters())
    assert net[1].running_mean.dtype == np.float32
    assert net[1].num_batches_tracked.dtype == np.int64   # integer buffers keep their type
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]  # same objects
    loss = net(cg.tensor(np.ones((2, 3), np.float32))).sum()
    loss.backward()
    opt.step()
    assert all(p.data.dtype == np.float32 for p in params)
    net.double()
    assert net(cg.tensor(np.ones((2, 3)))).numpy().dtype == np.float64
    with pytest.raises(TypeError, match="floating"):
        net.to(np.int32)
