"""RMSprop, Adagrad, ReduceLROnPlateau, LinearLR and OneCycleLR behave as torch's.

Every optimiser check feeds identical float64 gradients to both libraries for several
steps; every schedule check compares the whole lr (and momentum) sequence step by step.
"""
import math
import copy

import numpy as np
import pytest

import compgraph as cg

torch = pytest.importorskip("torch")
from optim_pairs import (assert_lrs, assert_same, feed, group_lrs, make_pair,  # noqa: E402
                         sched_pair)

optim = cg.optim
lr_scheduler = torch.optim.lr_scheduler


def assert_state_like_torch(opt, topt):
    """The same state entries, under torch's names, with torch's values."""
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for i, s in sd["state"].items():
        assert set(s) == set(tsd["state"][i]), (i, set(s), set(tsd["state"][i]))
        for key, value in s.items():
            np.testing.assert_allclose(np.asarray(value, dtype=float),
                                       np.asarray(tsd["state"][i][key], dtype=float),
                                       rtol=1e-10, atol=1e-14, err_msg=key)


def run_optimizer_vs_torch(name, kw, groups=None, steps=8, seed=0):
    ps, tps = make_pair(seed)
    make = groups or (lambda xs: xs)
    opt = getattr(optim, name)(make(ps), **kw)
    topt = getattr(torch.optim, name)(make(tps), **kw)
    rng = np.random.default_rng(seed + 100)
    for step in range(steps):
        feed(ps, tps, rng, 1 + step % 3)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"{name} {kw} step {step}")
    assert_state_like_torch(opt, topt)
    return opt, topt


# --------------------------------------------------------------------------- RMSprop
RMSPROP_CASES = [
    dict(),
    dict(lr=0.05, alpha=0.5),
    dict(lr=0.02, eps=1e-2),
    dict(lr=0.01, weight_decay=0.3),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, centered=True, momentum=0.7),
    dict(lr=0.01, maximize=True, momentum=0.5),
    dict(lr=0.03, alpha=0.8, eps=1e-3, weight_decay=0.1, momentum=0.6, centered=True,
         maximize=True),
]


@pytest.mark.parametrize("kw", RMSPROP_CASES, ids=str)
def test_rmsprop_vs_torch(kw):
    run_optimizer_vs_torch("RMSprop", kw)


def test_rmsprop_param_groups_with_their_own_options_vs_torch():
    groups = lambda xs: [{"params": xs[:1], "centered": True, "momentum": 0.8, "lr": 0.05},
                         {"params": xs[1:2], "alpha": 0.7, "weight_decay": 0.2},
                         {"params": xs[2:], "maximize": True}]
    opt, topt = run_optimizer_vs_torch("RMSprop", dict(lr=0.01), groups=groups)
    for g, tg in zip(opt.param_groups, topt.param_groups):
        for key, value in g.items():
            if key != "params":
                assert tg[key] == value, key


def test_rmsprop_state_names_are_torchs():
    ps, _ = make_pair(1)
    opt = optim.RMSprop(ps, momentum=0.9, centered=True)
    for p in ps:
        p.grad = cg.tensor(np.ones(p.shape))
    opt.step()
    assert set(opt.state[ps[0]]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    assert opt.state[ps[0]]["step"] == 1
    plain = optim.RMSprop(ps)
    plain.step()
    assert set(plain.state[ps[0]]) == {"step", "square_avg"}


# --------------------------------------------------------------------------- Adagrad
ADAGRAD_CASES = [
    dict(),
    dict(lr=0.1, lr_decay=0.3),
    dict(lr=0.1, weight_decay=0.2),
    dict(lr=0.1, initial_accumulator_value=0.7),
    dict(lr=0.1, eps=0.5),
    dict(lr=0.1, maximize=True),
    dict(lr=0.2, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.3, eps=1e-3,
         maximize=True),
]


@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=str)
def test_adagrad_vs_torch(kw):
    run_optimizer_vs_torch("Adagrad", kw)


def test_adagrad_param_groups_vs_torch():
    groups = lambda xs: [{"params": xs[:1], "lr_decay": 0.5, "lr": 0.3},
                         {"params": xs[1:], "weight_decay": 0.2, "maximize": True}]
    run_optimizer_vs_torch("Adagrad", dict(lr=0.1, initial_accumulator_value=0.1),
                           groups=groups)


def test_adagrad_state_exists_from_construction_as_torch():
    ps, tps = make_pair(2)
    ps[1].requires_grad = False
    tps[1].requires_grad_(False)
    opt = optim.Adagrad(ps, initial_accumulator_value=0.25)
    topt = torch.optim.Adagrad(tps, initial_accumulator_value=0.25)
    assert_state_like_torch(opt, topt)  # before any step: every parameter, frozen too
    assert opt.state[ps[0]]["step"] == 0
    np.testing.assert_array_equal(opt.state[ps[0]]["sum"], np.full((3, 4), 0.25))
    rng = np.random.default_rng(3)
    for _ in range(3):
        for i in (0, 2):
            g = rng.normal(size=ps[i].shape)
            ps[i].grad, tps[i].grad = cg.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    assert_same(ps, tps)
    assert_state_like_torch(opt, topt)  # the frozen parameter's step stayed 0


def test_adagrad_group_added_later_vs_torch():
    ps, tps = make_pair(4)
    opt = optim.Adagrad(ps[:2], lr=0.1, initial_accumulator_value=0.2)
    topt = torch.optim.Adagrad(tps[:2], lr=0.1, initial_accumulator_value=0.2)
    rng = np.random.default_rng(5)
    for step in range(6):
        if step == 3:
            opt.add_param_group({"params": [ps[2]], "lr_decay": 0.5})
            topt.add_param_group({"params": [tps[2]], "lr_decay": 0.5})
        feed(ps, tps, rng)
        opt.step()
        topt.step()
        assert_same(ps, tps, msg=f"step {step}")
    assert_state_like_torch(opt, topt)


def test_adagrad_honours_a_groups_initial_accumulator_value():
    # torch fills every accumulator from the constructor's value and ignores the group's;
    # compgraph uses the group's (documented).  Groups that do not override it agree.
    ps, _ = make_pair(5)
    opt = optim.Adagrad([{"params": ps[:1], "initial_accumulator_value": 2.0},
                         {"params": ps[1:]}], initial_accumulator_value=0.5)
    assert np.all(opt.state[ps[0]]["sum"] == 2.0)
    assert np.all(opt.state[ps[1]]["sum"] == 0.5)


# --------------------------------------------------------------------------- both
@pytest.mark.parametrize("name,kw", [("RMSprop", dict(momentum=0.9, centered=True)),
                                     ("Adagrad", dict(lr_decay=0.1, weight_decay=0.1))],
                         ids=str)
def test_gradients_are_not_written_by_step(name, kw):
    # the update uses scratch arrays; the caller's gradient arrays must stay as they were
    ps, _ = make_pair(6)
    opt = getattr(optim, name)(ps, **kw)
    rng = np.random.default_rng(6)
    for _ in range(3):
        grads = [rng.normal(size=p.shape) for p in ps]
        for p, g in zip(ps, grads):
            p.grad = cg.tensor(g.copy())
        opt.step()
        for p, g in zip(ps, grads):
            np.testing.assert_array_equal(np.asarray(p.grad.data), g)


@pytest.mark.parametrize("name,kw", [("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
                                     ("Adagrad", dict(lr=0.1, lr_decay=0.2))], ids=str)
def test_float32_parameters_stay_float32_vs_torch(name, kw):
    init = np.random.default_rng(7).normal(size=(5,)).astype(np.float32)
    p = cg.nn.Parameter(init.copy())
    tp = torch.tensor(init.copy(), requires_grad=True)
    opt, topt = getattr(optim, name)([p], **kw), getattr(torch.optim, name)([tp], **kw)
    rng = np.random.default_rng(8)
    for _ in range(5):
        g = rng.normal(size=5).astype(np.float32)
        p.grad, tp.grad = cg.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values()
               if isinstance(v, np.ndarray))
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make,tmake", [
    (lambda ps: optim.RMSprop(ps, lr=-0.1), lambda ps: torch.optim.RMSprop(ps, lr=-0.1)),
    (lambda ps: optim.RMSprop(ps, alpha=-0.1), lambda ps: torch.optim.RMSprop(ps, alpha=-0.1)),
    (lambda ps: optim.RMSprop(ps, eps=-1.0), lambda ps: torch.optim.RMSprop(ps, eps=-1.0)),
    (lambda ps: optim.RMSprop(ps, momentum=-0.5),
     lambda ps: torch.optim.RMSprop(ps, momentum=-0.5)),
    (lambda ps: optim.RMSprop(ps, weight_decay=-1),
     lambda ps: torch.optim.RMSprop(ps, weight_decay=-1)),
    (lambda ps: optim.Adagrad(ps, lr=-0.1), lambda ps: torch.optim.Adagrad(ps, lr=-0.1)),
    (lambda ps: optim.Adagrad(ps, lr_decay=-0.1),
     lambda ps: torch.optim.Adagrad(ps, lr_decay=-0.1)),
    (lambda ps: optim.Adagrad(ps, weight_decay=-0.1),
     lambda ps: torch.optim.Adagrad(ps, weight_decay=-0.1)),
    (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1),
     lambda ps: torch.optim.Adagrad(ps, initial_accumulator_value=-1)),
    (lambda ps: optim.Adagrad(ps, eps=-1e-10), lambda ps: torch.optim.Adagrad(ps, eps=-1e-10)),
], ids=["rms-lr", "rms-alpha", "rms-eps", "rms-momentum", "rms-wd", "ada-lr", "ada-lr_decay",
        "ada-wd", "ada-init", "ada-eps"])
def test_hyperparameter_validation_vs_torch(make, tmake):
    with pytest.raises(ValueError):
        tmake([torch.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError):
        make([cg.nn.Parameter([0.0])])


def test_new_hyperparameters_read_and_write_groups():
    ps, _ = make_pair(0)
    opt = optim.RMSprop([{"params": ps[:1], "alpha": 0.5}, {"params": ps[1:]}])
    assert opt.alpha == 0.5 and opt.lr == 1e-2 and opt.eps == 1e-8 and not opt.centered
    opt.momentum = 0.3
    assert [g["momentum"] for g in opt.param_groups] == [0.3, 0.3]
    with pytest.raises(ValueError):
        opt.alpha = -1.0
    ada = optim.Adagrad(ps)
    assert (ada.lr, ada.lr_decay, ada.eps, ada.initial_accumulator_value) == (1e-2, 0, 1e-10, 0)
    tdefaults = torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]).defaults
    assert all(tdefaults[k] == v for k, v in ada.defaults.items())
    tdefaults = torch.optim.RMSprop([torch.zeros(1, requires_grad=True)]).defaults
    assert all(tdefaults[k] == v for k, v in opt.defaults.items())
    assert {"RMSprop", "Adagrad", "LinearLR", "OneCycleLR", "ReduceLROnPlateau"} <= set(
        optim.__all__)


# --------------------------------------------------------------------------- ReduceLROnPlateau
# A loss that falls, plateaus (changes inside a 5% relative / 0.02 absolute band),
# falls again and then creeps up: rel and abs thresholds disagree on some epochs.
PLATEAU = [5.0, 4.0, 3.9, 3.85, 3.84, 3.839, 3.84, 3.7, 3.69, 3.5, 3.49, 3.489, 3.4889,
           3.49, 3.6, 3.2, 3.19, 3.185, 3.5, 3.4, 3.3, 3.3, 3.3, 3.3, 3.29, 3.3, 3.3, 3.3,
           3.3, 3.3]

PLATEAU_CASES = [
    dict(),
    dict(patience=2),
    dict(patience=0, factor=0.5),
    dict(patience=1, threshold=0.05),
    dict(patience=1, threshold=0.02, threshold_mode="abs"),
    dict(patience=1, threshold=0.0, threshold_mode="abs"),
    dict(patience=1, cooldown=2),
    dict(patience=0, cooldown=3, factor=0.5, threshold_mode="abs", threshold=0.01),
    dict(patience=0, factor=0.5, min_lr=0.02),
    dict(patience=0, factor=0.5, min_lr=[0.03, 0.001]),
    dict(patience=0, factor=0.9, eps=0.01),
    dict(patience=1, factor=0.3, threshold=0.03, cooldown=1, min_lr=0.004, eps=1e-4),
]


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("kw", PLATEAU_CASES, ids=str)
def test_reduce_lr_on_plateau_vs_torch(mode, kw):
    opt, topt = sched_pair()
    s = optim.ReduceLROnPlateau(opt, mode=mode, **kw)
    ts = lr_scheduler.ReduceLROnPlateau(topt, mode=mode, **kw)
    assert_lrs(s.get_last_lr(), ts.get_last_lr())
    sign = 1.0 if mode == "min" else -1.0  # in max mode the same story, mirrored
    reductions = 0
    for epoch, metric in enumerate(PLATEAU, 1):
        before = group_lrs(opt)
        ret = s.step(sign * metric)
        ts.step(sign * metric)
        assert_lrs(group_lrs(opt), group_lrs(topt), (epoch, metric))
        assert_lrs(s.get_last_lr(), ts.get_last_lr(), epoch)
        assert ret == s.get_last_lr()[0]
        assert (s.best, s.num_bad_epochs, s.cooldown_counter, s.last_epoch) == (
            ts.best, ts.num_bad_epochs, ts.cooldown_counter, ts.last_epoch), epoch
        assert s.in_cooldown == ts.in_cooldown
        reductions += group_lrs(opt) != before
    assert reductions >= 1  # the sequence really does plateau for every case


def test_reduce_lr_on_plateau_sequence_by_hand():
    # patience 2, cooldown 1: the rule spelled out, independently of torch
    opt, _ = sched_pair(lrs=(1.0,))
    s = optim.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, threshold=0.0,
                                threshold_mode="abs")
    lrs = [s.step(m) for m in [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 0.5]]
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_reduce_lr_on_plateau_takes_a_tensor_metric_and_validates():
    opt, topt = sched_pair()
    s = optim.ReduceLROnPlateau(opt, patience=0)
    s.step(cg.tensor(2.0))
    s.step(cg.tensor(3.0))
    assert_lrs(group_lrs(opt), [0.02, 0.005])
    for bad in [dict(factor=1.0), dict(mode="median"), dict(threshold_mode="pct"),
                dict(min_lr=[0.1])]:
        with pytest.raises(ValueError):
            lr_scheduler.ReduceLROnPlateau(topt, **bad)
        with pytest.raises(ValueError):
            optim.ReduceLROnPlateau(opt, **bad)
    with pytest.raises(TypeError):
        optim.ReduceLROnPlateau(object())


def test_reduce_lr_on_plateau_after_a_group_is_added_vs_torch():
    for min_lr, error in [(0.001, None), ([0.001, 0.002], RuntimeError)]:
        opt, topt = sched_pair()
        s = optim.ReduceLROnPlateau(opt, patience=0, min_lr=min_lr)
        ts = lr_scheduler.ReduceLROnPlateau(topt, patience=0, min_lr=min_lr)
        s.step(1.0)
        ts.step(1.0)
        opt.add_param_group({"params": [cg.nn.Parameter([0.0])], "lr": 0.5})
        topt.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 0.5})
        if error:
            with pytest.raises(error):
                ts.step(2.0)
            with pytest.raises(error):
                s.step(2.0)
            continue
        for m in [2.0, 2.0, 2.0, 2.0]:
            s.step(m)
            ts.step(m)
            assert_lrs(group_lrs(opt), group_lrs(topt))


def test_reduce_lr_on_plateau_state_dict_round_trip_and_torch_keys():
    opt, topt = sched_pair()
    kw = dict(patience=1, cooldown=1, factor=0.5, min_lr=[0.01, 0.002])
    s = optim.ReduceLROnPlateau(opt, **kw)
    ts = lr_scheduler.ReduceLROnPlateau(topt, **kw)
    for m in PLATEAU[:12]:
        s.step(m)
        ts.step(m)
    sd, tsd = s.state_dict(), ts.state_dict()
    assert set(sd) == set(tsd)
    assert all(sd[k] == tsd[k] for k in sd if k != "_last_lr")
    frozen, osaved = copy.deepcopy(sd), opt.state_dict()
    want = [s.step(m) for m in PLATEAU[12:]]
    for saved in (frozen, tsd):  # our checkpoint, and torch's, resume identically
        opt2, _ = sched_pair()
        opt2.load_state_dict(osaved)
        s2 = optim.ReduceLROnPlateau(opt2, mode="max", patience=50)
        s2.load_state_dict(saved)
        assert [s2.step(m) for m in PLATEAU[12:]] == want


# --------------------------------------------------------------------------- LinearLR
def run_schedules(opt, topt, makers, epochs=12, before_step=None):
    scheds = [mk[0](opt) for mk in makers]
    tscheds = [mk[1](topt) for mk in makers]
    assert_lrs(group_lrs(opt), group_lrs(topt), "after construction")
    for s, ts in zip(scheds, tscheds):
        assert_lrs(s.get_last_lr(), ts.get_last_lr())
        assert s.base_lrs == ts.base_lrs
    for epoch in range(1, epochs + 1):
        if before_step:
            before_step(epoch, opt, topt)
        topt.step()  # no gradients, so no update: only keeps torch's order warning quiet
        for s, ts in zip(scheds, tscheds):
            ret = s.step()
            ts.step()
            assert s.last_epoch == ts.last_epoch == epoch
            assert_lrs(s.get_last_lr(), ts.get_last_lr(), epoch)
            assert ret == s.get_last_lr()[0]
        assert_lrs(group_lrs(opt), group_lrs(topt), epoch)
    return scheds


def linear(**kw):
    return (lambda o: optim.LinearLR(o, **kw), lambda o: lr_scheduler.LinearLR(o, **kw))


@pytest.mark.parametrize("kw", [dict(), dict(start_factor=0.1, total_iters=4),
                                dict(start_factor=1.0, end_factor=0.2, total_iters=6),
                                dict(start_factor=0.5, end_factor=0.0, total_iters=3),
                                dict(start_factor=0.25, end_factor=0.75, total_iters=1)],
                         ids=str)
def test_linear_lr_vs_torch(kw):
    opt, topt = sched_pair()
    run_schedules(opt, topt, [linear(**kw)])
    # and the closed form: base * (start + (end - start) * min(t, T) / T) after 12 epochs
    s, e, T = kw.get("start_factor", 1 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5)
    assert_lrs(group_lrs(opt), [b * (s + (e - s) * min(12, T) / T) for b in (0.2, 0.05)])


def test_linear_lr_chains_and_follows_hand_changes_vs_torch():
    def poke(epoch, opt, topt):
        if epoch == 2:
            opt.param_groups[0]["lr"] = topt.param_groups[0]["lr"] = 0.7
    opt, topt = sched_pair()
    run_schedules(opt, topt, [linear(start_factor=0.2, total_iters=4)], before_step=poke)
    opt, topt = sched_pair()
    exp = (lambda o: optim.ExponentialLR(o, gamma=0.9),
           lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9))
    run_schedules(opt, topt, [linear(start_factor=0.3, total_iters=4), exp])


def test_linear_lr_validates_and_round_trips():
    opt, topt = sched_pair()
    for bad in [dict(start_factor=0.0), dict(start_factor=1.5), dict(end_factor=-0.1),
                dict(end_factor=1.1)]:
        with pytest.raises(ValueError):
            lr_scheduler.LinearLR(topt, **bad)
        with pytest.raises(ValueError):
            optim.LinearLR(opt, **bad)
    s = optim.LinearLR(opt, start_factor=0.1, total_iters=6)
    s.step()
    s.step()
    saved, osaved = s.state_dict(), opt.state_dict()
    want = [s.step() for _ in range(6)]
    opt2, _ = sched_pair()
    opt2.load_state_dict(osaved)
    s2 = optim.LinearLR(opt2, last_epoch=1)  # resuming keeps the loaded lrs...
    assert group_lrs(opt2) == [g["lr"] for g in osaved["param_groups"]]
    s2.load_state_dict(saved)  # ... and the saved schedule continues
    assert [s2.step() for _ in range(6)] == want


# --------------------------------------------------------------------------- OneCycleLR
def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run_one_cycle(opt, topt, kw, steps):
    s = optim.OneCycleLR(opt, **kw)
    ts = lr_scheduler.OneCycleLR(topt, **kw)
    assert_lrs(group_lrs(opt), group_lrs(topt), "construction")
    assert_lrs(momenta(opt), momenta(topt), "construction")
    for step in range(1, steps):
        topt.step()  # no gradients, so no update: only keeps torch's order warning quiet
        ret = s.step()
        ts.step()
        assert s.last_epoch == ts.last_epoch == step
        assert_lrs(group_lrs(opt), group_lrs(topt), step)
        assert_lrs(s.get_last_lr(), ts.get_last_lr(), step)
        assert_lrs(momenta(opt), momenta(topt), step)
        assert ret == group_lrs(opt)[0]
    for g, tg in zip(opt.param_groups, topt.param_groups):
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"):
            if key in tg:
                assert math.isclose(g[key], tg[key], rel_tol=1e-15), key
    return s, ts


ONE_CYCLE_CASES = [
    dict(max_lr=0.1, total_steps=20),
    dict(max_lr=[1.0, 0.3], total_steps=17, pct_start=0.25),
    dict(max_lr=0.5, epochs=4, steps_per_epoch=5),
    dict(max_lr=0.5, total_steps=30, div_factor=10.0, final_div_factor=100.0),
    dict(max_lr=0.5, total_steps=30, base_momentum=0.7, max_momentum=[0.99, 0.9]),
    dict(max_lr=0.5, total_steps=25, three_phase=True),
    dict(max_lr=0.5, total_steps=25, anneal_strategy="linear"),
    dict(max_lr=0.5, total_steps=25, anneal_strategy="linear", three_phase=True,
         pct_start=0.4),
    dict(max_lr=0.5, total_steps=12, cycle_momentum=False),
]


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "RMSprop"])
@pytest.mark.parametrize("kw", ONE_CYCLE_CASES, ids=str)
def test_one_cycle_lr_and_momentum_vs_torch(kw, opt_name):
    opt, topt = sched_pair(opt_name=opt_name)
    total = kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]
    s, ts = run_one_cycle(opt, topt, kw, total + 1)  # every step the schedule allows
    with pytest.raises(ValueError):
        ts.step()
    with pytest.raises(ValueError, match="total_steps"):
        s.step()


def test_one_cycle_drives_adam_and_sgd_vs_torch():
    for name, kw in [("Adam", dict(lr=1e-3, weight_decay=0.01)),
                     ("SGD", dict(lr=1e-3, nesterov=True, momentum=0.5))]:
        ps, tps = make_pair(11)
        opt, topt = getattr(optim, name)(ps, **kw), getattr(torch.optim, name)(tps, **kw)
        s = optim.OneCycleLR(opt, max_lr=0.05, total_steps=10)
        ts = lr_scheduler.OneCycleLR(topt, max_lr=0.05, total_steps=10)
        rng = np.random.default_rng(12)
        for step in range(10):
            feed(ps, tps, rng)
            opt.step()
            topt.step()
            s.step()
            ts.step()
            assert_same(ps, tps, msg=f"{name} step {step}")


def test_one_cycle_validates_like_torch():
    opt, topt = sched_pair()
    for bad in [dict(max_lr=0.1), dict(max_lr=0.1, total_steps=0),
                dict(max_lr=0.1, total_steps=2.5), dict(max_lr=0.1, epochs=2),
                dict(max_lr=0.1, epochs=0, steps_per_epoch=3),
                dict(max_lr=0.1, total_steps=10, pct_start=1.5),
                dict(max_lr=0.1, total_steps=10, anneal_strategy="exp"),
                dict(max_lr=[0.1], total_steps=10)]:
        with pytest.raises(ValueError):
            lr_scheduler.OneCycleLR(topt, **bad)
        with pytest.raises(ValueError):
            optim.OneCycleLR(opt, **bad)
    ps, tps = make_pair(0)
    with pytest.raises(ValueError):
        lr_scheduler.OneCycleLR(torch.optim.Adagrad(tps), max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match="momentum"):
        optim.OneCycleLR(optim.Adagrad(ps), max_lr=0.1, total_steps=10)
    optim.OneCycleLR(optim.Adagrad(ps), max_lr=0.1, total_steps=10, cycle_momentum=False)


def test_one_cycle_state_dict_round_trip():
    opt, _ = sched_pair(opt_name="Adam")
    s = optim.OneCycleLR(opt, max_lr=0.3, total_steps=15, three_phase=True)
    for _ in range(5):
        s.step()
    saved, osaved = copy.deepcopy(s.state_dict()), opt.state_dict()
    want = [(s.step(), momenta(opt)) for _ in range(10)]
    opt2, _ = sched_pair(opt_name="Adam")
    opt2.load_state_dict(osaved)
    s2 = optim.OneCycleLR(opt2, max_lr=9.0, total_steps=15, last_epoch=4)
    s2.load_state_dict(saved)
    assert [(s2.step(), momenta(opt2)) for _ in range(10)] == want
