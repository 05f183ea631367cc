"""TensorFlow's ``tf.image`` on compgraph values (NHWC images): ``cg.image.resize``,
``flip_left_right``, ``adjust_brightness``, ``central_crop`` ...

Images are ``(height, width, channels)`` or batches ``(batch, height, width,
channels)``; the functions are written with cg ops and differentiate where TensorFlow's
do.  ``resize`` does ``'bilinear'`` and ``'nearest'`` (TensorFlow 2's half-pixel
centres); other methods and antialiased downscaling raise NotImplementedError.  The
``random_*`` functions draw from compgraph's generator (``seed`` gives a stream of its
own, not TensorFlow's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functions as F
from .random import default_generator

__all__ = [
    "flip_left_right",
    "flip_up_down",
    "rot90",
    "transpose",
    "central_crop",
    "crop_to_bounding_box",
    "pad_to_bounding_box",
    "resize_with_crop_or_pad",
    "resize",
    "resize_with_pad",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_saturation",
    "adjust_hue",
    "rgb_to_grayscale",
    "grayscale_to_rgb",
    "rgb_to_hsv",
    "hsv_to_rgb",
    "rgb_to_yuv",
    "yuv_to_rgb",
    "per_image_standardization",
    "convert_image_dtype",
    "image_gradients",
    "sobel_edges",
    "total_variation",
    "extract_patches",
    "psnr",
    "random_flip_left_right",
    "random_flip_up_down",
    "random_crop",
    "random_brightness",
    "random_contrast",
    "random_hue",
    "random_saturation",
    "rgb_to_yiq",
    "yiq_to_rgb",
    "ResizeMethod",
]


class ResizeMethod:
    """TensorFlow's ``image.ResizeMethod`` names (only BILINEAR and NEAREST_NEIGHBOR are
    implemented by :func:`resize`)."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _img(image: Any, fn: str) -> Any:
    x = F.asarray(image)
    if x.ndim < 3:
        raise ValueError(f"{fn}: image must be at least 3-D (h, w, c), got shape {tuple(x.shape)}")
    return x


def _hw(x: Any) -> tuple[int, int]:
    return int(x.shape[-3]), int(x.shape[-2])


def flip_left_right(image: Any) -> Any:
    """Reverse the width axis."""
    return F.flip(_img(image, "flip_left_right"), -2)


def flip_up_down(image: Any) -> Any:
    """Reverse the height axis."""
    return F.flip(_img(image, "flip_up_down"), -3)


def rot90(image: Any, k: int = 1, name: Any = None) -> Any:
    """Rotate by ``k`` quarter turns counter-clockwise."""
    x = _img(image, "rot90")
    return F.rot90(x, int(k) % 4, axes=(x.ndim - 3, x.ndim - 2))


def transpose(image: Any, name: Any = None) -> Any:
    """Swap the height and width axes."""
    x = _img(image, "transpose")
    return F.swapaxes(x, -3, -2)


def crop_to_bounding_box(
    image: Any, offset_height: int, offset_width: int, target_height: int, target_width: int
) -> Any:
    """The window ``[offset_height : offset_height + target_height, offset_width : ...]``."""
    x = _img(image, "crop_to_bounding_box")
    h, w = _hw(x)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    if oh < 0 or ow < 0 or th <= 0 or tw <= 0 or oh + th > h or ow + tw > w:
        raise ValueError(
            f"crop_to_bounding_box: box at ({oh}, {ow}) of size ({th}, {tw}) does not fit "
            f"an image of size ({h}, {w})"
        )
    return x[..., oh : oh + th, ow : ow + tw, :]


def pad_to_bounding_box(
    image: Any, offset_height: int, offset_width: int, target_height: int, target_width: int
) -> Any:
    """Zero-pad to ``(target_height, target_width)`` with the image at the offsets."""
    x = _img(image, "pad_to_bounding_box")
    h, w = _hw(x)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    if oh < 0 or ow < 0 or th < oh + h or tw < ow + w:
        raise ValueError(
            f"pad_to_bounding_box: an image of size ({h}, {w}) at ({oh}, {ow}) does not fit "
            f"in ({th}, {tw})"
        )
    pads = [(0, 0)] * (x.ndim - 3) + [(oh, th - oh - h), (ow, tw - ow - w), (0, 0)]
    return F.pad(x, pads)


def central_crop(image: Any, central_fraction: float) -> Any:
    """The central ``central_fraction`` of the height and width (TensorFlow's rounding)."""
    f = float(central_fraction)
    if not 0.0 < f <= 1.0:
        raise ValueError(f"central_crop: central_fraction must be in (0, 1], got {f}")
    x = _img(image, "central_crop")
    if f == 1.0:
        return x
    h, w = _hw(x)
    sh, sw = int((h - h * f) / 2), int((w - w * f) / 2)
    return x[..., sh : h - sh, sw : w - sw, :]


def resize_with_crop_or_pad(image: Any, target_height: int, target_width: int) -> Any:
    """Centre-crop and / or zero-pad to ``(target_height, target_width)``."""
    x = _img(image, "resize_with_crop_or_pad")
    h, w = _hw(x)
    th, tw = int(target_height), int(target_width)
    if th <= 0 or tw <= 0:
        raise ValueError(f"resize_with_crop_or_pad: target size ({th}, {tw}) must be positive")
    ch, cw = max((h - th) // 2, 0), max((w - tw) // 2, 0)
    x = crop_to_bounding_box(x, ch, cw, min(h, th), min(w, tw))
    ph, pw = max((th - h) // 2, 0), max((tw - w) // 2, 0)
    return pad_to_bounding_box(x, ph, pw, th, tw)


def _axis_linear(x: Any, axis: int, n_out: int) -> Any:
    """Half-pixel linear interpolation of ``x`` along ``axis`` to ``n_out`` samples."""
    n = int(x.shape[axis])
    src = (np.arange(n_out) + 0.5) * (n / n_out) - 0.5
    src = np.clip(src, 0, n - 1)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    shape = [1] * x.ndim
    shape[axis] = n_out
    wt = F.asarray((src - i0).reshape(shape).astype(x.dtype))
    a, b = F.take(x, F.asarray(i0), axis=axis), F.take(x, F.asarray(i1), axis=axis)
    return a + (b - a) * wt


def _axis_nearest(x: Any, axis: int, n_out: int) -> Any:
    n = int(x.shape[axis])
    src = np.minimum(np.floor((np.arange(n_out) + 0.5) * (n / n_out)), n - 1).astype(np.int64)
    return F.take(x, F.asarray(src), axis=axis)


def resize(
    images: Any,
    size: Any,
    method: str = "bilinear",
    preserve_aspect_ratio: bool = False,
    antialias: bool = False,
    name: Any = None,
) -> Any:
    """TensorFlow's ``image.resize`` to ``size = (height, width)`` with half-pixel
    centres: ``'bilinear'`` (a float32 result, as TensorFlow's, whatever the input) or
    ``'nearest'`` (the input's dtype)."""
    x = _img(images, "resize")
    h, w = _hw(x)
    th, tw = (int(v) for v in np.asarray(getattr(size, "_data", size)).ravel())
    if th <= 0 or tw <= 0:
        raise ValueError(f"resize: size must be positive, got ({th}, {tw})")
    if preserve_aspect_ratio:
        scale = min(th / h, tw / w)
        th, tw = int(round(scale * h)), int(round(scale * w))
    method = str(getattr(method, "value", method)).lower()
    if method == "nearest":
        return _axis_nearest(_axis_nearest(x, x.ndim - 3, th), x.ndim - 2, tw)
    if method != "bilinear":
        raise NotImplementedError(f"resize: method {method!r} is not supported here")
    if antialias and (th < h or tw < w):
        raise NotImplementedError("resize: antialiased downscaling is not supported here")
    x = F.astype(x, np.float32)
    return _axis_linear(_axis_linear(x, x.ndim - 3, th), x.ndim - 2, tw)


def resize_with_pad(
    image: Any,
    target_height: int,
    target_width: int,
    method: str = "bilinear",
    antialias: bool = False,
) -> Any:
    """Resize keeping the aspect ratio to fit, then zero-pad to the target (centred)."""
    x = _img(image, "resize_with_pad")
    h, w = _hw(x)
    th, tw = int(target_height), int(target_width)
    ratio = max(w / tw, h / th)
    rh, rw = h / ratio, w / ratio
    y = resize(x, (int(np.floor(rh)), int(np.floor(rw))), method, antialias=antialias)
    ph, pw = max(0, int(np.floor((th - rh) / 2))), max(0, int(np.floor((tw - rw) / 2)))
    return pad_to_bounding_box(y, ph, pw, th, tw)


def adjust_brightness(image: Any, delta: Any) -> Any:
    """``image + delta``."""
    return _img(image, "adjust_brightness") + delta


def adjust_contrast(images: Any, contrast_factor: Any) -> Any:
    """``(x - mean) * contrast_factor + mean``, the mean per image and channel."""
    x = _img(images, "adjust_contrast")
    mean = F.mean(x, axis=(-3, -2), keepdims=True)
    return (x - mean) * contrast_factor + mean


def adjust_gamma(image: Any, gamma: Any = 1, gain: Any = 1) -> Any:
    """``gain * image ** gamma``; negative gamma raises ValueError."""
    if float(np.min(np.asarray(getattr(gamma, "_data", gamma)))) < 0:
        raise ValueError(f"adjust_gamma: gamma must be non-negative, got {gamma}")
    return gain * _img(image, "adjust_gamma") ** gamma


_GRAY = np.array([0.2989, 0.587, 0.114])
_YUV = np.array(
    [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
     [0.114, 0.43601035, -0.10001026]]
)  # fmt: skip
_YIQ = np.array(
    [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
     [0.114, -0.32134392, 0.31119955]]
)  # fmt: skip
_YIQ_RGB = np.array(
    [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
)
_RGB = np.array([[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]])


def _rgb(images: Any, fn: str) -> Any:
    x = F.asarray(images)
    if x.ndim < 1 or int(x.shape[-1]) != 3:
        raise ValueError(f"{fn}: last axis must have 3 channels, got shape {tuple(x.shape)}")
    return x


def rgb_to_grayscale(images: Any, name: Any = None) -> Any:
    """ITU-R 601 luma, last axis kept (size 1)."""
    x = _rgb(images, "rgb_to_grayscale")
    return F.sum(x * F.asarray(_GRAY.astype(x.dtype)), axis=-1, keepdims=True)


def grayscale_to_rgb(images: Any, name: Any = None) -> Any:
    """The one channel repeated three times."""
    x = F.asarray(images)
    if int(x.shape[-1]) != 1:
        raise ValueError(f"grayscale_to_rgb: last axis must be 1, got shape {tuple(x.shape)}")
    return F.concatenate([x, x, x], axis=-1)


def rgb_to_yuv(images: Any) -> Any:
    """TensorFlow's RGB to YUV matrix."""
    x = _rgb(images, "rgb_to_yuv")
    return F.tensordot(x, F.asarray(_YUV.astype(x.dtype)), axes=([x.ndim - 1], [0]))


def yuv_to_rgb(images: Any) -> Any:
    """TensorFlow's YUV to RGB matrix."""
    x = _rgb(images, "yuv_to_rgb")
    return F.tensordot(x, F.asarray(_RGB.astype(x.dtype)), axes=([x.ndim - 1], [0]))


def rgb_to_hsv(images: Any, name: Any = None) -> Any:
    """RGB in [0, 1] to HSV, hue in [0, 1)."""
    x = _rgb(images, "rgb_to_hsv")
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = F.max(x, axis=-1)
    rng = v - F.min(x, axis=-1)
    safe_v = F.where(v > 0, v, 1)
    s = F.where(v > 0, rng / safe_v, 0)
    safe = F.where(rng > 0, rng, 1)
    hr = (g - b) / safe
    hg = (b - r) / safe + 2
    hb = (r - g) / safe + 4
    h = F.where(v == r, hr, F.where(v == g, hg, hb)) / 6
    h = F.where(rng > 0, h, 0)
    h = F.where(h < 0, h + 1, h)
    return F.stack([h, s, v], axis=-1)


def hsv_to_rgb(images: Any, name: Any = None) -> Any:
    """HSV (hue in [0, 1]) to RGB."""
    x = _rgb(images, "hsv_to_rgb")
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    dh = h * 6
    # each channel: a piecewise-linear function of the hue, clipped to [0, 1]
    r = F.clip(F.abs(dh - 3) - 1, 0, 1)
    g = F.clip(2 - F.abs(dh - 2), 0, 1)
    b = F.clip(2 - F.abs(dh - 4), 0, 1)
    rgb = F.stack([r, g, b], axis=-1)
    return (F.expand_dims(1 - s, -1) + F.expand_dims(s, -1) * rgb) * F.expand_dims(v, -1)


def adjust_saturation(image: Any, saturation_factor: Any, name: Any = None) -> Any:
    """Scale the HSV saturation by ``saturation_factor``, clipped to [0, 1]."""
    hsv = rgb_to_hsv(image)
    s = F.clip(hsv[..., 1] * saturation_factor, 0, 1)
    return hsv_to_rgb(F.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1))


def adjust_hue(image: Any, delta: float, name: Any = None) -> Any:
    """Rotate the HSV hue by ``delta`` (in [-1, 1]) turns."""
    if not -1 <= float(delta) <= 1:
        raise ValueError(f"adjust_hue: delta must be in [-1, 1], got {delta}")
    hsv = rgb_to_hsv(image)
    h = hsv[..., 0] + delta
    h = h - F.floor(h)
    return hsv_to_rgb(F.stack([h, hsv[..., 1], hsv[..., 2]], axis=-1))


def per_image_standardization(image: Any) -> Any:
    """``(x - mean) / max(std, 1 / sqrt(n))`` per image, over height, width, channels;
    float32 unless the input is float16 (TensorFlow's rule; integers scaled to [0, 1])."""
    x = _img(image, "per_image_standardization")
    if np.dtype(x.dtype) not in (np.float16, np.float32):  # as TensorFlow's: float32
        x = convert_image_dtype(x, np.float32)
    n = int(np.prod(x.shape[-3:]))
    mean = F.mean(x, axis=(-3, -2, -1), keepdims=True)
    std = F.sqrt(F.mean(F.square(x - mean), axis=(-3, -2, -1), keepdims=True))
    return (x - mean) / F.maximum(std, float(1.0 / np.sqrt(n)))


def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False, name: Any = None):
    """Convert between image dtypes: integers span ``[0, max]``, floats ``[0, 1]``."""
    x = F.asarray(image)
    src = np.dtype(x.dtype)
    dst = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if src == dst:
        return x
    if src.kind == "f" and dst.kind == "f":
        return F.astype(x, dst)
    if src.kind in "iu" and dst.kind == "f":
        return F.astype(x, dst) / float(np.iinfo(src).max)
    if src.kind == "f" and dst.kind in "iu":
        scaled = F.asarray(np.asarray(x.numpy() if hasattr(x, "numpy") else x, np.float64))
        scaled = scaled * (np.iinfo(dst).max + 0.5)
        if saturate:
            scaled = F.clip(scaled, np.iinfo(dst).min, np.iinfo(dst).max)
        return F.astype(scaled, dst)
    if src.kind in "iu" and dst.kind in "iu":
        a = np.asarray(x.numpy() if hasattr(x, "numpy") else x).astype(np.int64)
        shift = (np.iinfo(src).bits - 1 if src.kind == "i" else np.iinfo(src).bits) - (
            np.iinfo(dst).bits - 1 if dst.kind == "i" else np.iinfo(dst).bits
        )
        a = a >> shift if shift > 0 else a << -shift
        return F.asarray(a.astype(dst))
    raise TypeError(f"convert_image_dtype: cannot convert {src} to {dst}")


def image_gradients(image: Any) -> tuple:
    """``(dy, dx)`` forward differences of a 4-D batch, zero in the last row / column."""
    x = F.asarray(image)
    if x.ndim != 4:
        raise ValueError(f"image_gradients: image must be 4-D, got shape {tuple(x.shape)}")
    dy = F.pad(x[:, 1:] - x[:, :-1], [(0, 0), (0, 1), (0, 0), (0, 0)])
    dx = F.pad(x[:, :, 1:] - x[:, :, :-1], [(0, 0), (0, 0), (0, 1), (0, 0)])
    return dy, dx


def sobel_edges(image: Any) -> Any:
    """Sobel responses ``(batch, h, w, c, 2)`` (dy, dx), reflect-padded as TensorFlow's."""
    x = F.asarray(image)
    if x.ndim != 4:
        raise ValueError(f"sobel_edges: image must be 4-D, got shape {tuple(x.shape)}")
    h, w = _hw(x)
    p = F.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)
    out = []
    for k in (ky, ky.T):
        acc: Any = 0
        for i in range(3):
            for j in range(3):
                if k[i, j]:
                    acc = acc + k[i, j] * p[:, i : i + h, j : j + w, :]
        out.append(acc)
    return F.stack(out, axis=-1)


def total_variation(images: Any, name: Any = None) -> Any:
    """Sum of absolute differences of neighbours, per image (a scalar for a 3-D image)."""
    x = _img(images, "total_variation")
    axes = tuple(range(x.ndim - 3, x.ndim))
    dy = F.sum(F.abs(x[..., 1:, :, :] - x[..., :-1, :, :]), axis=axes)
    dx = F.sum(F.abs(x[..., :, 1:, :] - x[..., :, :-1, :]), axis=axes)
    return dy + dx


def extract_patches(images: Any, sizes: Any, strides: Any, rates: Any, padding: str) -> Any:
    """Patches ``(batch, out_h, out_w, kh * kw * c)``, each row-major then channels."""
    x = F.asarray(images)
    if x.ndim != 4:
        raise ValueError(f"extract_patches: images must be 4-D, got shape {tuple(x.shape)}")
    k, s, d = ([int(v) for v in list(q)[1:3]] for q in (sizes, strides, rates))
    h, w = _hw(x)
    ek = [(k[i] - 1) * d[i] + 1 for i in range(2)]
    if padding == "SAME":
        tot = [max((-(-n // ss) - 1) * ss + kk - n, 0) for n, kk, ss in zip((h, w), ek, s)]
        x = F.pad(x, [(0, 0), (tot[0] // 2, tot[0] - tot[0] // 2),
                      (tot[1] // 2, tot[1] - tot[1] // 2), (0, 0)])  # fmt: skip
    elif padding != "VALID":
        raise ValueError(f"extract_patches: padding must be 'SAME' or 'VALID', got {padding!r}")
    ph, pw = _hw(x)
    oh, ow = (ph - ek[0]) // s[0] + 1, (pw - ek[1]) // s[1] + 1
    parts = []
    for i in range(k[0]):
        for j in range(k[1]):
            r0, c0 = i * d[0], j * d[1]
            parts.append(x[:, r0 : r0 + (oh - 1) * s[0] + 1 : s[0],
                           c0 : c0 + (ow - 1) * s[1] + 1 : s[1], :])  # fmt: skip
    return F.concatenate(parts, axis=-1)


def psnr(a: Any, b: Any, max_val: Any, name: Any = None) -> Any:
    """Peak signal-to-noise ratio per image: ``20 log10(max_val) - 10 log10(mse)``, in
    float32 (TensorFlow converts the images to float32 first)."""
    x = convert_image_dtype(F.asarray(a), np.float32)
    y = convert_image_dtype(F.asarray(b), np.float32)
    if tuple(x.shape) != tuple(y.shape):
        raise ValueError(f"psnr: shapes differ: {tuple(x.shape)} and {tuple(y.shape)}")
    mse = F.mean(F.square(x - y), axis=(-3, -2, -1))
    return float(20 * np.log10(float(max_val))) - float(10 / np.log(10)) * F.log(mse)


def _rng(seed: Any) -> np.random.Generator:
    if seed is None:
        return default_generator.rng
    return np.random.default_rng([default_generator.initial_seed(), int(seed)])


def random_flip_left_right(image: Any, seed: Any = None) -> Any:
    """Each image flipped left-right with probability 1/2."""
    x = _img(image, "random_flip_left_right")
    if x.ndim == 3:
        return flip_left_right(x) if _rng(seed).random() < 0.5 else x
    m = _rng(seed).random(int(x.shape[0])) < 0.5
    return F.where(F.asarray(m.reshape(-1, 1, 1, 1)), flip_left_right(x), x)


def random_flip_up_down(image: Any, seed: Any = None) -> Any:
    """Each image flipped upside down with probability 1/2."""
    x = _img(image, "random_flip_up_down")
    if x.ndim == 3:
        return flip_up_down(x) if _rng(seed).random() < 0.5 else x
    m = _rng(seed).random(int(x.shape[0])) < 0.5
    return F.where(F.asarray(m.reshape(-1, 1, 1, 1)), flip_up_down(x), x)


def random_crop(value: Any, size: Any, seed: Any = None, name: Any = None) -> Any:
    """A window of shape ``size`` at a uniformly random offset."""
    x = F.asarray(value)
    size = [int(v) for v in np.asarray(getattr(size, "_data", size)).ravel()]
    if len(size) != x.ndim or any(s > n or s < 0 for s, n in zip(size, x.shape)):
        raise ValueError(f"random_crop: size {size} does not fit shape {tuple(x.shape)}")
    rng = _rng(seed)
    off = [int(rng.integers(0, int(n) - s + 1)) for s, n in zip(size, x.shape)]
    return x[tuple(slice(o, o + s) for o, s in zip(off, size))]


def random_brightness(image: Any, max_delta: float, seed: Any = None) -> Any:
    """:func:`adjust_brightness` by a delta uniform in ``[-max_delta, max_delta)``."""
    if max_delta < 0:
        raise ValueError(f"random_brightness: max_delta must be non-negative, got {max_delta}")
    return adjust_brightness(image, float(_rng(seed).uniform(-max_delta, max_delta)))


def random_contrast(image: Any, lower: float, upper: float, seed: Any = None) -> Any:
    """:func:`adjust_contrast` by a factor uniform in ``[lower, upper)``."""
    if not 0 <= lower < upper:
        raise ValueError(f"random_contrast: need 0 <= lower < upper, got {lower} and {upper}")
    return adjust_contrast(image, float(_rng(seed).uniform(lower, upper)))


def rgb_to_yiq(images: Any) -> Any:
    """TensorFlow's RGB to YIQ matrix."""
    x = _rgb(images, "rgb_to_yiq")
    return F.tensordot(x, F.asarray(_YIQ.astype(x.dtype)), axes=([x.ndim - 1], [0]))


def yiq_to_rgb(images: Any) -> Any:
    """TensorFlow's YIQ to RGB matrix."""
    x = _rgb(images, "yiq_to_rgb")
    return F.tensordot(x, F.asarray(_YIQ_RGB.astype(x.dtype)), axes=([x.ndim - 1], [0]))


def random_hue(image: Any, max_delta: float, seed: Any = None) -> Any:
    """:func:`adjust_hue` by a delta uniform in ``[-max_delta, max_delta)``."""
    if not 0 <= max_delta <= 0.5:
        raise ValueError(f"random_hue: max_delta must be in [0, 0.5], got {max_delta}")
    return adjust_hue(image, float(_rng(seed).uniform(-max_delta, max_delta)))


def random_saturation(image: Any, lower: float, upper: float, seed: Any = None) -> Any:
    """:func:`adjust_saturation` by a factor uniform in ``[lower, upper)``."""
    if not 0 <= lower < upper:
        raise ValueError(f"random_saturation: need 0 <= lower < upper, got {lower} and {upper}")
    return adjust_saturation(image, float(_rng(seed).uniform(lower, upper)))
