"""Samples of cg.fft: complex results are compared as (real, imag) stacks, complex inputs are
built as a + i b from two real inputs (tests/ops/test_fft.py compares with torch and JAX)."""
import numpy as np
from helpers import Sample

import compgraph as cg

F = cg.fft
V, V2 = (("any", (3, 8)),), (("any", (3, 8)), ("any", (3, 8)))
N3 = (("any", (4, 3, 5)), ("any", (4, 3, 5)))


def _ri(y, xp):
    return xp.stack([xp.real(y), xp.imag(y)]) if y.dtype.kind == "c" else y


def s(id, name, args=(), inputs=V, complex_in=False, **kw):  # noqa: A002
    """``cg.fft.<name>(x, *args, **kw)`` against ``np.fft.<name>``; x = a + i b with
    ``complex_in``."""
    f, g = getattr(F, name), getattr(np.fft, name)

    def fn(*xs):
        x = xs[0] + xs[1] * 1j if complex_in else xs[0]
        return _ri(f(x, *args, **kw), cg)

    def ref(*xs):
        x = xs[0] + xs[1] * 1j if complex_in else xs[0]
        return _ri(g(x, *args, **kw), np)

    return Sample(f"fft.{id}", fn, ref, inputs, rtol=1e-6)


SAMPLES = [
    Sample("fft.fft_order2", lambda a: cg.real(F.fft(a)) ** 2, lambda a: np.fft.fft(a).real ** 2,
           V, order2=True),
    Sample("fft.fftfreq", lambda a: a * F.fftfreq(8, 0.5), lambda a: a * np.fft.fftfreq(8, 0.5),
           V),
    Sample("fft.rfftfreq", lambda a: a[:, :5] * F.rfftfreq(8),
           lambda a: a[:, :5] * np.fft.rfftfreq(8), V),
    Sample("fft.angle", lambda a: cg.angle(F.fft(a)[:, 1:3]) + cg.angle(a[:, :2]),
           lambda a: np.angle(np.fft.fft(a)[:, 1:3]) + np.angle(a[:, :2]), (("nz", (3, 5)),)),
    s("fftshift", "fftshift", inputs=(("any", (3, 5)),)),
    s("ifftshift", "ifftshift", (1,), inputs=(("any", (3, 5)),)),
]
for norm in (None, "ortho", "forward"):
    for n in (None, 5, 11):
        SAMPLES += [
            s(f"fft_{norm}_{n}", "fft", (n, 0, norm)),
            s(f"fft_c_{norm}_{n}", "fft", (n, -1, norm), V2, True),
            s(f"ifft_c_{norm}_{n}", "ifft", (n, -1, norm), V2, True),
            s(f"rfft_{norm}_{n}", "rfft", (n, -1, norm)),
            s(f"irfft_c_{norm}_{n}", "irfft", (n, -1, norm), V2, True),
            s(f"hfft_c_{norm}_{n}", "hfft", (n, -1, norm), V2, True),
            s(f"ihfft_{norm}_{n}", "ihfft", (n, -1, norm)),
        ]
    for sh, ax in ((None, None), ((3, 7), (0, 2)), (None, (2, 0)), ((2, 4), (-1, 1))):
        SAMPLES += [
            s(f"fftn_{norm}_{sh}_{ax}", "fftn", (sh, ax, norm), N3, True),
            s(f"ifftn_{norm}_{sh}_{ax}", "ifftn", (sh, ax, norm), N3, True),
            s(f"rfftn_{norm}_{sh}_{ax}", "rfftn", (sh, ax, norm), N3[:1]),
            s(f"irfftn_{norm}_{sh}_{ax}", "irfftn", (sh, ax, norm), N3, True),
        ]
    SAMPLES += [
        s(f"fft2_{norm}", "fft2", (None, (-2, -1), norm), N3, True),
        s(f"ifft2_{norm}", "ifft2", ((2, 6), (0, 2), norm), N3, True),
        s(f"rfft2_{norm}", "rfft2", (None, (-2, -1), norm), N3[:1]),
        s(f"irfft2_{norm}", "irfft2", ((3, 4), (-2, -1), norm), N3, True),
    ]
