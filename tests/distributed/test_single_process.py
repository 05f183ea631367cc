"""``compgraph.distributed`` and DistributedDataParallel in one process (no mpiexec):
the same script runs anywhere, collectives are identities, and the bucketing and
bookkeeping of the gradient averaging give the plain model's gradients."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import compgraph as cg
import compgraph.distributed as dist
from compgraph import nn
from compgraph.nn.parallel import DistributedDataParallel as DDP
from compgraph.nn.parallel import _plan, _Reducer


def test_one_process_of_rank_zero():
    hook = sys.excepthook
    dist.init()
    dist.init()
    assert dist.is_initialized() and (dist.rank(), dist.world_size()) == (0, 1)
    assert dist.comm() is None or dist.comm().Get_size() == 1
    dist.barrier()
    assert sys.excepthook is hook  # the abort hook is for several ranks only


def test_collectives_are_identities():
    a = np.array([[1.0, 2.0]])
    assert dist.all_reduce(a, op="mean") is a and a.tolist() == [[1.0, 2.0]]
    t = cg.tensor([3.0])
    assert dist.broadcast(t) is t and t.tolist() == [3.0]
    g = dist.all_gather(a)
    assert g.shape == (1, 1, 2) and g is not a
    assert isinstance(dist.all_gather(t), cg.Tensor)
    assert dist.reduce_scatter(np.arange(3.0)).tolist() == [0.0, 1.0, 2.0]
    w = dist.all_reduce(np.ones(2), async_op=True)
    assert w.is_completed() and w.wait().tolist() == [1.0, 1.0]
    assert dist.all_gather_object("x") == ["x"]


def test_collective_errors_name_the_op_shape_and_dtype():
    with pytest.raises(TypeError, match="all_reduce.*ndarray or a Tensor.*list"):
        dist.all_reduce([1.0, 2.0])
    ro = np.zeros((2, 3))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=r"broadcast.*float64 \(2, 3\).*read-only"):
        dist.broadcast(ro)
    with pytest.raises(TypeError, match=r"op='mean'.*int64 \(3,\)"):
        dist.all_reduce(np.arange(3), op="mean")
    with pytest.raises(ValueError, match="op must be one of"):
        dist.all_reduce(np.zeros(2), op="avg")
    with pytest.raises(TypeError, match=r"op='max'.*complex128"):
        dist.all_reduce(np.zeros(2, complex), op="max")
    with pytest.raises(ValueError, match="src must be a rank in 0..0"):
        dist.broadcast(np.zeros(2), src=1)
    with pytest.raises(ValueError, match=r"reduce_scatter.*float64 \(\)"):
        dist.reduce_scatter(np.float64(1.0))
    with pytest.raises(TypeError, match="object"):
        dist.all_gather(np.array([None]))


def test_average_gradients_keeps_structure_and_arguments():
    w = np.ones((2, 2))
    grads = {"layers": [w, None, cg.tensor([1.0, 2.0], dtype="float32")], "n": (np.ones(1),)}
    out = dist.average_gradients(grads, bucket_cap_mb=1e-6)
    assert out["layers"][1] is None and isinstance(out["layers"][2], cg.Tensor)
    assert out["layers"][2].dtype == np.float32 and isinstance(out["n"], tuple)
    assert out["layers"][0] is not w and np.array_equal(out["layers"][0], w)


def test_lonely_rank_is_refused(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "4")
    with pytest.raises(RuntimeError, match="started 4 processes.*mpi4py is not installed"):
        dist._refuse_lonely_rank()


# --------------------------------------------------------------------------- DDP
def mlp(seed=0):
    return nn.Sequential(nn.Linear(4, 8, seed=seed), nn.Tanh(), nn.Linear(8, 2, seed=seed + 1))


def test_ddp_is_the_module_in_one_process(rng):
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 2, 16)
    plain, inner = mlp(), mlp()
    model = DDP(inner)
    assert model.parameters() == inner.parameters() and model._reducer is None
    assert list(model.state_dict())[0] == "module.0.weight"
    for net in (plain, model):
        opt = cg.optim.Adam(net.parameters(), lr=0.01)
        for i in range(0, 16, 4):
            opt.zero_grad()
            nn.cross_entropy(net(cg.tensor(x[i:i + 4])), y[i:i + 4]).backward()
            opt.step()
    for a, b in zip(plain.parameters(), model.parameters()):
        assert np.array_equal(a.data, b.data)
    with model.no_sync():
        assert not model.require_backward_grad_sync
    assert model.require_backward_grad_sync


def test_ddp_arguments_are_checked():
    with pytest.raises(TypeError, match="cg.nn.Module"):
        DDP(lambda x: x)
    with pytest.raises(ValueError, match="bucket_cap_mb"):
        DDP(mlp(), bucket_cap_mb=0)


def test_buckets_follow_reverse_order_dtype_and_cap():
    net = nn.Sequential(nn.Linear(4, 8, seed=0), nn.Linear(8, 2, dtype="float32", seed=1),
                        nn.Linear(2, 3, seed=2))
    params = net.parameters()
    names = [n for n, _ in net.named_parameters()]
    one = _plan(params, names, 2**30)
    assert [b.names for b in one] == [["2.bias", "2.weight", "0.bias", "0.weight"],
                                      ["1.bias", "1.weight"]]
    # 72 bytes: 2.bias + 2.weight (3 + 6 float64), 1.bias + 1.weight (2 + 16 float32)
    capped = _plan(params, names, 72)
    assert [b.names for b in capped] == [["2.bias", "2.weight"], ["1.bias", "1.weight"],
                                         ["0.bias"], ["0.weight"]]
    assert capped[1].flat.dtype == np.float32 and capped[1].flat.size == 2 + 16 + 2


def reducer_for(net, cap=1e-5, find_unused=False):
    named = list(net.named_parameters())
    r = _Reducer([p for _, p in named], [n for n, _ in named], cap * 2**20, find_unused)
    r.armed = True
    return r


def test_reducer_gives_the_local_gradients_in_one_process(rng):
    """World size 1: the averaging must be the identity, accumulation included."""
    x = cg.tensor(rng.standard_normal((3, 4)))
    ref, net = mlp(), mlp()
    reducer = reducer_for(net)
    for m in (ref, net):
        m(x).sum().backward()
        (2 * m(x)).sum().backward()  # accumulated into .grad
    assert len(reducer.buckets) == 4 and not reducer.open
    for a, b in zip(ref.parameters(), net.parameters()):
        np.testing.assert_allclose(b.grad.data, a.grad.data, rtol=1e-15)


def test_gradients_kept_from_earlier_steps_stay_valid(rng):
    net = mlp()
    r = reducer_for(net, cap=25)
    x1, x2 = cg.tensor(rng.standard_normal((3, 4))), cg.tensor(rng.standard_normal((3, 4)))
    net(x1).sum().backward()
    kept = [p.grad for p in net.parameters()]
    copies = [g.data.copy() for g in kept]
    for x in (x2, x1, x2):
        net.zero_grad()
        net(x).sum().backward()
    assert all(np.array_equal(g.data, c) for g, c in zip(kept, copies))
    # Arrays nobody views any more are reused: two alternate once nothing is kept.
    del kept, copies
    seen = set()
    for _ in range(4):
        net.zero_grad()
        net(x1).sum().backward()
        seen.add(id(r.buckets[0].flat))
    assert len(seen) == 2


def test_average_gradients_results_stay_valid():
    first = dist.average_gradients([np.ones(1000)])
    second = dist.average_gradients([np.full(1000, 2.0)])
    assert first[0][0] == 1.0 and second[0][0] == 2.0
    del first, second
    for _ in range(3):
        dist.average_gradients([np.ones(1000)])  # dropped at once: one array serves
    assert len(dist._BUFFERS.arrays[(np.dtype(float), 1000)]) == 2


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)

    def forward(self, x):
        return self.a(x)


def test_reducer_unused_parameters():
    net = Branches()
    r = reducer_for(net, find_unused=True)  # (kept: the hooks hold it weakly)
    net(cg.tensor(np.ones((1, 2)))).sum().backward()
    assert net.b.weight.grad is None and net.a.weight.grad is not None and not r.open
    strict = Branches()
    r = reducer_for(strict)
    with pytest.raises(RuntimeError, match="b.weight, b.bias.*find_unused_parameters=True"):
        strict(cg.tensor(np.ones((1, 2)))).sum().backward()


def test_a_dropped_reducer_stops_averaging():
    net = mlp()
    r = reducer_for(net)
    del r
    net(cg.tensor(np.ones((1, 4)))).sum().backward()  # the hooks find nothing to call
    assert net[0].weight.grad is not None


def test_reducer_disarmed_does_nothing():
    net = mlp()
    r = reducer_for(net)
    r.armed = False
    net(cg.tensor(np.ones((1, 4)))).sum().backward()
    assert not r.open and all(b.work is None for b in r.buckets)


# --------------------------------------------------------------------------- checkpoints
def test_checkpoint_round_trip(tmp_path, rng):
    net = mlp()
    opt = cg.optim.Adam(net.parameters(), lr=0.01)
    net(cg.tensor(rng.standard_normal((2, 4)))).sum().backward()
    opt.step()
    state = {"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 3,
             "misc": [None, 1.5, "x", (1, 2), {7: np.float32(2.0)}]}
    dist.save_on_rank0(state, tmp_path / "ck.npz")
    back = dist.load_on_all(tmp_path / "ck.npz")
    assert back["epoch"] == 3 and back["misc"][:4] == [None, 1.5, "x", (1, 2)]
    assert back["misc"][4] == {7: 2.0} and type(back["misc"][4][7]) is np.float32
    assert list(back["model"]) == list(net.state_dict())
    assert list(back["optim"]["state"]) == [0, 1, 2, 3]
    fresh = mlp(seed=5)
    fopt = cg.optim.Adam(fresh.parameters(), lr=0.01)
    dist.load_on_all(tmp_path / "ck.npz")
    fresh.load_state_dict(back["model"])
    fopt.load_state_dict(back["optim"])
    assert fopt.state_dict()["state"][0]["step"] == 1


def test_checkpoint_of_modules_optimisers_and_functions(tmp_path):
    net, other = mlp(), mlp(seed=3)
    dist.save_on_rank0(net, tmp_path / "m.npz")  # Module.save
    dist.load_on_all(tmp_path / "m.npz", into=other)
    assert all(np.array_equal(a.data, b.data) for a, b in zip(net.parameters(), other.parameters()))
    opt = cg.optim.SGD(net.parameters(), lr=0.5)
    dist.save_on_rank0(opt, tmp_path / "o.npz")  # its state_dict
    assert dist.load_on_all(tmp_path / "o.npz")["param_groups"][0]["lr"] == 0.5
    dist.save_on_rank0(lambda path: open(path, "w").write("hi"), tmp_path / "f.txt")
    assert dist.load_on_all(lambda: open(tmp_path / "f.txt").read()) == "hi"


def test_checkpoint_errors(tmp_path):
    with pytest.raises(TypeError, match=r"checkpoint\['a'\]\[0\] is a set"):
        dist.save_on_rank0({"a": [{1, 2}]}, tmp_path / "x.npz")
    with pytest.raises(FileNotFoundError):
        dist.load_on_all(tmp_path / "missing.npz")
