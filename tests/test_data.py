import errno
import hashlib
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request

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


def test_the_committed_manifest_lists_every_data_set():
    names = [e.path for e in read_manifest()]
    assert len(names) == len(set(names)) == 10
    assert {n.split("/")[0] for n in names} == {"mnist", "ecg", "kdd", "weblogs"}
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


class FakeResponse(io.BytesIO):
    """What urlopen returns, serving ``content``; ``fail_after`` bytes, then a network error."""

    def __init__(self, content: bytes, fail_after: int | None = None):
        super().__init__(content)
        self.fail_after = fail_after

    def read(self, n=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().read(n)


def serve(monkeypatch, files: dict[str, bytes], fail_after: int | None = None) -> list[str]:
    """Make urlopen serve ``files`` by URL (https://example.invalid/NAME); return the URLs asked for."""
    asked = []

    def urlopen(url, timeout=None):
        asked.append(url)
        name = url.removeprefix("https://example.invalid/")
        if name not in files:
            raise urllib.error.URLError("Name or service not known")
        return FakeResponse(files[name], fail_after)

    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return asked


def test_downloads_from_the_manifest_url(tmp_path, monkeypatch):
    _, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    asked = serve(monkeypatch, {"x.bin": b"hello"})
    paths = fetch(mirror=None, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert paths["x.bin"].read_bytes() == b"hello"
    assert asked == ["https://example.invalid/x.bin"]


def test_unreachable_url_suggests_a_mirror(tmp_path, monkeypatch):
    _, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    serve(monkeypatch, {})
    with pytest.raises(DataError, match=r"cannot download .*--mirror DIR"):
        fetch(dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_a_connection_lost_mid_download_keeps_nothing(tmp_path, monkeypatch):
    _, manifest = make_mirror(tmp_path, {"x.bin": bytes(3 << 20)})
    serve(monkeypatch, {"x.bin": bytes(3 << 20)}, fail_after=1 << 20)
    with pytest.raises(DataError, match=r"cannot download .*Connection reset"):
        fetch(dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert list((tmp_path / "raw").iterdir()) == []


# ---- the destination side: one sentence, not a traceback --------------------------------


def test_a_destination_that_is_a_file(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    (tmp_path / "raw").write_text("not a folder")
    with pytest.raises(DataError, match=r"the data folder .*raw is a file, not a folder: .*--dest DIR"):
        fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_a_subfolder_that_is_a_file(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"a/x.bin": b"hello"})
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw/a").write_text("in the way")
    with pytest.raises(DataError, match=r"a/x\.bin: cannot write to the data folder .*--dest DIR"):
        fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_a_read_only_data_folder(tmp_path, monkeypatch):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    (tmp_path / "raw").mkdir()

    def read_only(*args, **kwargs):  # root may write to a chmod-ed folder: simulate the mount
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(data.tempfile, "mkdtemp", read_only)
    with pytest.raises(DataError, match=r"x\.bin: cannot write to the data folder .*\(Read-only file system\); "
                                        r"make it writable"):
        fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)


@pytest.mark.parametrize("use_mirror", [True, False])
def test_a_full_disk_is_blamed_on_the_data_folder_not_the_network(tmp_path, monkeypatch, use_mirror):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    serve(monkeypatch, {"x.bin": b"hello"})
    real_open = open

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def write(self, block):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def fake_open(path, mode="r", *args, **kwargs):
        f = real_open(path, mode, *args, **kwargs)
        return FullDisk(f) if "w" in mode and data.PARTIAL_PREFIX in str(path) else f

    monkeypatch.setattr("builtins.open", fake_open)
    with pytest.raises(DataError, match=r"cannot write to the data folder .*No space left on device") as error:
        fetch(mirror=mirror if use_mirror else None, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert "download" not in str(error.value)
    monkeypatch.undo()
    assert [p.name for p in (tmp_path / "raw").iterdir()] == []


def test_leftovers_of_a_killed_fetch_are_removed_at_the_next_run(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"a/x.bin": b"hello"})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    leftover = tmp_path / "raw" / "a" / f"{data.PARTIAL_PREFIX}{dead}-abc123"
    leftover.mkdir(parents=True)
    (leftover / "x.bin").write_bytes(b"hel")  # what a killed download leaves
    running = tmp_path / "raw" / "a" / f"{data.PARTIAL_PREFIX}{os.getpid()}-def456"
    running.mkdir()  # a fetch still under way (here: this process) is left alone
    fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert sorted(p.name for p in (tmp_path / "raw/a").iterdir()) == sorted(["x.bin", running.name])


# ---- the manifest is checked, not trusted ------------------------------------------------------


def write_manifest(tmp_path, line: str):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("# path\tsha256\turl\n" + line + "\n")
    return manifest


@pytest.mark.parametrize("path", ["../escape.bin", "a/../../escape.bin", "/etc/escape.bin", "./x.bin",
                                  "a//x.bin", "a\\..\\x.bin", ""])
def test_manifest_paths_must_stay_inside_the_data_folder(tmp_path, path):
    manifest = write_manifest(tmp_path, f"{path}\t{'a' * 64}\thttps://example.invalid/x")
    with pytest.raises(DataError, match=r"m\.tsv:2: the path .* does not stay inside the data folder"):
        fetch(mirror=tmp_path, dest=tmp_path / "raw", manifest=manifest, quiet=True)
    assert not (tmp_path / "escape.bin").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:,hello", "http://example.com/x", "ftp://x/y",
                                 "https:///x", "example.com/x"])
def test_manifest_urls_must_be_https(tmp_path, url):
    manifest = write_manifest(tmp_path, f"x.bin\t{'a' * 64}\t{url}")
    with pytest.raises(DataError, match=r"m\.tsv:2: the URL .* is not an https:// address"):
        read_manifest(manifest)


def test_an_uppercase_checksum_matches(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    manifest.write_text(manifest.read_text().replace(hashlib.sha256(b"hello").hexdigest(),
                                                     hashlib.sha256(b"hello").hexdigest().upper()))
    assert fetch(mirror=mirror, dest=tmp_path / "raw", manifest=manifest, quiet=True)["x.bin"].is_file()


def test_a_checksum_that_is_not_hexadecimal(tmp_path):
    manifest = write_manifest(tmp_path, f"x.bin\t{'g' * 64}\thttps://example.invalid/x")
    with pytest.raises(DataError, match=r"m\.tsv:2: expected .*64 hexadecimal digits"):
        read_manifest(manifest)


def test_an_empty_manifest_is_an_error(tmp_path, capsys):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("# path\tsha256\turl\n")
    with pytest.raises(DataError, match=r"m\.tsv lists no data files: restore it"):
        fetch(mirror=tmp_path, dest=tmp_path / "raw", manifest=manifest, quiet=True)


def test_the_command_line_fails_on_an_empty_manifest(tmp_path, monkeypatch, capsys):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("")
    monkeypatch.setattr(data, "MANIFEST", manifest)
    monkeypatch.setattr(data.fetch, "__defaults__", (None, None, None, manifest, False))
    assert data.main(["--mirror", str(tmp_path), "--dest", str(tmp_path / "raw")]) == 1
    err = capsys.readouterr().err
    assert "lists no data files" in err and err.count("\n") == 1


def test_a_name_the_manifest_does_not_list(tmp_path):
    mirror, manifest = make_mirror(tmp_path, {"x.bin": b"hello"})
    with pytest.raises(DataError, match=r"no file of manifest\.tsv starts with 'y'"):
        fetch(mirror=mirror, dest=tmp_path / "raw", only="y", manifest=manifest, quiet=True)


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
    assert len(paths) == len(read_manifest())
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
    count = len(read_manifest())
    assert result.stdout.strip().endswith(f"{count} data files present and verified in {tmp_path}")
