"""Module.save / Module.load with hostile or unlucky files.

* Parameter names that are ``np.savez``'s own arguments round-trip (as in torch).
* Sizes come from the ``.npy`` headers: only entries the module holds, with its
  shapes, are decompressed; a zip bomb is refused without taking memory.
* A bad file is one ValueError naming the file; a failed save leaves the previous
  file intact and no temporary file behind.
"""
from __future__ import annotations

import os
import tracemalloc
import zipfile

import numpy as np
import pytest

import compgraph as cg
from compgraph.nn import StateDictError

nn = cg.nn


class Odd(nn.Module):
    """Parameters named like np.savez's arguments (file, allow_pickle, args, kwds)."""

    def __init__(self, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.file = nn.Parameter(rng.standard_normal(3))
        self.allow_pickle = nn.Parameter(rng.standard_normal((2, 2)))
        self.args = nn.Parameter(rng.standard_normal(1))
        self.kwds = nn.Parameter(rng.standard_normal(4))
        self.register_buffer("compress", np.arange(3))


def test_names_of_savez_arguments_round_trip_like_torch(tmp_path):
    torch = pytest.importorskip("torch")
    m, p = Odd(1), tmp_path / "odd.npz"
    m.save(str(p))
    other = Odd(2)
    assert other.load(str(p)) == ([], [])
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k], v, err_msg=k)
    # the same keys, in the same order, as a torch module with these names
    t = torch.nn.Module()
    for k, v in m.state_dict().items():
        if k == "compress":
            t.register_buffer(k, torch.tensor(v))
        else:
            t.register_parameter(k, torch.nn.Parameter(torch.tensor(v)))
    assert list(t.state_dict()) == list(m.state_dict())
    with np.load(str(p), allow_pickle=False) as z:  # still an ordinary .npz
        assert z.files == list(m.state_dict())


# --------------------------------------------------------------------------- sizes

_N = 50_000_000  # 400 MB of float64 zeros, about 400 KB deflated


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """An .npz with weight (400 MB of zeros, deflated) and a small bias."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("weight.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (_N,)})
            chunk = bytes(1 << 20)
            for _ in range(_N * 8 // len(chunk)):
                f.write(chunk)
        with zf.open("bias.npy", "w") as f:
            np.lib.format.write_array(f, np.full(2, 7.0))
    assert os.path.getsize(path) < 1_000_000
    return str(path)


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_zip_bomb_of_a_held_key_is_refused_without_taking_memory(bomb):
    m = nn.Linear(3, 2, seed=0)  # weight (2, 3): the file's weight has _N elements
    before = {k: v.copy() for k, v in m.state_dict().items()}

    def load():
        with pytest.raises(StateDictError, match="size mismatch for weight"):
            m.load(bomb)

    peak = _peak(load)
    assert peak < 32 << 20, f"peak {peak / 2**20:.0f} MiB"
    for k, v in m.state_dict().items():  # nothing was loaded
        np.testing.assert_array_equal(v, before[k])


def test_entry_the_module_does_not_hold_is_never_decompressed(bomb):
    class OnlyBias(nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = nn.Parameter(np.zeros(2))

    m = OnlyBias()
    peak = _peak(lambda: m.load(bomb, strict=False))
    assert peak < 32 << 20, f"peak {peak / 2**20:.0f} MiB"
    np.testing.assert_array_equal(m.bias.data, [7.0, 7.0])
    with pytest.raises(StateDictError, match='Unexpected key.*"weight"'):
        OnlyBias().load(bomb)  # strict: named, still not decompressed


def test_old_and_compressed_files_still_load(tmp_path):
    m = nn.Linear(3, 2, seed=4)
    for save in (np.savez, np.savez_compressed):
        p = tmp_path / f"{save.__name__}.npz"
        save(str(p), **m.state_dict())
        other = nn.Linear(3, 2, seed=5)
        assert other.load(str(p)) == ([], [])
        np.testing.assert_array_equal(other.weight.data, m.weight.data)


# --------------------------------------------------------------------------- bad files

def _write_entry(path, name, raw):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, raw)


@pytest.mark.parametrize("kind", ["empty", "truncated", "text", "random", "not npy",
                                  "object array", "bad npy header", "missing"])
def test_bad_file_gives_one_value_error_naming_the_file(kind, tmp_path):
    m = nn.Linear(3, 2, seed=0)
    before = {k: v.copy() for k, v in m.state_dict().items()}
    p = tmp_path / "bad.npz"
    good = tmp_path / "good.npz"
    m.save(str(good))
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "truncated":
        p.write_bytes(good.read_bytes()[:150])
    elif kind == "text":
        p.write_text("weight = 1")
    elif kind == "random":
        p.write_bytes(np.random.default_rng(0).bytes(500))
    elif kind == "not npy":
        _write_entry(p, "weight.txt", b"1 2 3")
    elif kind == "object array":
        np.savez(str(p), weight=np.array([None, "x"], dtype=object), allow_pickle=True)
    elif kind == "bad npy header":
        _write_entry(p, "weight.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': os.system}")
    with pytest.raises(ValueError, match="Module.load") as info:
        m.load(str(p))
    assert str(p) in str(info.value)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_of_a_path_says_to_call_load():
    with pytest.raises(TypeError, match=r"Module.load\(path\)"):
        nn.Linear(2, 2).load_state_dict("weights.npz")


# --------------------------------------------------------------------------- atomic save

def test_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    p = tmp_path / "m.npz"
    nn.Linear(3, 2, seed=0).save(str(p))
    old = p.read_bytes()
    real = np.lib.format.write_array
    calls = []

    def write_array(*args, **kwargs):  # fails half way: after the first entry
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_array)
    with pytest.raises(OSError, match="simulated"):
        nn.Linear(3, 2, seed=9).save(str(p))
    calls.clear()
    with pytest.raises(OSError, match="simulated"):
        nn.Linear(3, 2, seed=9).save(str(tmp_path / "new.npz"))
    monkeypatch.undo()
    assert p.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.npz"]
    again = nn.Linear(3, 2, seed=3)
    again.load(str(p))
    np.testing.assert_array_equal(again.weight.data, nn.Linear(3, 2, seed=0).weight.data)
