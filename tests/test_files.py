"""aebook.files: atomic writes, numpy numbers in JSON, temporaries of dead writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from aebook.files import remove_dead_leftovers, remove_stale_temporaries, replace_atomically, write_json


def test_json_is_written_whole_and_holds_numpy_numbers(tmp_path):
    path = write_json(tmp_path / "r.json", {"a": np.float64(0.5), "n": np.int64(3), "l": [1, 2]})
    assert json.loads(path.read_text()) == {"a": 0.5, "n": 3, "l": [1, 2]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_json(tmp_path / "r.json", {"old": True})
    with pytest.raises(TypeError, match="is not JSON"):
        write_json(path, {"new": object()})
    assert json.loads(path.read_text()) == {"old": True}

    def fail(f):
        f.write("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        replace_atomically(path, fail)
    assert json.loads(path.read_text()) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_only_the_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=60).stdout.strip()
    stale = tmp_path / f"r.tmp{dead}.json"
    running = tmp_path / f"r.tmp{os.getpid()}.json"
    for p in (stale, running):
        p.write_text("{}")
    remove_stale_temporaries(tmp_path, "r.tmp*")
    assert not stale.exists() and running.exists()


def test_leftover_folders_and_files_of_dead_processes_go_and_the_others_stay(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=60).stdout.strip()
    gone = [tmp_path / f".partial-{dead}-ab", tmp_path / f".partial-{dead}-cd.txt"]
    kept = [tmp_path / f".partial-{os.getpid()}-ef", tmp_path / ".partial-x-gh", tmp_path / f"other-{dead}-ij"]
    gone[0].mkdir()
    (gone[0] / "inside.txt").write_text("x")
    gone[1].write_text("x")
    kept[0].mkdir()
    kept[1].mkdir()
    kept[2].mkdir()
    remove_dead_leftovers(tmp_path, ".partial-*", r"\.partial-(\d+)-")
    assert not any(p.exists() for p in gone) and all(p.exists() for p in kept)
