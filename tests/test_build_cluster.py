"""One H2O and one object store for a whole run (aebook.build_cluster, make book QUICK=1)."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time

import pytest
from conftest import ROOT, servers_with

# The command run under the cluster: it reports what it was given and checks that
# both servers answer (H2O's cloud status, an S3 bucket listing with the keys).
PROBE = """
import glob, json, os, sys, urllib.request
from minio import Minio
url, endpoint = os.environ["AEBOOK_H2O_URL"], os.environ["AEBOOK_S3_ENDPOINT"]
cloud = json.load(urllib.request.urlopen(url + "/3/Cloud", timeout=10))
client = Minio(endpoint.split("//")[1], os.environ["AEBOOK_S3_ACCESS_KEY"],
               os.environ["AEBOOK_S3_SECRET_KEY"], secure=False)
quick_compiler = []  # for each H2O JVM of this run: started with the quick compiler only?
marker = ("AEBOOK_BUILD_TEST=" + os.environ["AEBOOK_BUILD_TEST"]).encode()
for environ in glob.glob("/proc/[0-9]*/environ"):
    try:
        if marker in open(environ, "rb").read().split(b"\\0"):
            command = open(environ[:-len("environ")] + "cmdline", "rb").read().split(b"\\0")
            if command[0].endswith(b"java"):
                quick_compiler.append(b"-XX:TieredStopAtLevel=1" in command)
    except OSError:
        pass
print(json.dumps({"url": url, "endpoint": endpoint, "healthy": cloud["cloud_healthy"],
                  "buckets": [b.name for b in client.list_buckets()], "quick_compiler": quick_compiler}))
sys.exit(int(sys.argv[1]))
"""


def run(args: list[str], marker: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "AEBOOK_BUILD_TEST": marker}
    return subprocess.run([sys.executable, "-m", "aebook.build_cluster", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.h2o
@pytest.mark.parametrize("short_jobs", [False, True])
def test_the_command_sees_one_cluster_and_store_which_stop_after_it(short_jobs):
    marker = secrets.token_hex(6)
    flag = ["--short-jobs"] if short_jobs else []
    done = run(["--max-mem-size", "1G", *flag, "--", sys.executable, "-c", PROBE, "3"], marker)
    assert done.returncode == 3, done.stderr  # the command's own exit status
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["healthy"] is True
    assert report["url"].startswith("http://127.0.0.1:")
    assert report["endpoint"].startswith("http://127.0.0.1:")
    assert report["buckets"] == []
    assert report["quick_compiler"] == [short_jobs]  # one JVM, compiling as asked
    deadline = time.time() + 30
    while (left := servers_with("AEBOOK_BUILD_TEST", marker)) and time.time() < deadline:
        time.sleep(1)
    assert not left, f"servers still run after the command ended: {left}"


def test_no_command_is_a_clear_error_before_any_server_starts():
    marker = secrets.token_hex(6)
    done = run([], marker)
    assert done.returncode == 2
    assert "No command to run: give it after `--`" in done.stderr
    assert not servers_with("AEBOOK_BUILD_TEST", marker)


def test_a_bad_memory_size_is_refused_before_any_server_starts():
    marker = secrets.token_hex(6)
    done = run(["--max-mem-size", "lots", "--", "true"], marker)
    assert done.returncode == 2
    assert "max_mem_size" in done.stderr and "such as" in done.stderr
    assert not servers_with("AEBOOK_BUILD_TEST", marker)


def test_a_program_that_does_not_exist_is_one_sentence_before_any_server_starts():
    marker = secrets.token_hex(6)
    done = run(["--", "/nonexistent"], marker)
    assert done.returncode == 2
    assert done.stderr == ("error: There is no program '/nonexistent' to run: give a program on PATH, "
                           "or its path, after `--`.\n")
    assert not servers_with("AEBOOK_BUILD_TEST", marker)
