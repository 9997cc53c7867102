"""Writing files so that a reader never sees half of one.

Every results, report and prepared-data file is written beside its target under a
temporary name that carries the writer's process id, then renamed over the target in
one step (``os.replace`` is atomic on one file system). A writer killed half-way leaves
only its temporary file, which :func:`remove_stale_temporaries` deletes once the
writer is dead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .guard import process_alive

__all__ = ["remove_dead_leftovers", "remove_stale_temporaries", "replace_atomically", "write_json"]


def _temporary(target: Path) -> Path:
    return target.with_name(f"{target.stem}.tmp{os.getpid()}{target.suffix}")


def replace_atomically(target: str | Path, write: Callable[[IO[str]], Any]) -> Path:
    """Call ``write(file)`` on a temporary text file beside ``target``, then rename it."""
    target = Path(target)
    tmp = _temporary(target)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            write(f)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _plain(value: Any) -> Any:
    """numpy numbers as plain numbers; anything else that JSON cannot hold is an error."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def write_json(path: str | Path, data: Any, indent: int = 1) -> Path:
    """``data`` as indented JSON in ``path``, written atomically."""
    text = json.dumps(data, indent=indent, default=_plain) + "\n"
    return replace_atomically(path, lambda f: f.write(text))


def remove_stale_temporaries(directory: Path, pattern: str) -> None:
    """Remove temporary files of :func:`replace_atomically` matching ``pattern`` in
    ``directory`` whose writer is no longer running."""
    remove_dead_leftovers(directory, pattern, r".*\.tmp(\d+)")


def remove_dead_leftovers(directory: Path, pattern: str, pid_in_name: str) -> None:
    """Remove the files and folders matching ``pattern`` in ``directory`` that a process
    which no longer runs left behind: its id is the first group of the regular
    expression ``pid_in_name`` matched at the start of the name."""
    for leftover in directory.glob(pattern):
        pid = re.match(pid_in_name, leftover.name)
        if pid and not process_alive(int(pid.group(1))):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
