"""MNIST as numpy arrays and as H2O frames.

H2O parses files on disk in parallel, much faster than it accepts uploads from Python.
Most MNIST pixels are 0, so the frames come from a prepared file in SVMLight format
(``label index:value ...``, zeros left out), written once per split under
``data/prepared/`` and re-used afterwards: about half the bytes of a CSV, and parsed
in about half the time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np

from .data import PROJECT_ROOT, path_of
from .idx import read_idx

__all__ = ["PIXELS", "load_mnist", "mnist_frames", "prepared_file"]

Split = Literal["train", "test"]
PIXELS = [f"px{i}" for i in range(784)]
_FILES = {"train": ("train", 60_000), "test": ("t10k", 10_000)}


def load_mnist(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 and labels (n,) uint8 of the ``"train"`` or ``"test"`` split."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    stem, count = _FILES[split]
    images = read_idx(path_of(f"mnist/{stem}-images-idx3-ubyte.gz"), expected_count=count)
    labels = read_idx(path_of(f"mnist/{stem}-labels-idx1-ubyte.gz"), expected_count=count)
    if images.shape[1:] != (28, 28):
        raise ValueError(f"MNIST {split} images are {images.shape[1:]}, expected 28x28")
    return images, labels


def prepared_file(split: Split, directory: Path | None = None) -> Path:
    """Path of the prepared SVMLight file for ``split``, writing it first if it is missing.

    Each line is ``label 1:v 2:v ...`` with the non-zero pixels (1-based indices); the
    last pixel (index 784) is always written, so that every file has all 784 columns.
    """
    directory = directory or PROJECT_ROOT / "data" / "prepared"
    target = directory / f"mnist_{split}.svm"
    if target.is_file():
        return target
    images, labels = load_mnist(split)
    pixels = images.reshape(len(images), -1)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "w") as f:
        for label, row in zip(labels.tolist(), pixels):
            nonzero = np.flatnonzero(row[:-1])
            items = [f"{i + 1}:{v}" for i, v in zip(nonzero.tolist(), row[nonzero].tolist())]
            f.write(f"{label} {' '.join(items)} 784:{row[-1]}\n")
    os.replace(tmp, target)
    return target


def mnist_frames(splits: tuple[Split, ...] = ("train", "test"), directory: Path | None = None) -> list:
    """H2O frames: pixels ``px0``..``px783`` as integers 0-255, then ``label`` as a factor."""
    import h2o

    from .file_to_cluster import frame_from_file
    from .h2o_session import unique_id

    frames = []
    for split in splits:
        # columns: label, then the pixels; a cluster elsewhere gets the file uploaded
        raw = frame_from_file(prepared_file(split, directory), f"mnist_{split}_svm")
        if raw.shape[1] != 785:
            raise ValueError(f"the prepared MNIST {split} file gave {raw.shape[1]} columns, expected 785")
        raw.columns = ["label", *PIXELS]
        frame = raw[[*PIXELS, "label"]]
        frame["label"] = frame["label"].asfactor()
        frames.append(h2o.assign(frame, unique_id(f"mnist_{split}")))
        h2o.remove(raw)
    return frames
