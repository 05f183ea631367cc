"""The adder examples (a transformer and an LSTM learning "37+48=" -> "85") run their
short ``--quick`` training, dynamic and compiled, and the loss falls (each asserts it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    sys.path.insert(0, str(EXAMPLES))  # train_adder_lstm imports train_adder
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))
    return module


@pytest.mark.parametrize(
    "name, flags",
    [
        ("train_adder", ["--d-model", "32", "--ff", "64"]),
        ("train_adder", ["--d-model", "32", "--ff", "64", "--compiled"]),
        ("train_adder_lstm", ["--hidden", "64", "--layers", "1"]),
    ],
)
def test_adder_example_quick(name, flags, tmp_path):
    hist = _load(name).main(["--quick", *flags])
    assert np.mean(hist["loss"][-5:]) < 0.7 * np.mean(hist["loss"][:5])
    assert 0.0 <= hist["accuracy"][-1] <= 1.0
    if "--compiled" in flags:
        assert hist["traces"] == 1  # new batches and learning rates never retrace


def test_adder_data_is_seeded_and_held_out():
    ex = _load("train_adder")
    tr, te = ex.make_data(0)
    tr2, te2 = ex.make_data(0)
    assert np.array_equal(tr, tr2) and len(tr) + len(te) == 90 * 90
    assert not {tuple(r) for r in tr} & {tuple(r) for r in te}
    assert "".join(ex.VOCAB[i] for i in tr[0]).rstrip("_").count("=") == 1
