"""MNIST as numpy arrays and as H2O frames.

H2O parses a plain CSV on disk quickly and in parallel, so the frames are built from
a prepared CSV (784 pixel columns ``px0``..``px783`` and ``label``) that is written
once per split under ``data/prepared/`` and re-used afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np

from .data import PROJECT_ROOT, path_of
from .idx import read_idx

__all__ = ["PIXELS", "load_mnist", "mnist_frames", "prepared_csv"]

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


def prepared_csv(split: Split, directory: Path | None = None) -> Path:
    """Path of the prepared CSV for ``split``, writing it first if it is missing."""
    directory = directory or PROJECT_ROOT / "data" / "prepared"
    target = directory / f"mnist_{split}.csv"
    if target.is_file():
        return target
    images, labels = load_mnist(split)
    rows = np.column_stack([images.reshape(len(images), -1), labels]).tolist()
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "w") as f:
        f.write(",".join([*PIXELS, "label"]) + "\n")
        f.write("\n".join(",".join(map(str, row)) for row in rows))
        f.write("\n")
    os.replace(tmp, target)
    return target


def mnist_frames(splits: tuple[Split, ...] = ("train", "test")) -> list:
    """H2O frames (pixels ``px0``..``px783`` as integers 0-255, ``label`` as a factor)."""
    import h2o

    frames = []
    for split in splits:
        frame = h2o.import_file(
            str(prepared_csv(split)), destination_frame=f"mnist_{split}", col_types=["int"] * 784 + ["enum"]
        )
        frames.append(frame)
    return frames
