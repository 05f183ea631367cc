"""compgraph.optim against torch.optim: updates, schedules and gradient clipping."""
import math

import numpy as np
import pytest
import torch

import compgraph as cg
from optim_pairs import SHAPES, make_pair

optim = cg.optim


def run_both(make_cg, make_torch, steps=6, seed=0, grad_fn=None, schedule=None):
    """Same gradients on both sides for several steps; compare parameters after each."""
    ps, tps = make_pair(seed)
    opt, topt = make_cg(ps), make_torch(tps)
    sch = schedule[0](opt) if schedule else None
    tsch = schedule[1](topt) if schedule else None
    rng = np.random.default_rng(seed + 100)
    for step in range(steps):
        for p, tp in zip(ps, tps):
            if grad_fn is None:
                g = rng.normal(size=p.shape) * (1 + step)
            else:
                g = grad_fn(np.array(p.data))
            p.grad = cg.tensor(g)
            tp.grad = torch.tensor(np.array(g, dtype=np.float64))
        opt.step()
        topt.step()
        if sch:
            sch.step()
            tsch.step()
            assert math.isclose(opt.lr, topt.param_groups[0]["lr"], rel_tol=1e-12, abs_tol=1e-15)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(np.asarray(p.data), tp.detach().numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=f"step {step}")
    return ps


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.05),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True),
    dict(lr=0.05, momentum=0.7, dampening=0.5, weight_decay=0.1),
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_vs_torch(kw):
    run_both(lambda ps: optim.SGD(ps, **kw), lambda tps: torch.optim.SGD(tps, **kw))


@pytest.mark.parametrize("kw", SGD_CASES[1:4], ids=str)
def test_sgd_vs_torch_state_dependent_grads(kw):
    # gradients of 0.5*|p - 1|^2 * p^2: they depend on the parameters, so errors compound
    run_both(lambda ps: optim.SGD(ps, **kw), lambda tps: torch.optim.SGD(tps, **kw), steps=15,
             grad_fn=lambda a: (a - 1) * a * a + (a - 1) ** 2 * a)


ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.03, amsgrad=True, weight_decay=0.05, betas=(0.5, 0.9)),
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=str)
def test_adam_vs_torch(kw):
    run_both(lambda ps: optim.Adam(ps, **kw), lambda tps: torch.optim.Adam(tps, **kw), steps=8)


@pytest.mark.parametrize("kw", [dict(lr=0.01), dict(lr=0.01, weight_decay=0.3),
                                dict(lr=0.05, weight_decay=0.1, amsgrad=True),
                                dict(lr=0.01, weight_decay=0.0)], ids=str)
def test_adamw_vs_torch(kw):
    run_both(lambda ps: optim.AdamW(ps, **kw), lambda tps: torch.optim.AdamW(tps, **kw),
             steps=8)


def test_amsgrad_with_shrinking_grads_vs_torch():
    # decreasing gradient magnitudes make v fall below its running max
    kw = dict(lr=0.1, amsgrad=True, betas=(0.5, 0.6))
    scale = iter(np.geomspace(10, 0.01, 10 * len(SHAPES)))
    run_both(lambda ps: optim.Adam(ps, **kw), lambda tps: torch.optim.Adam(tps, **kw), steps=10,
             grad_fn=lambda a: np.ones_like(a) * next(scale))


def test_adam_default_hyperparameters_match_torch():
    a = optim.Adam([cg.nn.Parameter([1.0])])
    t = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert (a.lr, tuple(a.betas), a.eps, a.weight_decay, a.amsgrad) == (
        t["lr"], tuple(t["betas"]), t["eps"], t["weight_decay"], t["amsgrad"])
    w = optim.AdamW([cg.nn.Parameter([1.0])])
    tw = torch.optim.AdamW([torch.zeros(1, requires_grad=True)]).defaults
    assert (w.lr, w.weight_decay) == (tw["lr"], tw["weight_decay"])


def test_params_without_grad_are_skipped():
    ps, tps = make_pair(1)
    opt = optim.Adam(ps, lr=0.1, weight_decay=0.1)
    topt = torch.optim.Adam(tps, lr=0.1, weight_decay=0.1)
    before = np.array(ps[1].data)
    for _ in range(3):
        for i in (0, 2):
            g = np.full(ps[i].shape, 0.5)
            ps[i].grad = cg.tensor(g)
            tps[i].grad = torch.tensor(g)
        opt.step()
        topt.step()
    np.testing.assert_array_equal(np.asarray(ps[1].data), before)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(np.asarray(p.data), tp.detach().numpy(), rtol=1e-12)


def test_step_updates_in_place_and_zero_grad():
    p = cg.nn.Parameter(np.ones(3))
    buf = p.data
    opt = optim.SGD([p], lr=0.5)
    p.grad = cg.tensor(np.array([1.0, 2.0, 3.0]))
    opt.step()
    assert p.data is buf or np.shares_memory(p.data, buf)
    np.testing.assert_allclose(buf, [0.5, 0.0, -0.5])
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # no gradient: nothing changes
    np.testing.assert_allclose(np.asarray(p.data), [0.5, 0.0, -0.5])


def test_optimizer_on_a_model_after_backward():
    lin = cg.nn.Linear(3, 2, seed=0)
    tl = torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.weight.data))
        tl.bias.copy_(torch.tensor(lin.bias.data))
    opt = optim.SGD(lin.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    topt = torch.optim.SGD(tl.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    x = np.random.default_rng(0).normal(size=(5, 3))
    for _ in range(5):
        opt.zero_grad()
        topt.zero_grad()
        (lin(cg.tensor(x)) ** 2).sum().backward()
        (tl(torch.tensor(x)) ** 2).sum().backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(lin.weight.data, tl.weight.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(lin.bias.data, tl.bias.detach().numpy(), rtol=1e-10)


def test_optimizer_errors():
    with pytest.raises(ValueError):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError):
        optim.Adam([cg.nn.Parameter([1.0])], lr=-1.0)
    with pytest.raises(ValueError):
        optim.SGD([cg.nn.Parameter([1.0])], lr=0.1, nesterov=True)  # no momentum
    with pytest.raises(ValueError):
        optim.SGD([cg.nn.Parameter([1.0])], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(TypeError):
        optim.SGD([cg.tensor([1.0])], lr=0.1)  # does not require grad
    x = cg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError):
        optim.SGD([x * 2], lr=0.1)  # not a leaf


# --------------------------------------------------------------------------- schedules
SCHEDULES = [
    ("StepLR", lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    ("ExponentialLR", lambda o: optim.ExponentialLR(o, gamma=0.8),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8)),
    ("CosineAnnealingLR", lambda o: optim.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01)),
    ("CosineAnnealingLR0", lambda o: optim.CosineAnnealingLR(o, T_max=4),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4)),
    ("LambdaLR", lambda o: optim.LambdaLR(o, lambda e: 1.0 / (1 + e) + 0.1 * (e % 2)),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (1 + e) + 0.1 * (e % 2))),
]


@pytest.mark.parametrize("name,mk,tmk", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_lrs_vs_torch(name, mk, tmk):
    p = cg.nn.Parameter([1.0])
    tp = torch.zeros(1, requires_grad=True)
    opt, topt = optim.SGD([p], lr=0.2), torch.optim.SGD([tp], lr=0.2)
    sch, tsch = mk(opt), tmk(topt)
    assert math.isclose(opt.lr, topt.param_groups[0]["lr"], rel_tol=1e-12)
    for epoch in range(1, 13):  # past T_max for the cosine schedules
        topt.step()
        ret = sch.step()
        tsch.step()
        want = topt.param_groups[0]["lr"]
        assert math.isclose(opt.lr, want, rel_tol=1e-9, abs_tol=1e-15), (epoch, opt.lr, want)
        assert math.isclose(ret, want, rel_tol=1e-9, abs_tol=1e-15)
        assert sch.last_epoch == tsch.last_epoch == epoch


@pytest.mark.parametrize("name,mk,tmk", SCHEDULES[:3], ids=[s[0] for s in SCHEDULES[:3]])
def test_schedules_drive_adam_updates_vs_torch(name, mk, tmk):
    run_both(lambda ps: optim.Adam(ps, lr=0.05), lambda tps: torch.optim.Adam(tps, lr=0.05),
             steps=8, schedule=(mk, tmk))


def test_schedule_drives_sgd_momentum_vs_torch():
    run_both(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
             lambda tps: torch.optim.SGD(tps, lr=0.1, momentum=0.9), steps=7,
             schedule=(SCHEDULES[0][1], SCHEDULES[0][2]))


# --------------------------------------------------------------------------- clipping
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e3])
def test_clip_grad_norm_vs_torch(max_norm):
    rng = np.random.default_rng(3)
    ps, tps = make_pair(3)
    for p, tp in zip(ps, tps):
        g = rng.normal(size=p.shape)
        p.grad = cg.tensor(g)
        tp.grad = torch.tensor(g)
    total = optim.clip_grad_norm_(ps, max_norm)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm)
    assert math.isclose(float(total), float(ttotal), rel_tol=1e-12)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(np.asarray(p.grad.data), tp.grad.numpy(), rtol=1e-12)
        assert p.grad.shape == p.shape
    new = math.sqrt(sum(float(np.sum(np.asarray(p.grad.data) ** 2)) for p in ps))
    assert new <= max_norm * (1 + 1e-9) or max_norm > total


def test_clip_grad_norm_skips_missing_grads_and_generator():
    ps, tps = make_pair(4)
    g = np.array([3.0, 4.0, 0.0, 0.0])
    ps[1].grad = cg.tensor(g)
    tps[1].grad = torch.tensor(g)
    total = optim.clip_grad_norm_((p for p in ps), 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    assert math.isclose(float(total), 5.0) and math.isclose(float(ttotal), 5.0)
    assert ps[0].grad is None and ps[2].grad is None
    np.testing.assert_allclose(np.asarray(ps[1].grad.data), tps[1].grad.numpy(), rtol=1e-12)
