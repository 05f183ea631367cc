"""TensorFlow's ``tf.signal`` on compgraph values: ``cg.signal.stft``, ``frame``,
``overlap_and_add``, ``dct``, ``rfft``, ``linear_to_mel_weight_matrix`` ..."""

from __future__ import annotations

__all__: list[str] = []
