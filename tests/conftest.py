"""Shared fixtures. Data come from the fetcher (set AEBOOK_DATA_MIRROR offline)."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
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
