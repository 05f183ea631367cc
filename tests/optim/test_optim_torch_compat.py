"""cg.optim behaves as torch.optim: parameter groups, schedules that compose, closures,
checkpoints, zero_grad, frozen parameters, validation and gradient clipping.

Every check feeds identical float64 gradients to both libraries for several steps.
"""
import math
import copy

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")
from optim_pairs import (SHAPES, assert_lrs, assert_same, feed, group_lrs,  # noqa: E402
                         make_pair, sched_pair)

optim = cg.optim
lr_scheduler = torch.optim.lr_scheduler


# --------------------------------------------------------------------------- groups
@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=0.1, momentum=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.5, nesterov=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9))),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
], ids=str)
def test_param_groups_vs_torch(name, kw):
    ps, tps = make_pair(1)
    extra = {"momentum": 0.9} if name == "SGD" else {"betas": (0.5, 0.6), "eps": 1e-4}
    groups = lambda xs: [{"params": xs[:1], "lr": 0.05, **extra},
                         {"params": xs[1:], "weight_decay": 0.1}]
    opt = getattr(optim, name)(groups(ps), **kw)
    topt = getattr(torch.optim, name)(groups(tps), **kw)
    for g, tg in zip(opt.param_groups, topt.param_groups):
        for key, value in g.items():
            if key != "params":
                assert tg[key] == value, key
    assert opt.param_groups[0]["params"][0] is ps[0] and opt.param_groups[1]["params"][0] is ps[1]
    rng = np.random.default_rng(0)
    for step in range(6):
        feed(ps, tps, rng, 1 + step)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"step {step}")


def test_param_groups_hold_every_hyperparameter():
    p = cg.nn.Parameter([1.0])
    sgd = optim.SGD([p], lr=0.1)
    assert set(sgd.param_groups[0]) >= {"params", "lr", "momentum", "dampening", "nesterov",
                                        "weight_decay", "maximize"}
    adam = optim.Adam([{"params": [p], "lr": 0.5}], lr=0.1)
    g = adam.param_groups[0]
    assert set(g) >= {"params", "lr", "betas", "eps", "weight_decay", "amsgrad"}
    assert g["lr"] == 0.5 and adam.defaults["lr"] == 0.1 and g["params"][0] is p
    # the group's keys are a subset of torch's (torch adds foreach, fused, ... flags)
    tg = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).param_groups[0]
    assert set(g) <= set(tg)


def test_add_param_group_mid_training_vs_torch():
    ps, tps = make_pair(2)
    opt = optim.SGD(ps[:2], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(tps[:2], lr=0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    for step in range(6):
        if step == 3:
            opt.add_param_group({"params": ps[2], "lr": 0.3, "dampening": 0.5})
            topt.add_param_group({"params": tps[2], "lr": 0.3, "dampening": 0.5})
        feed(ps, tps, rng)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"step {step}")
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["momentum"] == 0.9


def test_a_parameter_in_two_groups_is_refused():
    ps, _ = make_pair(0)
    with pytest.raises(ValueError, match="more than one"):
        optim.SGD([{"params": ps[:2]}, {"params": ps[1:]}], lr=0.1)
    opt = optim.SGD(ps[:2], lr=0.1)
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": [ps[0]]})
    with pytest.raises(TypeError):
        opt.add_param_group({"params": set(ps[2:])})  # unordered, as torch


def test_opt_lr_reads_group_zero_and_sets_every_group():
    ps, _ = make_pair(0)
    opt = optim.Adam([{"params": ps[:1], "lr": 0.5}, {"params": ps[1:]}], lr=0.1)
    assert opt.lr == 0.5
    opt.lr = 0.02
    assert group_lrs(opt) == [0.02, 0.02]
    opt.betas = (0.7, 0.8)
    assert all(g["betas"] == (0.7, 0.8) for g in opt.param_groups)
    with pytest.raises(ValueError):
        opt.lr = -1.0
    assert group_lrs(opt) == [0.02, 0.02]


def test_updates_read_each_groups_own_hyperparameters():
    # a group changed by hand after construction is what the next step uses
    ps, tps = make_pair(3)
    opt = optim.SGD([{"params": ps[:1]}, {"params": ps[1:]}], lr=0.1)
    topt = torch.optim.SGD([{"params": tps[:1]}, {"params": tps[1:]}], lr=0.1)
    rng = np.random.default_rng(2)
    for step in range(5):
        if step == 2:
            for o in (opt, topt):
                o.param_groups[1]["lr"] = 0.01
                o.param_groups[0]["momentum"] = 0.8
        feed(ps, tps, rng)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"step {step}")


# --------------------------------------------------------------------------- frozen / errors
def test_frozen_parameters_are_accepted_and_skipped():
    ps, tps = make_pair(4)
    ps[1].requires_grad = False
    tps[1].requires_grad_(False)
    before = np.array(ps[1].data)
    opt = optim.Adam(ps, lr=0.1, weight_decay=0.1)
    topt = torch.optim.Adam(tps, lr=0.1, weight_decay=0.1)
    rng = np.random.default_rng(3)
    for _ in range(4):
        for i in (0, 2):
            g = rng.normal(size=ps[i].shape)
            ps[i].grad = cg.tensor(g)
            tps[i].grad = torch.tensor(g)
        opt.step()
        topt.step()
    np.testing.assert_array_equal(np.asarray(ps[1].data), before)
    assert_same(ps, tps)
    assert len(opt.state) == len(topt.state) == 2


def test_frozen_parameters_of_a_model():
    lin = cg.nn.Linear(3, 2, seed=0)
    lin.bias.requires_grad = False
    w0, b0 = np.array(lin.weight.data), np.array(lin.bias.data)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    (lin(cg.tensor(np.ones((4, 3)))) ** 2).sum().backward()
    opt.step()
    assert lin.bias.grad is None
    np.testing.assert_array_equal(lin.bias.data, b0)
    assert not np.allclose(lin.weight.data, w0)


def test_bad_parameters_raise_type_error_naming_what_is_expected():
    with pytest.raises(TypeError, match="Tensors"):
        optim.SGD([np.ones(3)], lr=0.1)
    x = cg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="non-leaf"):
        optim.Adam([x * 2])
    with pytest.raises(TypeError):
        optim.SGD(cg.nn.Parameter([1.0, 2.0]))  # a Tensor, not a list of them (torch too)
    with pytest.raises(ValueError):
        optim.SGD([])


def test_sgd_default_lr_is_torchs():
    p = cg.nn.Parameter([1.0])
    t = torch.optim.SGD([torch.zeros(1, requires_grad=True)])
    assert optim.SGD([p]).lr == t.defaults["lr"] == 1e-3


@pytest.mark.parametrize("make,tmake", [
    (lambda ps: optim.SGD(ps, lr=-0.1), lambda ps: torch.optim.SGD(ps, lr=-0.1)),
    (lambda ps: optim.SGD(ps, momentum=-0.5), lambda ps: torch.optim.SGD(ps, momentum=-0.5)),
    (lambda ps: optim.SGD(ps, weight_decay=-1), lambda ps: torch.optim.SGD(ps, weight_decay=-1)),
    (lambda ps: optim.SGD(ps, nesterov=True), lambda ps: torch.optim.SGD(ps, nesterov=True)),
    (lambda ps: optim.SGD(ps, momentum=0.9, dampening=0.1, nesterov=True),
     lambda ps: torch.optim.SGD(ps, momentum=0.9, dampening=0.1, nesterov=True)),
    (lambda ps: optim.Adam(ps, lr=-1e-3), lambda ps: torch.optim.Adam(ps, lr=-1e-3)),
    (lambda ps: optim.Adam(ps, eps=-1e-8), lambda ps: torch.optim.Adam(ps, eps=-1e-8)),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.9)),
     lambda ps: torch.optim.Adam(ps, betas=(1.0, 0.9))),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)),
     lambda ps: torch.optim.Adam(ps, betas=(0.9, -0.1))),
    (lambda ps: optim.AdamW(ps, weight_decay=-0.01),
     lambda ps: torch.optim.AdamW(ps, weight_decay=-0.01)),
], ids=["sgd-lr", "sgd-momentum", "sgd-wd", "sgd-nesterov-no-momentum",
        "sgd-nesterov-dampening", "adam-lr", "adam-eps", "adam-beta1", "adam-beta2", "adamw-wd"])
def test_hyperparameter_validation_vs_torch(make, tmake):
    with pytest.raises(ValueError):
        tmake([torch.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError):
        make([cg.nn.Parameter([0.0])])


def test_group_hyperparameters_are_validated_too():
    p = cg.nn.Parameter([0.0])
    with pytest.raises(ValueError):
        optim.SGD([{"params": [p], "lr": -1.0}], lr=0.1)
    with pytest.raises(ValueError):
        optim.Adam([{"params": [p], "betas": (0.9, 1.5)}])


# --------------------------------------------------------------------------- maximize / decoupled
@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, maximize=True, amsgrad=True)),
], ids=str)
def test_maximize_and_decoupled_weight_decay_vs_torch(name, kw):
    ps, tps = make_pair(5)
    opt, topt = getattr(optim, name)(ps, **kw), getattr(torch.optim, name)(tps, **kw)
    rng = np.random.default_rng(4)
    for step in range(5):
        feed(ps, tps, rng)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"step {step}")


# --------------------------------------------------------------------------- zero_grad / closure
def test_zero_grad_set_to_none_false_zeroes_in_place_vs_torch():
    ps, tps = make_pair(6)
    opt = optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1)
    topt = torch.optim.SGD(tps, lr=0.1, momentum=0.9, weight_decay=0.1)
    rng = np.random.default_rng(5)
    feed(ps, tps, rng)
    opt.step()
    topt.step()
    arrays = [p.grad.data for p in ps]
    opt.zero_grad(set_to_none=False)
    topt.zero_grad(set_to_none=False)
    for p, a in zip(ps, arrays):
        assert p.grad.data is a and not a.any()
    # a zero gradient is still a gradient: momentum and weight decay keep moving, as torch
    for _ in range(3):
        opt.step()
        topt.step()
    assert_same(ps, tps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_zero_grad_after_backward_keeps_accumulating_correctly():
    lin = cg.nn.Linear(3, 2, seed=1)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    x = cg.tensor(np.ones((2, 3)))
    lin(x).sum().backward()
    first = np.array(lin.weight.grad.data)
    opt.zero_grad(set_to_none=False)
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.data, first)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9)),
                                     ("Adam", dict(lr=0.05))], ids=str)
def test_step_with_closure_vs_torch(name, kw):
    ps, tps = make_pair(7)
    target = np.random.default_rng(6).normal(size=SHAPES[0])
    opt, topt = getattr(optim, name)(ps, **kw), getattr(torch.optim, name)(tps, **kw)
    calls = []

    def closure():
        opt.zero_grad()
        loss = ((ps[0] - cg.tensor(target)) ** 2).sum() + (ps[1] ** 2).sum() + ps[2] * ps[2]
        loss.backward()
        calls.append(1)
        return loss

    def tclosure():
        topt.zero_grad()
        loss = ((tps[0] - torch.tensor(target)) ** 2).sum() + (tps[1] ** 2).sum() + tps[2] ** 2
        loss.backward()
        return loss

    for step in range(6):
        with cg.no_grad():  # the closure still records: step turns grad mode on for it
            loss = opt.step(closure)
        tloss = topt.step(tclosure)
        assert math.isclose(float(loss), tloss.item(), rel_tol=1e-10)
        assert_same(ps, tps, msg=f"step {step}")
    assert len(calls) == 6
    assert opt.step() is None


# --------------------------------------------------------------------------- checkpoints
CKPT_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
              ("SGD", dict(lr=0.1)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
              ("AdamW", dict(lr=0.01)),
              ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)), ("RMSprop", dict(lr=0.01)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.3, initial_accumulator_value=0.1))]


@pytest.mark.parametrize("name,kw", CKPT_CASES, ids=str)
def test_state_dict_round_trip_continues_identically(name, kw):
    ps, tps = make_pair(8)
    groups = lambda xs: [{"params": xs[:2]}, {"params": xs[2:], "lr": 0.03}]
    opt = getattr(optim, name)(groups(ps), **kw)
    topt = getattr(torch.optim, name)(groups(tps), **kw)
    rng = np.random.default_rng(7)
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(8)]
    for gs in grads[:4]:
        for p, tp, g in zip(ps, tps, gs):
            p.grad, tp.grad = cg.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    # torch's layout: params by index, the same state entries under the same names
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in tsd["param_groups"]]
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for i, s in sd["state"].items():
        assert set(s) == set(tsd["state"][i])
        for key, value in s.items():
            np.testing.assert_allclose(np.asarray(value, dtype=float),
                                       np.asarray(tsd["state"][i][key], dtype=float),
                                       rtol=1e-10, atol=1e-14)
    frozen = copy.deepcopy(sd)
    # a fresh optimizer on copies of the parameters, loaded, then both continue
    ps2 = [cg.nn.Parameter(np.array(p.data)) for p in ps]
    opt2 = getattr(optim, name)(ps2, lr=0.5)  # different lr and one group: overwritten...
    with pytest.raises(ValueError):
        opt2.load_state_dict(sd)  # ... but the group count must match
    opt2 = getattr(optim, name)(groups(ps2), lr=0.5)
    opt2.load_state_dict(sd)
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]
    for gs in grads[4:]:
        for p, p2, tp, g in zip(ps, ps2, tps, gs):
            p.grad, p2.grad, tp.grad = cg.tensor(g), cg.tensor(g), torch.tensor(g)
        opt.step()
        opt2.step()
        topt.step()
        for p, p2 in zip(ps, ps2):
            np.testing.assert_array_equal(np.asarray(p.data), np.asarray(p2.data))
    assert_same(ps, tps)  # and still where torch is
    # saving copied the buffers: the steps since did not change the checkpoint
    for i, s in sd["state"].items():
        for key, value in s.items():
            np.testing.assert_array_equal(value, frozen["state"][i][key])


def test_load_state_dict_copies_and_checks_shapes():
    ps, _ = make_pair(9)
    opt = optim.Adam(ps, lr=0.1)
    for p in ps:
        p.grad = cg.tensor(np.ones(p.shape))
    opt.step()
    sd = opt.state_dict()
    opt2 = optim.Adam([cg.nn.Parameter(np.array(p.data)) for p in ps])
    opt2.load_state_dict(sd)
    sd["state"][0]["exp_avg"][...] = 123.0
    assert not np.any(opt2.state[opt2.param_groups[0]["params"][0]]["exp_avg"] == 123.0)
    bad = optim.Adam([cg.nn.Parameter(np.zeros(s)) for s in [(2, 2), (4,), ()]])
    with pytest.raises(ValueError, match="shape"):
        bad.load_state_dict(opt.state_dict())


# --------------------------------------------------------------------------- schedules
SCHEDULES = {
    "StepLR": (lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
               lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    "MultiStepLR": (lambda o: optim.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
                    lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    "ExponentialLR": (lambda o: optim.ExponentialLR(o, gamma=0.8),
                      lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8)),
    "Cosine": (lambda o: optim.CosineAnnealingLR(o, T_max=4),
               lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4)),
    "CosineEtaMin": (lambda o: optim.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
                     lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01)),
    "LambdaLR": (lambda o: optim.LambdaLR(o, lr_lambda=lambda e: 0.5 + 1 / (1 + e)),
                 lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda e: 0.5 + 1 / (1 + e))),
    "LambdaLRPerGroup": (lambda o: optim.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: e + 1]),
                         lambda o: lr_scheduler.LambdaLR(o, [lambda e: 0.9 ** e,
                                                             lambda e: e + 1])),
}


def run_schedules(opt, topt, makers, epochs=20, before_step=None):
    scheds = [mk[0](opt) for mk in makers]
    tscheds = [mk[1](topt) for mk in makers]
    assert_lrs(group_lrs(opt), group_lrs(topt), "after construction")
    for s, ts in zip(scheds, tscheds):
        assert_lrs(s.get_last_lr(), ts.get_last_lr())
        assert s.last_epoch == ts.last_epoch == 0
        assert s.base_lrs == ts.base_lrs
    for epoch in range(1, epochs + 1):
        if before_step:
            before_step(epoch, opt, topt)
        topt.step()
        opt.step()
        for s, ts in zip(scheds, tscheds):
            ret = s.step()
            ts.step()
            assert s.last_epoch == ts.last_epoch == epoch
            assert_lrs(s.get_last_lr(), ts.get_last_lr(), epoch)
            assert ret == s.get_last_lr()[0]
        assert_lrs(group_lrs(opt), group_lrs(topt), epoch)
        assert opt.lr == group_lrs(opt)[0]
    return scheds, tscheds


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_each_schedule_alone_vs_torch(name):
    opt, topt = sched_pair()
    run_schedules(opt, topt, [SCHEDULES[name]])  # 20 epochs: past T_max, through the trough
    assert [g["initial_lr"] for g in opt.param_groups] == [0.2, 0.05]


def test_lambda_lr_applies_lambda_zero_at_construction():
    opt, topt = sched_pair()
    optim.LambdaLR(opt, lambda e: 0.1 * (e + 1))
    lr_scheduler.LambdaLR(topt, lambda e: 0.1 * (e + 1))
    assert_lrs(group_lrs(opt), group_lrs(topt))
    assert_lrs(group_lrs(opt), [0.02, 0.005])
    opt2, _ = sched_pair()
    s = optim.LambdaLR(opt2, fn=lambda e: 0.5)  # the older keyword still works
    assert s.get_last_lr() == [0.1, 0.025]
    with pytest.raises(TypeError):
        optim.LambdaLR(opt2)
    with pytest.raises(ValueError):
        optim.LambdaLR(opt2, [lambda e: 1.0])  # one function for two groups


@pytest.mark.parametrize("pair", [("ExponentialLR", "StepLR"), ("StepLR", "ExponentialLR"),
                                  ("Cosine", "MultiStepLR"), ("LambdaLR", "StepLR")])
def test_two_schedules_compose_vs_torch(pair):
    opt, topt = sched_pair()
    run_schedules(opt, topt, [SCHEDULES[n] for n in pair], epochs=12)


def test_lr_set_by_hand_before_the_schedule_is_its_base():
    opt, topt = sched_pair()
    for o in (opt, topt):
        for g in o.param_groups:
            g["lr"] *= 10
    run_schedules(opt, topt, [SCHEDULES["StepLR"]], epochs=10)
    assert [g["initial_lr"] for g in opt.param_groups] == [2.0, 0.5]
    opt, topt = sched_pair()
    opt.lr = 0.7  # the cg spelling, every group
    for g in topt.param_groups:
        g["lr"] = 0.7
    run_schedules(opt, topt, [SCHEDULES["Cosine"]], epochs=10)


def test_lr_changed_by_hand_mid_schedule_vs_torch():
    def poke(epoch, opt, topt):
        if epoch == 4:
            opt.param_groups[1]["lr"] = 0.3
            topt.param_groups[1]["lr"] = 0.3
    for name in ("StepLR", "ExponentialLR", "CosineEtaMin", "MultiStepLR", "LambdaLR"):
        opt, topt = sched_pair()
        run_schedules(opt, topt, [SCHEDULES[name]], epochs=12, before_step=poke)


def test_schedule_drives_grouped_adam_vs_torch():
    ps, tps = make_pair(11)
    opt = optim.Adam([{"params": ps[:1], "lr": 0.05}, {"params": ps[1:]}], lr=0.01)
    topt = torch.optim.Adam([{"params": tps[:1], "lr": 0.05}, {"params": tps[1:]}], lr=0.01)
    s = optim.CosineAnnealingLR(opt, T_max=3, eta_min=1e-3)
    ts = lr_scheduler.CosineAnnealingLR(topt, T_max=3, eta_min=1e-3)
    rng = np.random.default_rng(8)
    for step in range(9):
        feed(ps, tps, rng)
        opt.step()
        topt.step()
        s.step()
        ts.step()
        assert_same(ps, tps, msg=f"step {step}")


def test_schedule_state_dict_round_trip():
    opt, _ = sched_pair()
    s = optim.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    for _ in range(3):
        s.step()
    saved = s.state_dict()
    osaved = opt.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    want = [s.step() for _ in range(3)]
    opt2, _ = sched_pair()
    opt2.load_state_dict(osaved)
    s2 = optim.MultiStepLR(opt2, milestones=[9], gamma=0.1)
    s2.load_state_dict(saved)
    assert [s2.step() for _ in range(3)] == want
    lam = optim.LambdaLR(opt2, lambda e: 1.0)
    assert lam.state_dict()["lr_lambdas"] == [None, None]


def test_resuming_a_schedule_needs_initial_lr():
    opt, _ = sched_pair()
    with pytest.raises(KeyError):
        optim.StepLR(opt, step_size=2, last_epoch=5)


# --------------------------------------------------------------------------- clipping
def clip_pair(seed, grads=None):
    ps, tps = make_pair(seed)
    rng = np.random.default_rng(seed)
    for i, (p, tp) in enumerate(zip(ps, tps)):
        g = rng.normal(size=p.shape) if grads is None else grads[i]
        if g is not None:
            p.grad, tp.grad = cg.tensor(g), torch.tensor(g)
    return ps, tps


def assert_same_grads(ps, tps):
    for p, tp in zip(ps, tps):
        if tp.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(np.asarray(p.grad.data), tp.grad.numpy(), rtol=1e-12,
                                       atol=0, equal_nan=True)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.3, 2.0, 1e4])
def test_clip_grad_norm_types_vs_torch(norm_type, max_norm):
    ps, tps = clip_pair(12)
    arrays = [p.grad.data for p in ps]
    total = optim.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    assert isinstance(total, float)
    assert math.isclose(total, float(ttotal), rel_tol=1e-12)
    assert_same_grads(ps, tps)
    assert all(p.grad.data is a for p, a in zip(ps, arrays))  # scaled in place


def test_clip_grad_norm_single_tensor_and_missing_grads():
    ps, tps = clip_pair(13, grads=[None, np.array([3.0, 4.0, 0.0, 12.0]), None])
    total = optim.clip_grad_norm_(ps[1], 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(tps[1], 1.0)
    assert math.isclose(total, float(ttotal)) and math.isclose(total, 13.0)
    assert_same_grads(ps, tps)
    ps, tps = clip_pair(13, grads=[None, None, None])
    assert optim.clip_grad_norm_(ps, 1.0) == float(torch.nn.utils.clip_grad_norm_(tps, 1.0)) == 0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_clip_grad_norm_nonfinite_vs_torch(bad, norm_type):
    rng = np.random.default_rng(14)
    grads = [rng.normal(size=s) for s in SHAPES]
    grads[0][1, 2] = bad
    ps, tps = clip_pair(14, grads=[g.copy() for g in grads])
    total = optim.clip_grad_norm_(ps, 1.0, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, 1.0, norm_type=norm_type)
    assert (math.isnan(total) and math.isnan(float(ttotal))) or total == float(ttotal)
    assert_same_grads(ps, tps)  # nan or zeros, exactly where torch has them
    ps, tps = clip_pair(14, grads=[g.copy() for g in grads])
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(tps, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_(ps, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    for p, g in zip(ps, grads):  # raising left the gradients alone
        np.testing.assert_array_equal(np.asarray(p.grad.data), g)


def test_clip_grad_norm_float32_grads_stay_float32_in_place():
    p = cg.nn.Parameter(np.zeros(5, dtype=np.float32))
    g = np.arange(5, dtype=np.float32)
    p.grad = cg.tensor(g)
    arr = p.grad.data
    tp = torch.zeros(5, dtype=torch.float32, requires_grad=True)
    tp.grad = torch.tensor(g)
    total = optim.clip_grad_norm_([p], 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_([tp], 1.0)
    assert p.grad.data is arr and arr.dtype == np.float32
    assert math.isclose(total, float(ttotal), rel_tol=1e-6)
    np.testing.assert_allclose(arr, tp.grad.numpy(), rtol=1e-6)
