"""Shared fixtures. Data come from the fetcher (set AEBOOK_DATA_MIRROR offline)."""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent

# The tests compare notebooks with their committed (full-run) outputs and build the full
# book: a classroom quick mode left on in the shell (AEBOOK_QUICK=1) must not leak in.
os.environ.pop("AEBOOK_QUICK", None)


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> Path:
    """Write ``array`` (uint8) as an IDX file, as the MNIST files are written."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if gz:
        payload = gzip.compress(payload)
    path.write_bytes(payload)
    return path


@pytest.fixture
def small_images() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)


# --- No H2O JVM or storage server may outlive the test run ----------------------------
# Every process started by this run (kernels, papermill, the book build, their JVMs)
# inherits this marker in its environment, so the check below finds exactly the JVMs
# this run started, whatever else is running on the machine.
RUN_MARKER = "AEBOOK_TEST_RUN"


def servers_with(variable: str, value: str) -> list[int]:
    """Live H2O JVMs and S3 servers whose environment has ``variable=value``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        server = (b"h2o" in cmdline and b".jar" in cmdline) or b"moto.server" in cmdline
        if server and f"{variable}={value}".encode() in environ.split(b"\0") and state != "Z":
            pids.append(int(proc.name))
    return pids


def cluster_keys(url: str) -> set[str]:
    """Every frame (also a raw imported file) and model id on the H2O cluster at ``url``, over REST."""
    import json
    import urllib.request

    keys = set()
    for endpoint, field in (("/3/Frames", "frames"), ("/3/Models", "models")):
        with urllib.request.urlopen(url + endpoint, timeout=30) as response:
            keys |= {(item.get("frame_id") or item.get("model_id"))["name"] for item in json.load(response)[field]}
    return keys


@pytest.fixture(scope="session", autouse=True)
def no_h2o_left_running():
    import os
    import secrets
    import time

    marker = secrets.token_hex(8)
    os.environ[RUN_MARKER] = marker
    yield
    deadline = time.time() + 30  # a JVM asked to shut down may take a few seconds
    while (left := servers_with(RUN_MARKER, marker)) and time.time() < deadline:
        time.sleep(1)
    assert not left, f"H2O JVMs or S3 servers started by this test run still run: pids {left}"


# --- A small table and autoencoder on a local H2O cluster, one cluster per test module ---


def synthetic_table(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Numeric, heavy-tailed, rate, categorical, a numeric code, a constant and a label."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], size=n, p=[0.6, 0.3, 0.1])
    size = rng.normal(10, 2, size=n) + (colour == "red") * 3
    return pd.DataFrame({
        "size": size,
        "bytes": np.floor(rng.lognormal(5, 2, size=n)),
        "rate": rng.uniform(0, 1, size=n).round(2),
        "colour": colour,
        "code": rng.integers(1, 4, size=n),
        "negative": -rng.lognormal(0, 1.5, size=n),
        "constant": np.ones(n),
        "label": np.where(rng.uniform(size=n) < 0.1, "anomaly", "normal"),
    })


@pytest.fixture(scope="module")
def h2o_frame():
    """A local H2O cluster for one test module, with the synthetic table in it:
    (table, frame, session)."""
    import h2o

    from aebook import start_h2o, unique_id

    session = start_h2o(max_mem_size="1G", nthreads=1)
    table = synthetic_table()
    frame = h2o.H2OFrame(table, destination_frame=unique_id("synthetic"),
                         column_types={"colour": "enum", "label": "enum"})
    yield table, frame, session
    session.stop()


@pytest.fixture(scope="module")
def trained(h2o_frame):
    """A small autoencoder on the synthetic table: (table, model input, columns, model)."""
    from aebook.tabular import column_roles, heavy_tailed, train_autoencoder, transform

    table, frame, _ = h2o_frame
    roles = column_roles(frame, target="label", categorical=["code"])
    roles.log1p = heavy_tailed(frame, roles.numeric)
    ready = transform(frame, roles, "synthetic_model_input")
    model = train_autoencoder(ready, roles, "synthetic_autoencoder", hidden=[4], epochs=5, seed=7)
    return table, ready, roles, model


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 kB file system (tmpfs), too small for a prepared file: a real full disk."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                                           capture_output=True, timeout=30).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    yield mount
    subprocess.run(["umount", str(mount)], check=True, timeout=30)
