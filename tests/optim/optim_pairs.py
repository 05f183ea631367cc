"""Helpers shared by the optimiser tests: the same parameters and gradients on the
compgraph side and the torch side, and the comparison of the results (parameters and
learning rates).

Importable as ``optim_pairs`` from the test files next to it (pytest puts their
directory on ``sys.path``). It imports torch: import it after
``pytest.importorskip("torch")``."""
import math

import numpy as np
import torch

import compgraph as cg

SHAPES = [(3, 4), (4,), ()]


def make_pair(seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s) for s in shapes]
    ps = [cg.nn.Parameter(a.copy()) for a in init]
    tps = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    return ps, tps


def feed(ps, tps, rng, scale=1.0):
    """The same random gradient on both sides (params whose grad slot is skipped stay None)."""
    for p, tp in zip(ps, tps):
        g = rng.normal(size=p.shape) * scale
        p.grad = cg.tensor(g)
        tp.grad = torch.tensor(g)


def assert_same(ps, tps, rtol=1e-10, msg=""):
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(np.asarray(p.data), tp.detach().numpy(), rtol=rtol,
                                   atol=1e-12, err_msg=msg)


def sched_pair(lrs=(0.2, 0.05), opt_name="SGD", **kw):
    """The same optimiser on both sides, one parameter group per lr."""
    ps, tps = make_pair(10, shapes=[(2,)] * len(lrs))
    opt = getattr(cg.optim, opt_name)([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], **kw)
    topt = getattr(torch.optim, opt_name)([{"params": [p], "lr": lr} for p, lr in zip(tps, lrs)],
                                          **kw)
    return opt, topt


def group_lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def assert_lrs(got, want, msg=""):
    assert len(got) == len(want), msg
    for a, b in zip(got, want):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), (msg, got, want)
