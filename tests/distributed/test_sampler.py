"""``DistributedSampler`` against torch's, and ``DataLoader(..., sampler=...)``."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

DS = cg.data.DistributedSampler


@pytest.mark.parametrize("n", [0, 1, 7, 10, 12])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_indices_are_torchs(n, replicas, drop_last):
    torch = pytest.importorskip("torch")
    for r in range(replicas):
        ours = DS(n, num_replicas=replicas, rank=r, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(
            range(n), num_replicas=replicas, rank=r, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs), (n, replicas, r)
        assert len(ours) == len(theirs)


def test_shuffled_shares_are_disjoint_equal_and_cover_everything():
    n, k = 23, 4
    shares = [list(DS(n, num_replicas=k, rank=r, seed=5)) for r in range(k)]
    assert {len(s) for s in shares} == {6}  # 23 padded to 24
    flat = sum(shares, [])
    assert sorted(set(flat)) == list(range(n)) and len(flat) == 24
    perm = np.random.default_rng(5).permutation(n)
    together = [shares[i % k][i // k] for i in range(24)]  # rank-strided, as torch
    assert together[:n] == perm.tolist()


def test_drop_last_cuts_instead_of_padding():
    shares = [list(DS(23, num_replicas=4, rank=r, seed=1, drop_last=True)) for r in range(4)]
    flat = sum(shares, [])
    assert {len(s) for s in shares} == {5} and len(set(flat)) == 20


def test_set_epoch_changes_the_order_the_same_way_on_every_rank():
    a, b = DS(40, num_replicas=2, rank=0, seed=3), DS(40, num_replicas=2, rank=1, seed=3)
    first = list(a) + list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    second = list(a) + list(b)
    assert first != second and sorted(first) == sorted(second) == list(range(40))
    assert list(DS(40, num_replicas=2, rank=0, seed=3)) == first[:20]  # seeded
    assert list(DS(40, num_replicas=2, rank=0, seed=4)) != first[:20]


def test_lengths_from_arrays_and_tuples():
    x, y = np.zeros((9, 2)), np.zeros(9)
    assert len(DS(x, num_replicas=2, rank=0)) == 5
    assert len(DS((x, y), num_replicas=2, rank=1)) == 5
    assert len(DS(cg.tensor(x), num_replicas=3, rank=2)) == 3


def test_defaults_come_from_distributed():
    s = DS(5)
    assert (s.num_replicas, s.rank) == (1, 0) and list(DS(5, shuffle=False)) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("kw", [dict(num_replicas=2, rank=2), dict(num_replicas=2, rank=-1),
                                dict(num_replicas=0, rank=0)])
def test_bad_rank_or_replicas(kw):
    with pytest.raises(ValueError, match="rank|num_replicas"):
        DS(10, **kw)


def test_dataloader_follows_the_sampler():
    x, y = np.arange(10) * 10, np.arange(10)
    sampler = DS(10, num_replicas=2, rank=1, shuffle=False)  # 1 3 5 7 9
    loader = cg.data.DataLoader((x, y), batch_size=2, sampler=sampler)
    batches = [b[1].tolist() for b in loader]
    assert batches == [[1, 3], [5, 7], [9]] and len(loader) == 3
    dropped = cg.data.DataLoader((x, y), batch_size=2, sampler=sampler, drop_last=True)
    assert len(dropped) == 2 and len(list(dropped)) == 2
    single = cg.data.DataLoader(x, batch_size=None, sampler=[4, 2])
    assert [int(v) for v in single] == [40, 20] and len(single) == 2


def test_dataloader_refuses_sampler_with_shuffle_and_bad_indices():
    with pytest.raises(ValueError, match="mutually exclusive"):
        cg.data.DataLoader(np.zeros(4), sampler=[0, 1], shuffle=True)
    with pytest.raises(IndexError, match="outside the 4 samples"):
        list(cg.data.DataLoader(np.zeros(4), batch_size=2, sampler=[0, 7]))


def test_union_of_rank_batches_is_the_large_batch():
    """Batch k of every rank together is batch k of one process with the summed batch."""
    n, k, b = 48, 3, 4
    big = cg.data.DataLoader(np.arange(n), batch_size=k * b, sampler=DS(n, 1, 0, seed=9))
    small = [cg.data.DataLoader(np.arange(n), batch_size=b, sampler=DS(n, k, r, seed=9))
             for r in range(k)]
    for whole, *parts in zip(big, *small):
        assert sorted(np.concatenate(parts).tolist()) == sorted(whole.tolist())
