"""cg.strided_slice (TensorFlow's tf.strided_slice): TF's documented examples, every mask
against the NumPy index it stands for, gradients, and errors."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

T = np.array([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]], [[5, 5, 5], [6, 6, 6]]])


@pytest.mark.parametrize("begin,end,strides,want", [
    ([1, 0, 0], [2, 1, 3], [1, 1, 1], [[[3, 3, 3]]]),                 # TF's docs
    ([1, 0, 0], [2, 2, 3], [1, 1, 1], [[[3, 3, 3], [4, 4, 4]]]),
    ([1, -1, 0], [2, -3, 3], [1, -1, 1], [[[4, 4, 4], [3, 3, 3]]]),
])
def test_tensorflows_documented_examples(begin, end, strides, want):
    assert cg.strided_slice(T, begin, end, strides).numpy().tolist() == want


X = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)


@pytest.mark.parametrize("kw,index", [
    (dict(begin=[0, 1], end=[2, 3], strides=[1, 1]), np.s_[0:2, 1:3]),
    (dict(begin=[1, 0], end=[0, 2], begin_mask=0b01), np.s_[:0, 0:2]),
    (dict(begin=[0, 1], end=[0, 3], end_mask=0b01), np.s_[0:, 1:3]),
    (dict(begin=[0, 0, 1], end=[0, 0, 4], strides=[1, 1, 2], ellipsis_mask=0b010),
     np.s_[0:0, ..., 1:4:2]),
    (dict(begin=[0, 0, 0], end=[2, 0, 3], new_axis_mask=0b010), np.s_[0:2, None, 0:3]),
    (dict(begin=[1, 2], end=[0, 4], shrink_axis_mask=0b01), np.s_[1, 2:4]),
    (dict(begin=[0, -1], end=[0, 0], begin_mask=0b01, end_mask=0b11, strides=[2, -1],
          ), np.s_[::2, -1::-1]),
    (dict(begin=[-1, 0, 0], end=[0, 0, 0], ellipsis_mask=0b010, shrink_axis_mask=0b101),
     np.s_[-1, ..., 0]),
])
def test_masks_mean_what_the_numpy_index_means(kw, index):
    got = cg.strided_slice(X, **kw).numpy()
    np.testing.assert_array_equal(got, X[index])


def test_gradient_flows_back_to_the_sliced_entries():
    x = cg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = cg.strided_slice(x, [0, 3], [3, 0], [2, -2])  # x[0:3:2, 3:0:-2]
    y.sum().backward()
    want = np.zeros((3, 4))
    want[0:3:2, 3:0:-2] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match="strided_slice: begin, end and strides"):
        cg.strided_slice(X, [0, 0], [1], [1, 1])
    with pytest.raises(ValueError, match="strides must be non-zero"):
        cg.strided_slice(X, [0], [1], [0])
    with pytest.raises(ValueError, match="more than one bit"):
        cg.strided_slice(X, [0, 0], [1, 1], ellipsis_mask=0b11)
