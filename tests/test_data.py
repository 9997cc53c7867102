import hashlib
import os

import pytest

from aebook import data
from aebook.data import DataError, fetch, read_manifest


def make_mirror(tmp_path, files: dict[str, bytes], url_base: str | None = None):
    """A mirror directory holding ``files`` and a manifest that lists them."""
    mirror = tmp_path / "mirror"
    lines = ["# path\tsha256\turl"]
    for name, content in files.items():
        (mirror / name).parent.mkdir(parents=True, exist_ok=True)
        (mirror / name).write_bytes(content)
        url = f"{url_base}/{name}" if url_base else f"https://example.invalid/{name}"
        lines.append(f"{name}\t{hashlib.sha256(content).hexdigest()}\t{url}")
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    return mirror, manifest


def test_the_committed_manifest_lists_all_six_files():
    names = [e.path for e in read_manifest()]
    assert len(names) == 6
    assert {n.split("/")[0] for n in names} == {"mnist", "ecg"}
    assert all(e.url.startswith("https://") for e in read_manifest())


def test_fetch_copies_from_a_mirror_and_verifies(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"a/x.bin": b"hello", "b/y.csv": b"1,2\n"})
    paths = fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert sorted(paths) == ["a/x.bin", "b/y.csv"]
    assert (tmp_path / "raw/a/x.bin").read_bytes() == b"hello"


def test_fetch_skips_files_already_present_and_valid(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    (mirror / "x.bin").unlink()  # the mirror is not needed any more
    paths = fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert paths["x.bin"].read_bytes() == b"hello"


def test_fetch_replaces_a_corrupt_local_copy(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw/x.bin").write_bytes(b"hel")
    fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert (tmp_path / "raw/x.bin").read_bytes() == b"hello"


def test_checksum_mismatch_is_a_clear_error_and_nothing_is_kept(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    (mirror / "x.bin").write_bytes(b"tampered")
    with pytest.raises(DataError, match=r"x\.bin: checksum mismatch.*not kept"):
        fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert list((tmp_path / "raw").rglob("*")) == []


def test_file_missing_from_the_mirror(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    (mirror / "x.bin").unlink()
    with pytest.raises(DataError, match=r"x\.bin: not found in the mirror"):
        fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_mirror_that_is_not_a_directory(tmp_path):
    with pytest.raises(DataError, match="is not a directory"):
        fetch(mirror=tmp_path / "nowhere", dest=tmp_path / "raw", quiet=True)


def test_downloads_from_the_manifest_url(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    source, manifest = make_mirror(tmp_path, {"x.bin": b"hello"}, url_base=(tmp_path / "mirror").as_uri())
    paths = fetch(mirror=None, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert paths["x.bin"].read_bytes() == b"hello"


def test_unreachable_url_suggests_a_mirror(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    _, manifest = make_mirror(tmp_path, {"x.bin": b"hello"}, url_base=(tmp_path / "gone").as_uri())
    with pytest.raises(DataError, match=r"cannot download .*--mirror DIR"):
        fetch(dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_mirror_from_the_environment(tmp_path, monkeypatch):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    assert fetch(dest=tmp_path / "raw", manifest=manifest, quiet=True)["x.bin"].is_file()


def test_malformed_manifest_line(tmp_path):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("x.bin abc https://x\n")
    with pytest.raises(DataError, match=r"m\.tsv:1: expected"):
        read_manifest(manifest)


def test_command_line_reports_errors_in_one_line(tmp_path, capsys):
    assert data.main(["--mirror", str(tmp_path / "nowhere"), "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the data mirror") and err.count("\n") == 1


def test_real_data_is_present_and_verified():
    """The book's own data, via the mirror or the network (CI sets the mirror)."""
    paths = fetch(quiet=True)
    assert len(paths) == 6
    assert all(os.path.getsize(p) > 1000 for p in paths.values())


def test_command_line_entry_point(tmp_path):
    """``python -m aebook`` fetches into --dest, quietly but for one line per file."""
    import subprocess
    import sys

    from aebook.data import PROJECT_ROOT

    fetch(quiet=True)  # the book's data, used here as the mirror
    mirror = PROJECT_ROOT / "data" / "raw"
    result = subprocess.run([sys.executable, "-m", "aebook", "--mirror", str(mirror), "--dest", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip().endswith(f"6 data files present and verified in {tmp_path}")
