"""Optimizer.load_state_dict and LRScheduler.load_state_dict refuse what the
constructor would refuse, non-numeric or misshapen buffers and unknown keys, and
change nothing when they refuse."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")


def _adam():
    w = cg.nn.Parameter(np.array([1.0, -2.0, 3.0]))
    b = cg.nn.Parameter(np.array([0.5]))
    opt = cg.optim.Adam([w, b], lr=0.01)
    w.grad, b.grad = cg.tensor([0.1, 0.2, -0.3]), cg.tensor([1.0])
    opt.step()
    return opt


def _snapshot(opt):
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    params = [[id(p) for p in g["params"]] for g in opt.param_groups]
    state = {id(p): {k: np.array(v, copy=True) for k, v in s.items()}
             for p, s in opt.state.items()}
    return groups, params, state


def _same(a, b):
    assert a[0] == b[0] and a[1] == b[1] and a[2].keys() == b[2].keys()
    for p in a[2]:
        assert a[2][p].keys() == b[2][p].keys()
        for k in a[2][p]:
            np.testing.assert_array_equal(a[2][p][k], b[2][p][k])


# Hyperparameters torch's Adam constructor refuses with a ValueError.
BAD_HYPER = {
    "negative lr": ("lr", -0.1),
    "nan lr": ("lr", float("nan")),
    "negative eps": ("eps", -1e-8),
    "beta1 one": ("betas", (1.0, 0.999)),
    "beta2 negative": ("betas", (0.9, -0.5)),
    "negative weight decay": ("weight_decay", -1.0),
}


@pytest.mark.parametrize("case", list(BAD_HYPER))
def test_bad_hyperparameters_are_refused_like_torchs_constructor(case):
    key, value = BAD_HYPER[case]
    with pytest.raises(ValueError):
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], **{key: value})
    opt = _adam()
    sd = opt.state_dict()
    sd["param_groups"][0][key] = value
    before = _snapshot(opt)
    needle = {"lr": "learning rate", "betas": "beta"}.get(key, key)
    with pytest.raises(ValueError, match=needle):
        opt.load_state_dict(sd)
    _same(before, _snapshot(opt))


@pytest.mark.parametrize("key,value", [
    ("betas", (0.9,)), ("betas", (0.9, 0.99, 0.5)), ("betas", "ab"), ("betas", 0.9),
    ("lr", "0.1"), ("lr", None), ("lr", [0.1]), ("amsgrad", "yes"), ("eps", True),
    ("maximize", 1), ("initial_lr", object()), ("initial_lr", np.zeros(3)),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_malformed_hyperparameters_are_refused(key, value):
    opt = _adam()
    sd = opt.state_dict()
    sd["param_groups"][0][key] = value
    before = _snapshot(opt)
    with pytest.raises(ValueError, match="Adam.load_state_dict"):
        opt.load_state_dict(sd)
    _same(before, _snapshot(opt))


def test_sgd_constructor_rules_apply_on_load():
    w = cg.nn.Parameter(np.ones(2))
    opt = cg.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    for key, value in (("momentum", -0.5), ("dampening", 0.5), ("momentum", 0.0)):
        sd = opt.state_dict()
        sd["param_groups"][0][key] = value
        with pytest.raises(ValueError, match="SGD"):
            opt.load_state_dict(sd)
        assert opt.momentum == 0.9 and opt.dampening == 0.0


@pytest.mark.parametrize("buffer", [
    np.array(["a", "b", "c"]), np.array([1.0, None, 2.0], dtype=object), "exp_avg",
    [1.0, 2.0, 3.0], {"x": 1}, np.zeros(4), np.zeros((3, 1)), np.array([1j, 2j, 3j]),
], ids=lambda b: type(b).__name__ + str(getattr(b, "dtype", "")) + str(np.shape(b)))
def test_non_numeric_or_misshapen_buffers_are_refused(buffer):
    opt = _adam()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = buffer
    before = _snapshot(opt)
    with pytest.raises(ValueError, match="exp_avg"):
        opt.load_state_dict(sd)
    _same(before, _snapshot(opt))


@pytest.mark.parametrize("mutate", [
    lambda sd: sd["state"].__setitem__(7, {"step": 1}),
    lambda sd: sd["state"].__setitem__("x", {"step": 1}),
    lambda sd: sd["state"].__setitem__(0, [1, 2]),
    lambda sd: sd["state"][0].__setitem__(3, np.zeros(3)),
    lambda sd: sd["param_groups"][0].__setitem__("params", ["a", "b"]),
    lambda sd: sd["param_groups"][0].__setitem__("params", [0, 0]),
    lambda sd: sd.pop("state"),
], ids=["unknown index", "text index", "buffers not a dict", "buffer name not text",
        "params not indices", "one index twice", "no state"])
def test_malformed_layout_is_refused(mutate):
    opt = _adam()
    sd = copy.deepcopy(opt.state_dict())
    mutate(sd)
    before = _snapshot(opt)
    with pytest.raises(ValueError):
        opt.load_state_dict(sd)
    _same(before, _snapshot(opt))


def test_good_state_dicts_still_load():
    opt = _adam()
    sd = opt.state_dict()
    fresh = cg.optim.Adam([cg.nn.Parameter(np.zeros(3)), cg.nn.Parameter(np.zeros(1))])
    # as after a JSON round trip: text indices, betas as a list, 0-d step
    sd2 = copy.deepcopy(sd)
    sd2["state"] = {str(k): dict(v, step=np.array(v["step"])) for k, v in sd2["state"].items()}
    sd2["param_groups"][0]["betas"] = list(sd2["param_groups"][0]["betas"])
    sd2["param_groups"][0]["initial_lr"] = 0.01  # a schedule's entry
    fresh.load_state_dict(sd2)
    assert fresh.betas == (0.9, 0.999) and fresh.param_groups[0]["initial_lr"] == 0.01
    p = fresh.param_groups[0]["params"][0]
    np.testing.assert_array_equal(fresh.state[p]["exp_avg"], sd["state"][0]["exp_avg"])
    assert int(fresh.state[p]["step"]) == 1


# --------------------------------------------------------------------------- schedulers

def _scheduler_state(s):
    return copy.deepcopy({k: v for k, v in s.__dict__.items() if k != "optimizer"})


@pytest.mark.parametrize("key,value", [("foo", 1), ("get_lr", 5), ("step", None),
                                       ("optimizer", None), (3, 1)],
                         ids=lambda v: repr(v))
def test_scheduler_refuses_keys_it_does_not_know(key, value):
    opt = cg.optim.SGD([cg.nn.Parameter(np.zeros(2))], lr=0.1)
    s = cg.optim.StepLR(opt, step_size=2, gamma=0.5)
    s.step()
    sd = s.state_dict()
    sd[key] = value
    sd["last_epoch"] = 99  # a good key beside the bad one: must not be loaded either
    before = _scheduler_state(s)
    with pytest.raises(ValueError, match="StepLR.load_state_dict"):
        s.load_state_dict(sd)
    assert _scheduler_state(s) == before and s.optimizer is opt
    assert s.step() == 0.05  # still a working schedule


def test_lambda_scheduler_checks_everything_before_loading():
    opt = cg.optim.SGD([cg.nn.Parameter(np.zeros(2))], lr=0.1)
    s = cg.optim.LambdaLR(opt, lambda e: 0.5 ** e)
    sd = s.state_dict()
    sd["last_epoch"] = 42
    for bad in ([5], "x", [None, None]):
        sd["lr_lambdas"] = bad
        with pytest.raises(ValueError):
            s.load_state_dict(sd)
        assert s.last_epoch == 0
    sd["lr_lambdas"] = [None]
    s.load_state_dict(sd)
    assert s.last_epoch == 42


def test_reduce_on_plateau_round_trip_and_unknown_key():
    opt = cg.optim.SGD([cg.nn.Parameter(np.zeros(2))], lr=1.0)
    s = cg.optim.ReduceLROnPlateau(opt, patience=0)
    s.step(1.0)
    s.step(2.0)
    sd = s.state_dict()
    t = cg.optim.ReduceLROnPlateau(cg.optim.SGD([cg.nn.Parameter(np.zeros(2))], lr=1.0))
    t.load_state_dict(sd)
    assert t.best == 1.0 and t.patience == 0
    with pytest.raises(ValueError, match="unknown"):
        t.load_state_dict({**sd, "_is_better": None})
