"""MNIST as numpy arrays and as H2O frames.

H2O parses files on disk in parallel, much faster than it accepts uploads from Python.
Most MNIST pixels are 0, so the frames come from a prepared file in SVMLight format
(``label index:value ...``, zeros left out), written once per split under
``prepared/`` in the data folder (``data/raw/prepared/``, or ``$AEBOOK_DATA_DIR/prepared/``)
and re-used afterwards: about half the bytes of a CSV, and parsed in about half the time.
Beside each file, ``<file>.json`` records its SHA-256 and the checksums of the IDX files
it was made from; a file that does not match (cut short, edited, or made from other
data) is written again.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
from pathlib import Path
from typing import Literal

import numpy as np

from .data import DATA_DIR_ENV, DataError, data_dir, path_of, read_manifest, sha256_of
from .files import remove_stale_temporaries, replace_atomically, write_json
from .idx import read_idx

__all__ = ["PIXELS", "load_mnist", "mnist_frames", "prepared_file"]

Split = Literal["train", "test"]
PIXELS = [f"px{i}" for i in range(784)]
_FILES = {"train": ("train", 60_000), "test": ("t10k", 10_000)}
_FORMAT = "svmlight, label then 1-based pixel indices, pixel 784 always written"


def load_mnist(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 and labels (n,) uint8 of the ``"train"`` or ``"test"`` split.

    The arrays are new copies at every call; the decompressed files are kept in memory
    for the next call (a process that runs several chapters reads them once).
    """
    count = _digits_in(split)
    paths = [path_of(name) for name in _idx_names(split)]
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)  # a new file: read again
    images, labels = _read_split(split, count, stamps)
    return images.copy(), labels.copy()


@functools.lru_cache(maxsize=2)
def _read_split(split: Split, count: int, stamps: tuple) -> tuple[np.ndarray, np.ndarray]:
    (image_file, *_), (label_file, *_) = stamps
    images = read_idx(Path(image_file), expected_count=count)
    labels = read_idx(Path(label_file), expected_count=count)
    if images.shape[1:] != (28, 28):
        raise ValueError(f"MNIST {split} images are {images.shape[1:]}, expected 28x28")
    return images, labels


def _digits_in(split: Split) -> int:
    """How many digits ``split`` has; a split other than "train" or "test" is refused."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    return _FILES[split][1]


def _idx_names(split: Split) -> list[str]:
    stem = _FILES[split][0]
    return [f"mnist/{stem}-images-idx3-ubyte.gz", f"mnist/{stem}-labels-idx1-ubyte.gz"]


def _record_of(split: Split) -> dict:
    """What a prepared file of ``split`` must match: its format and its sources' checksums."""
    names = _idx_names(split)
    return {"format": _FORMAT,
            "sources": {e.path: e.sha256 for e in read_manifest() if e.path in names}}


def _is_valid(target: Path, record: dict) -> bool:
    """The prepared file has the checksum recorded beside it, from the current sources."""
    try:
        written = json.loads(target.with_name(target.name + ".json").read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(written, dict) or {k: written.get(k) for k in record} != record:
        return False
    return target.is_file() and sha256_of(target) == written.get("sha256")


def prepared_file(split: Split, directory: Path | None = None, first: int | None = None) -> Path:
    """Path of the verified prepared SVMLight file for ``split``, writing it if needed.

    Each line is ``label 1:v 2:v ...`` with the non-zero pixels (1-based indices); the
    last pixel (index 784) is always written, so that every file has all 784 columns.
    With ``first``, the file holds only the split's first ``first`` digits
    (``mnist_<split>_first<first>.svm``): a quick run parses a few thousand rows, not
    60,000. The default ``directory`` is ``prepared/`` in the data folder. A file whose
    checksum or sources differ from the record beside it is written again.
    """
    count = _digits_in(split)
    if first is not None and (isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= count):
        raise ValueError(f"first must be a whole number from 1 to {count:,} (the digits in MNIST's {split} split), "
                         f"not {first!r}")
    if first == count:
        first = None
    directory = directory or data_dir() / "prepared"
    target = directory / (f"mnist_{split}.svm" if first is None else f"mnist_{split}_first{first}.svm")
    record = _record_of(split)
    if _is_valid(target, record):
        return target
    images, labels = load_mnist(split)
    if first is not None:
        images, labels = images[:first], labels[:first]
    pixels = images.reshape(len(images), -1)
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(directory, "mnist_*.tmp*")
    digest = hashlib.sha256()

    def write_rows(f) -> None:
        for label, row in zip(labels.tolist(), pixels, strict=True):
            nonzero = np.flatnonzero(row[:-1])
            items = [f"{i + 1}:{v}" for i, v in zip(nonzero.tolist(), row[nonzero].tolist(), strict=True)]
            line = f"{label} {' '.join(items)} 784:{row[-1]}\n"
            digest.update(line.encode())
            f.write(line)

    try:
        replace_atomically(target, write_rows)
        written = {**record, "rows": len(labels), "sha256": digest.hexdigest()}
        write_json(target.with_name(target.name + ".json"), written)
    except OSError as err:  # a full or read-only disk: no file without its record
        target.unlink(missing_ok=True)
        fix = ("free some space there" if err.errno in (errno.ENOSPC, errno.EDQUOT)
               else "check that you can write there")
        raise DataError(
            f"cannot write the prepared MNIST file {target} ({err.strerror or err}): {fix}, "
            f"or choose another data folder with {DATA_DIR_ENV}=DIR."
        ) from None
    return target


def mnist_frames(splits: tuple[Split, ...] = ("train", "test"), directory: Path | None = None,
                 first: dict[str, int] | None = None) -> list:
    """H2O frames: pixels ``px0``..``px783`` as integers 0-255, then ``label`` as a factor.

    ``first`` maps a split to the number of its first digits to load, for example
    ``{"train": 2000}``; a split it does not name is loaded whole.
    """
    import h2o

    from .file_to_cluster import frame_from_file
    from .h2o_session import unique_id

    first = dict(first or {})
    unknown = sorted(set(first) - set(splits))
    if unknown:
        raise ValueError(f"first names {unknown}, which are not among the splits {list(splits)}: "
                         "name only splits you load.")
    files = [prepared_file(split, directory, first.get(split)) for split in splits]  # all checked before H2O
    frames = []
    for split, path in zip(splits, files, strict=True):
        # columns: label, then the pixels; a cluster elsewhere gets the file uploaded
        raw = frame_from_file(path, f"mnist_{split}_svm")
        if raw.shape[1] != 785:
            raise ValueError(f"the prepared MNIST {split} file gave {raw.shape[1]} columns, expected 785")
        raw.columns = ["label", *PIXELS]
        frame = raw[[*PIXELS, "label"]]
        frame["label"] = frame["label"].asfactor()
        frames.append(h2o.assign(frame, unique_id(f"mnist_{split}")))
        h2o.remove(raw)
    return frames
