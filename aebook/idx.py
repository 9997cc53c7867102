"""Read IDX files, the raw format of the MNIST database, into numpy arrays.

An IDX file is a big-endian header followed by the data:

* bytes 0-1: zero; byte 2: the element type (``0x08`` = unsigned byte, ...);
  byte 3: the number of dimensions ``n``;
* then ``n`` big-endian 32-bit unsigned integers, the size of each dimension;
* then the elements, row-major.

MNIST image files have magic number ``0x00000803`` (uint8, 3 dimensions: count, rows,
cols); label files have ``0x00000801`` (uint8, 1 dimension: count).
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IdxFormatError", "read_idx"]

# IDX type byte -> numpy big-endian dtype
_DTYPES: dict[int, str] = {
    0x08: ">u1",
    0x09: ">i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


class IdxFormatError(ValueError):
    """An IDX file is malformed: wrong magic number, truncated, or the wrong size."""


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise IdxFormatError(f"{path} is a folder, not an IDX file: give the path of a file in it, "
                             "such as t10k-labels-idx1-ubyte.gz.")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:  # a missing or unreadable file: the plain OSError says it
        try:
            return f.read()
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            raise IdxFormatError(f"{path}: cannot decompress ({err}); the file is truncated or corrupt, "
                                 "so fetch it again (python -m aebook).") from None


def read_idx(path: str | Path, expected_count: int | None = None) -> np.ndarray:
    """Return the contents of the IDX file ``path`` (gzipped if it ends in ``.gz``).

    The shape and element type come from the header. Raises :class:`IdxFormatError`
    naming the file when the magic number is wrong, the file is shorter or longer
    than its header says, or the first dimension is not ``expected_count``.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IdxFormatError(f"{path}: only {len(raw)} bytes, too short for an IDX header")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code not in _DTYPES or ndim == 0:
        raise IdxFormatError(
            f"{path}: magic number 0x{raw[:4].hex()} is not an IDX magic number "
            "(expected 0x0000TTNN with a known type TT and NN dimensions, e.g. 0x00000803)"
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise IdxFormatError(f"{path}: truncated header ({len(raw)} of {header_len} bytes)")
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    dtype = np.dtype(_DTYPES[type_code])
    expected_bytes = header_len + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if len(raw) != expected_bytes:
        kind = "truncated" if len(raw) < expected_bytes else "longer than its header says"
        raise IdxFormatError(
            f"{path}: {kind}: header says shape {shape} ({expected_bytes} bytes), file has {len(raw)} bytes"
        )
    if expected_count is not None and shape[0] != expected_count:
        raise IdxFormatError(f"{path}: holds {shape[0]} items, expected {expected_count}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_len).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)
