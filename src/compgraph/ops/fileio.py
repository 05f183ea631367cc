"""Files that hostile input cannot turn against us: ``.npz`` archives read from their
``.npy`` headers first, and saves that replace a file atomically.

Graph files and module states are NumPy ``.npz`` archives (zip files of ``.npy``
entries).  :class:`NpzArchive` reads an entry's shape and dtype from its header before
decompressing anything, so a caller can refuse an entry whose size or type is not the
expected one, and charges every array read to a byte budget: a small compressed file
declaring gigabytes of zeros (a zip bomb) is refused before any memory is taken.  It
never unpickles, and decompresses only the entries asked for.

:func:`atomic_write` writes a temporary file next to the target and renames it over
the target only once everything was written: a save that fails half way leaves the
previous file as it was, and no temporary file behind.

(This module sits in ``ops`` only because it is the lowest layer: static graphs and
modules, in higher layers, both use it.  It imports nothing from compgraph.)
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any, NamedTuple

import numpy as np

__all__ = ["atomic_write", "write_npz", "NpzArchive", "ArrayHeader", "NUMERIC_KINDS"]

#: dtype kinds an archive may hold: bool, integers, floats, complex (never objects).
NUMERIC_KINDS = "biufc"
_SUFFIX = ".npy"
# A damaged archive raises from deep inside zipfile, zlib and NumPy's header parser
# (BadZipFile, zlib.error, EOFError, tokenize errors, ...): whatever it is, it becomes
# one ValueError naming the file (a file must not be able to crash us another way).
_DAMAGE = (Exception,)


def atomic_write(path: Any, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(fh)`` on a new temporary file in ``path``'s folder, then rename it
    over ``path``; if anything fails the temporary file goes and ``path`` is untouched."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    tmp, fd = _temporary(folder, os.path.basename(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _temporary(folder: str, base: str) -> tuple[str, int]:
    """A new file in ``folder`` (created exclusively, so nothing else is overwritten);
    mode 0o666 lets the umask give it the permissions a plain ``open`` would."""
    while True:
        tmp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def write_npz(fh: IO[bytes], arrays: Iterable[tuple[str, np.ndarray]]) -> None:
    """Write ``(key, array)`` pairs as an uncompressed ``.npz`` archive (``np.load``
    reads it back), whatever the keys: unlike ``np.savez(**dict)`` a key may be
    ``file`` or ``allow_pickle``.  Object arrays are refused (they would need pickle)."""
    seen: set = set()
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, value in arrays:
            if not isinstance(key, str) or not key or key in seen:
                raise ValueError(f"write_npz: bad or repeated entry name {key!r}")
            seen.add(key)
            arr = np.asanyarray(value)
            with zf.open(key + _SUFFIX, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)


class ArrayHeader(NamedTuple):
    """What an entry's ``.npy`` header declares: shape, dtype and the bytes they take."""

    shape: tuple
    dtype: np.dtype
    nbytes: int


class NpzArchive:
    """An ``.npz`` file opened for checked reading (a context manager).

    ``what`` starts every error message (``"Graph.load"``); every problem with the file
    is a ValueError naming it.  ``budget``: the most bytes :meth:`read` may return in
    all (None: no limit; the caller bounds each entry through ``shape`` instead).
    """

    def __init__(self, path: Any, what: str, budget: int | None = None):
        self.path = os.fspath(path)
        self.what = what
        self.budget = budget
        self.used = 0
        try:
            self.size = os.path.getsize(self.path)
            self._zip = zipfile.ZipFile(self.path)
        except OSError as err:
            raise self.error(f"cannot be read ({err.strerror or err})") from None
        except _DAMAGE as err:
            raise self.error(self._damage(err)) from None
        self.entries = self._entries()

    def _entries(self) -> dict[str, zipfile.ZipInfo]:
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            key = info.filename[: -len(_SUFFIX)] if info.filename.endswith(_SUFFIX) else None
            if key is None:
                self.close()
                raise self.error(f"holds {info.filename[:80]!r}, which is not an .npy array")
            if key in entries:
                self.close()
                raise self.error(f"holds the entry {key[:80]!r} twice")
            entries[key] = info
        return entries

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """The entries' keys, in the archive's order."""
        return list(self.entries)

    def error(self, msg: str) -> ValueError:
        """A ValueError naming the caller and the file."""
        return ValueError(f"{self.what}: {self.path!r} {msg}")

    def _damage(self, err: BaseException) -> str:
        return f"is not a readable .npz archive ({type(err).__name__}: {str(err)[:200]})"

    def header(self, key: str) -> ArrayHeader:
        """The shape and dtype ``key``'s header declares (only the header is read)."""
        info = self.entries.get(key)
        if info is None:
            raise self.error(f"has no entry {key[:80]!r}")
        try:
            with self._zip.open(info) as fp:
                shape, dtype = _read_header(fp)
        except _DAMAGE as err:
            raise self.error(f"entry {key[:80]!r}: {self._damage(err)}") from None
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.names is not None:
            raise self.error(f"entry {key[:80]!r} holds {dtype}, not a numeric array")
        return ArrayHeader(shape, dtype, math.prod(shape) * dtype.itemsize)

    def read(self, key: str, shape: tuple | None = None, dtype: Any = None) -> np.ndarray:
        """The array ``key``, after its header matched ``shape`` and ``dtype`` (when
        given) and its size fitted in what is left of the budget."""
        head = self.header(key)
        if shape is not None and tuple(shape) != head.shape:
            raise self.error(
                f"entry {key[:80]!r} holds shape {head.shape}, not the declared {tuple(shape)}"
            )
        if dtype is not None and np.dtype(dtype) != head.dtype:
            raise self.error(
                f"entry {key[:80]!r} holds {head.dtype.str}, not the declared {np.dtype(dtype).str}"
            )
        self._charge(key, head.nbytes)
        try:
            with self._zip.open(self.entries[key]) as fp:
                arr = np.lib.format.read_array(fp, allow_pickle=False)
                trailing = fp.read(1)  # also reaches the end, where zipfile checks the CRC
        except _DAMAGE as err:
            raise self.error(f"entry {key[:80]!r}: {self._damage(err)}") from None
        if trailing:
            raise self.error(f"entry {key[:80]!r} has data after its array")
        return arr

    def _charge(self, key: str, nbytes: int) -> None:
        if self.budget is not None and self.used + nbytes > self.budget:
            raise self.error(
                f"entry {key[:80]!r} declares {nbytes} bytes of data: with the "
                f"{self.used} bytes read so far that is more than this {self.size}-byte "
                f"file may expand to ({self.budget} bytes; a zip bomb?)"
            )
        self.used += nbytes


def _read_header(fp: IO[bytes]) -> tuple[tuple, np.dtype]:
    """An ``.npy`` header's shape and dtype (versions 1 and 2: what NumPy writes for
    numeric arrays); the header is parsed as literals, never evaluated."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f".npy format version {version} is not supported")
    return tuple(shape), np.dtype(dtype)
