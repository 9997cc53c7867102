"""Launching the notebooks elsewhere: one repository setting, a Binder folder, a Colab script.

The rendered pages' launch and download links are checked in test_book.py (they need
the built book); these checks need only the files.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def repository_url() -> str:
    return CONFIG["repository"]["url"].rstrip("/")


def test_the_repository_setting_is_a_github_repository():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repository_url())
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]


@pytest.mark.parametrize("document", ["book/run_elsewhere.md", "README.md"])
def test_the_colab_snippet_clones_the_configured_repository(document):
    text = (ROOT / document).read_text()
    clones = re.findall(r"git clone [^\n]*?(https://\S+?)(?:\.git)?\s", text)
    assert clones, f"{document} has no git clone line"
    assert set(clones) == {repository_url()}, f"{document} clones {clones}, _config.yml says {repository_url()}"
    assert "binder/colab.sh" in text


def test_binder_installs_java_17_and_the_pinned_packages():
    assert (ROOT / "binder" / "apt.txt").read_text().split() == ["openjdk-17-jre-headless"]
    lines = [line.strip() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-r ../requirements.txt"]
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


@pytest.mark.parametrize("script", ["postBuild", "colab.sh"])
def test_binder_scripts_are_valid_executable_bash(script):
    path = ROOT / "binder" / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "set -euo pipefail" in path.read_text()


def test_the_colab_script_pins_only_packages_of_requirements_txt():
    pinned = dict(line.split("==", 1) for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if "==" in line and not line.startswith("#"))
    wanted = re.findall(r"\$\(pin ([\w-]+)\)", (ROOT / "binder" / "colab.sh").read_text())
    assert wanted, "colab.sh pins nothing"
    assert [name for name in wanted if name not in pinned] == []
