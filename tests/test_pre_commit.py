"""The pre-commit hook lints as `make lint` does, and finds what ruff finds."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_hook_passes_on_the_project_and_catches_a_finding(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in (".pre-commit-config.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    (repo / ".venv").symlink_to(Path(sys.executable).parents[1])
    (repo / "good.py").write_text("VALUES = [1, 2]\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, timeout=60)
    subprocess.run(["git", "add", "good.py", ".pre-commit-config.yaml", "pyproject.toml"], cwd=repo, check=True,
                   timeout=60)
    clean = _run("run", "--all-files", cwd=repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (repo / "bad.py").write_text("def f(xs, ys):\n    return list(zip(xs, ys))\n")  # B905
    subprocess.run(["git", "add", "bad.py"], cwd=repo, check=True, timeout=60)
    found = _run("run", "--all-files", cwd=repo)
    assert found.returncode == 1 and "B905" in found.stdout, found.stdout + found.stderr
