"""Modules (state, modes), DataLoader and short end-to-end training runs."""

import numpy as np
import pytest
import torch

import compgraph as cg
from helpers import same_state

nn = cg.nn


def mlp(seed=0, bn=True):
    layers = [nn.Linear(2, 8, seed=seed)]
    if bn:
        layers.append(nn.BatchNorm1d(8))
    layers += [nn.ReLU(), nn.Dropout(0.2, seed=seed), nn.Linear(8, 3, seed=seed + 1)]
    return nn.Sequential(*layers)


def perturb(model, seed=1):
    rng = np.random.default_rng(seed)
    for _, p in model.named_parameters():
        p.data[...] = rng.normal(size=p.shape)
    for _, b in model.named_buffers():
        b[...] = rng.uniform(0.5, 2.0, size=b.shape)


# --------------------------------------------------------------------------- Module
def test_parameter_discovery_and_names():
    m = mlp()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"]
    assert len(m.parameters()) == 6 and all(p.requires_grad for p in m.parameters())
    assert [n for n, _ in m.named_buffers()] == ["1.running_mean", "1.running_var",
                                                 "1.num_batches_tracked"]
    # module by module, as torch: each module's parameters, then its buffers
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                    "1.running_var", "1.num_batches_tracked", "4.weight",
                                    "4.bias"]
    assert len(m) == 5 and isinstance(m[3], nn.Dropout)

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, seed=0)
            self.b = self.a  # shared: its parameters count once
            self.scale = nn.Parameter(np.ones(2))

        def forward(self, x):
            return self.b(self.a(x)) * self.scale

    t = Tied()
    assert len(t.parameters()) == 3
    with pytest.raises(TypeError):
        nn.Sequential(nn.ReLU(), "not a module")


def test_state_dict_is_a_copy_and_round_trips():
    a, b = mlp(0), mlp(5)
    a(cg.tensor(np.random.default_rng(0).normal(size=(6, 2))))  # move running stats
    sd = a.state_dict()
    assert not same_state(a, b)
    b.load_state_dict(sd)
    assert same_state(a, b)
    sd["0.weight"][...] = 123.0  # editing the copy changes neither model
    assert not np.any(a[0].weight.data == 123.0)
    assert not np.any(b[0].weight.data == 123.0)
    # loading writes into the existing buffers (optimisers keep working)
    buf = b[0].weight.data
    b.load_state_dict(mlp(9).state_dict())
    assert np.shares_memory(buf, b[0].weight.data)
    np.testing.assert_array_equal(b[0].weight.data, mlp(9)[0].weight.data)
    x = cg.tensor(np.random.default_rng(1).normal(size=(4, 2)))
    a.eval()
    b.load_state_dict(a.state_dict())
    b.eval()
    np.testing.assert_array_equal(np.asarray(a(x).data), np.asarray(b(x).data))


def test_save_load_npz_without_pickle(tmp_path):
    a, b = mlp(0), mlp(3)
    perturb(a)
    path = tmp_path / "model.npz"
    a.save(str(path))
    with np.load(path, allow_pickle=False) as data:  # plain arrays only
        assert sorted(data.files) == sorted(a.state_dict())
        for k, v in a.state_dict().items():
            np.testing.assert_array_equal(data[k], v)
            assert data[k].dtype != object
    b.load(str(path))
    assert same_state(a, b)


def test_load_refuses_pickled_objects(tmp_path):
    m = nn.Linear(2, 2, seed=0)
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([{"a": 1}, None], dtype=object), bias=np.zeros(2))
    before = m.state_dict()
    with pytest.raises(ValueError):
        m.load(str(path))
    assert all(np.array_equal(before[k], v) for k, v in m.state_dict().items())


def test_strict_key_checks():
    m = mlp(0)
    sd = m.state_dict()
    original = mlp(0).state_dict()
    perturbed = mlp(0)
    perturb(perturbed)
    new = perturbed.state_dict()
    missing = dict(new)
    del missing["4.bias"]
    with pytest.raises(KeyError):
        m.load_state_dict(missing)
    extra = dict(new, **{"5.weight": np.zeros(3)})
    with pytest.raises(KeyError):
        m.load_state_dict(extra)
    no_buffer = dict(new)
    del no_buffer["1.running_var"]
    with pytest.raises(KeyError):
        m.load_state_dict(no_buffer)
    assert all(np.array_equal(original[k], v) for k, v in m.state_dict().items())
    # strict=False loads what matches and ignores the rest
    m.load_state_dict(missing, strict=False)
    got = m.state_dict()
    np.testing.assert_array_equal(got["4.bias"], sd["4.bias"])
    np.testing.assert_array_equal(got["0.weight"], new["0.weight"])
    m.load_state_dict(extra, strict=False)
    assert same_state(m, perturbed)


@pytest.mark.parametrize("bad_key", ["0.weight", "4.bias", "1.running_mean"])
def test_shape_mismatch_raises_and_leaves_model_unchanged(bad_key, tmp_path):
    m = mlp(0)
    before = m.state_dict()
    other = mlp(0)
    perturb(other)
    state = other.state_dict()
    state[bad_key] = np.zeros(state[bad_key].shape + (1,))
    with pytest.raises(ValueError):
        m.load_state_dict(state)
    after = m.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    with pytest.raises(ValueError):
        m.load_state_dict(state, strict=False)
    assert all(np.array_equal(before[k], v) for k, v in m.state_dict().items())
    path = tmp_path / "bad.npz"
    np.savez(path, **state)
    with pytest.raises(ValueError):
        m.load(str(path))
    assert all(np.array_equal(before[k], v) for k, v in m.state_dict().items())


def test_train_eval_modes_propagate():
    m = mlp(0)
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    assert m.train() is m and all(mod.training for mod in m.modules())
    m.train(False)
    assert not m[3].training and not m[1].training
    x = cg.tensor(np.random.default_rng(0).normal(size=(5, 2)))
    a, b = m(x), m(x)  # eval: deterministic, running stats untouched
    np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))
    np.testing.assert_array_equal(m[1].running_mean, np.zeros(8))
    m.train()
    m(x)
    assert not np.array_equal(m[1].running_mean, np.zeros(8))


def test_zero_grad():
    m = mlp(0, bn=False)
    m.eval()
    (m(cg.tensor(np.ones((2, 2)))) ** 2).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_module_needs_super_init_and_forward():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(RuntimeError):
        Bad()
    with pytest.raises(NotImplementedError):
        nn.Module()(1.0)


def test_bn_mlp_matches_torch_over_training_steps():
    """Linear+BatchNorm+Tanh net trained by SGD next to torch: params and running stats."""
    m = nn.Sequential(nn.Linear(3, 5, seed=0), nn.BatchNorm1d(5), nn.Tanh(),
                      nn.Linear(5, 2, seed=1))
    tm = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5), torch.nn.Tanh(),
                             torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for p, tp in zip(m.parameters(), tm.parameters()):
            tp.copy_(torch.tensor(p.data))
    opt = cg.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
        opt.zero_grad()
        topt.zero_grad()
        nn.cross_entropy(m(cg.tensor(x)), y).backward()
        torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y)).backward()
        opt.step()
        topt.step()
    for p, tp in zip(m.parameters(), tm.parameters()):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m[1].running_mean, tm[1].running_mean.numpy(), rtol=1e-10)
    np.testing.assert_allclose(m[1].running_var, tm[1].running_var.numpy(), rtol=1e-10)
    m.eval()
    tm.eval()
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(np.asarray(m(cg.tensor(x)).data),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-8, atol=1e-10)


# --------------------------------------------------------------------------- DataLoader
def test_dataloader_unshuffled_batches():
    x, y = np.arange(10).reshape(10, 1) * 1.0, np.arange(10)
    loader = cg.data.DataLoader((x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    assert isinstance(batches[0][0], np.ndarray)


@pytest.mark.parametrize("n,bs,drop_last,expect", [(10, 4, False, 3), (10, 4, True, 2),
                                                   (12, 4, True, 3), (12, 4, False, 3),
                                                   (3, 5, True, 0), (3, 5, False, 1),
                                                   (7, 1, True, 7)])
def test_dataloader_batch_counts(n, bs, drop_last, expect):
    loader = cg.data.DataLoader((np.arange(n),), batch_size=bs, shuffle=True, seed=0,
                                drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == expect
    assert all(len(b[0]) == bs for b in batches[:-1])
    if drop_last:
        assert all(len(b[0]) == bs for b in batches)
        seen = np.concatenate([b[0] for b in batches]) if batches else np.array([], int)
        assert len(seen) == expect * bs and len(set(seen.tolist())) == len(seen)


def test_dataloader_shuffle_seeded_covers_every_sample():
    n = 23
    x, y = np.arange(n) * 10.0, np.arange(n)
    a = cg.data.DataLoader((x, y), batch_size=5, shuffle=True, seed=42)
    b = cg.data.DataLoader((x, y), batch_size=5, shuffle=True, seed=42)
    c = cg.data.DataLoader((x, y), batch_size=5, shuffle=True, seed=43)
    orders = []
    for epoch in range(3):
        ea, eb, ec = list(a), list(b), list(c)
        ya = np.concatenate([bt[1] for bt in ea])
        assert sorted(ya.tolist()) == list(range(n))  # every sample exactly once
        for bt in ea:  # rows stay aligned across arrays
            np.testing.assert_array_equal(bt[0], bt[1] * 10.0)
        np.testing.assert_array_equal(ya, np.concatenate([bt[1] for bt in eb]))  # seeded
        assert not np.array_equal(ya, np.concatenate([bt[1] for bt in ec]))
        orders.append(ya)
    assert not np.array_equal(orders[0], np.arange(n))
    assert not np.array_equal(orders[0], orders[1])  # reshuffled each epoch
    assert not np.array_equal(orders[1], orders[2])


def test_dataloader_tensors_and_errors():
    loader = cg.data.DataLoader((cg.tensor(np.ones((4, 2))), np.arange(4)), batch_size=3,
                                as_tensors=True)
    xb, yb = next(iter(loader))
    assert isinstance(xb, cg.Tensor) and isinstance(yb, cg.Tensor) and xb.shape == (3, 2)
    with pytest.raises(ValueError):
        cg.data.DataLoader((np.ones(3), np.ones(4)))
    with pytest.raises(ValueError):
        cg.data.DataLoader((np.ones(3),), batch_size=0)
    with pytest.raises(ValueError):
        cg.data.DataLoader(())


# --------------------------------------------------------------------------- training
def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    centres = np.array([[-1.5, -1.0], [1.5, 1.0]])
    return centres[y] + rng.normal(scale=0.7, size=(n, 2)), y


def xor(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)


def accuracy(model, x, y):
    model.eval()
    pred = np.argmax(np.asarray(model(cg.tensor(x)).data), axis=1)
    model.train()
    return float(np.mean(pred == y))


def test_mlp_adam_learns_xor():
    x, y = xor()
    model = nn.Sequential(nn.Linear(2, 16, seed=0), nn.Tanh(), nn.Linear(16, 16, seed=1),
                          nn.ReLU(), nn.Linear(16, 2, seed=2))
    assert accuracy(model, x, y) < 0.8
    opt = cg.optim.Adam(model.parameters(), lr=0.02)
    loader = cg.data.DataLoader((x, y), batch_size=32, shuffle=True, seed=0)
    losses, steps = [], 0
    while steps < 300:
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.cross_entropy(model(cg.tensor(xb)), yb)
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
            steps += 1
    assert accuracy(model, x, y) >= 0.95
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
    xt, yt = xor(200, seed=1)
    assert accuracy(model, xt, yt) >= 0.9


def test_mlp_with_bn_dropout_adamw_schedule_learns_blobs(tmp_path):
    x, y = blobs()
    model = nn.Sequential(nn.Linear(2, 16, seed=0), nn.BatchNorm1d(16), nn.ReLU(),
                          nn.Dropout(0.1, seed=0), nn.Linear(16, 2, seed=1))
    opt = cg.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01)
    sched = cg.optim.StepLR(opt, step_size=5, gamma=0.5)
    loader = cg.data.DataLoader((x, y), batch_size=25, shuffle=True, seed=1, drop_last=True)
    for _ in range(10):
        for xb, yb in loader:
            opt.zero_grad()
            nn.cross_entropy(model(cg.tensor(xb)), yb).backward()
            cg.optim.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        sched.step()
    assert opt.lr == pytest.approx(0.05 * 0.25)
    acc = accuracy(model, x, y)
    assert acc >= 0.95
    xt, yt = blobs(200, seed=7)
    assert accuracy(model, xt, yt) >= 0.9
    # a saved and reloaded model predicts the same
    model.save(str(tmp_path / "m.npz"))
    clone = nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(16, 2))
    clone.load(str(tmp_path / "m.npz"))
    model.eval()
    clone.eval()
    np.testing.assert_array_equal(np.asarray(model(cg.tensor(xt)).data),
                                  np.asarray(clone(cg.tensor(xt)).data))
