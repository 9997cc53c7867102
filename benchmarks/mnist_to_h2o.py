"""How long MNIST takes from the IDX files to H2O train and test frames.

Prints wall times, in seconds, for three routes:

* cached:  ``aebook.mnist.mnist_frames()`` with the prepared files already under
  ``prepared/`` in the data folder (what every notebook after the first one pays; target: <= 5 s);
* cold:    the same with no prepared files (read IDX, write the files once, import);
* naive:   numpy -> pandas -> ``h2o.H2OFrame`` (the route the helper avoids).

Run: ``python benchmarks/mnist_to_h2o.py`` (``--skip-naive`` to leave out the slow route).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import h2o
import numpy as np
import pandas as pd

from aebook import h2o_session
from aebook.mnist import PIXELS, load_mnist, mnist_frames, prepared_file


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    frames = fn()
    seconds = time.perf_counter() - start
    shapes = ", ".join(str(f.shape) for f in frames)
    print(f"{label:8s} {seconds:6.2f} s   frames {shapes}")
    return seconds


def naive() -> list:
    frames = []
    for split in ("train", "test"):
        images, labels = load_mnist(split)
        df = pd.DataFrame(images.reshape(len(images), -1), columns=PIXELS)
        df["label"] = labels
        frames.append(h2o.H2OFrame(df))
    return frames


def cold() -> list:
    with tempfile.TemporaryDirectory() as tmp:
        return mnist_frames(directory=Path(tmp))  # writes the prepared files first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow pandas route")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}")
    for split in ("train", "test"):
        prepared_file(split)  # make sure the cached route has its files
    with h2o_session(max_mem_size="4G"):
        print(f"H2O {h2o.cluster().version}; load average at start {os.getloadavg()[0]:.2f}")
        timed("cached", mnist_frames)
        timed("cold", cold)
        if not args.skip_naive:
            timed("naive", naive)


if __name__ == "__main__":
    if shutil.which("java") is None:
        raise SystemExit("error: Java 17 is needed for H2O: see README.md")
    main()
