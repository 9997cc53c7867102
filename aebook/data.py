"""Fetch the book's data sets and verify them against the committed manifest.

The manifest ``data/manifest.tsv`` lists each file's path, SHA-256 and public URL.
Files land in ``data/raw/`` (git-ignored), in the same layout as the manifest paths.
A file already present with the right checksum is not fetched again. Instead of the
network, a local mirror directory with the same layout can be given
(``--mirror DIR`` or the ``AEBOOK_DATA_MIRROR`` environment variable).

Command line::

    python -m aebook                       # download what is missing
    python -m aebook --mirror ../shared/data
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .files import remove_dead_leftovers

__all__ = [
    "PROJECT_ROOT",
    "DataError",
    "ManifestEntry",
    "data_dir",
    "fetch",
    "path_of",
    "read_manifest",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "data" / "manifest.tsv"
MIRROR_ENV = "AEBOOK_DATA_MIRROR"
DATA_DIR_ENV = "AEBOOK_DATA_DIR"
# A file being fetched goes to a temporary folder beside its target, named with this
# prefix and the fetching process's id; a run finds and removes those of dead processes.
PARTIAL_PREFIX = ".aebook-partial-"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CHUNK = 1 << 20


class DataError(RuntimeError):
    """A data file is missing, cannot be fetched, or fails its checksum."""


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative, e.g. "mnist/t10k-images-idx3-ubyte.gz"
    sha256: str
    url: str


def _check_entry(where: str, path: str, url: str) -> None:
    """A manifest path stays inside the data folder; a URL is https."""
    parts = PurePosixPath(path).parts
    if (not parts or PurePosixPath(path).is_absolute() or "\\" in path
            or any(p in ("..", ".") for p in parts) or path != str(PurePosixPath(*parts))):
        raise DataError(f"{where}: the path {path!r} does not stay inside the data folder; write it "
                        "relative to the folder, without '..', such as mnist/t10k-labels-idx1-ubyte.gz.")
    parsed = urlsplit(url)
    if parsed.scheme != "https" or not parsed.netloc:
        raise DataError(f"{where}: the URL {url!r} is not an https:// address; the fetcher downloads "
                        "only over https, so give the file's https URL.")


def read_manifest(manifest: Path = MANIFEST) -> list[ManifestEntry]:
    """Parse the tab-separated manifest (``path  sha256  url``; ``#`` starts a comment).

    Every path must stay inside the data folder and every URL must be https; the
    SHA-256 may be written in upper or lower case. A manifest without entries is an error.
    """
    entries = []
    for lineno, line in enumerate(manifest.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not _SHA256.fullmatch(fields[1]):
            raise DataError(f"{manifest}:{lineno}: expected 'path<TAB>sha256<TAB>url' with a SHA-256 "
                            f"of 64 hexadecimal digits, got {line!r}")
        path, sha256, url = fields
        _check_entry(f"{manifest}:{lineno}", path, url)
        entries.append(ManifestEntry(path, sha256.lower(), url))
    if not entries:
        raise DataError(f"{manifest} lists no data files: restore it from git (git checkout -- {manifest.name}) "
                        "or add lines 'path<TAB>sha256<TAB>url'.")
    return entries


def data_dir() -> Path:
    """Where fetched files live: ``$AEBOOK_DATA_DIR`` or ``data/raw`` in the project."""
    return Path(os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT / "data" / "raw")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _WriteError(Exception):
    """Writing to the data folder failed (the OSError is the cause)."""


def _copy(read, out) -> None:
    """Copy ``read(n)`` blocks to ``out``; a failed write is a :class:`_WriteError`."""
    while block := read(_CHUNK):
        try:
            out.write(block)
        except OSError as err:
            raise _WriteError from err


def _copy_from(entry: ManifestEntry, mirror: Path | None, tmp: Path) -> None:
    """Copy the entry from the mirror or its URL to ``tmp`` (in the data folder).

    Errors of the source (mirror, network) are :class:`DataError`; errors writing
    ``tmp`` are :class:`_WriteError`, for the caller to blame on the data folder.
    """
    try:
        out = open(tmp, "wb")  # noqa: SIM115 (the with below; a failed open is blamed apart)
    except OSError as err:
        raise _WriteError from err
    with out:
        if mirror is not None:
            source = mirror / entry.path
            if not source.is_file():
                raise DataError(f"{entry.path}: not found in the mirror {mirror} (looked for {source})")
            try:
                with open(source, "rb") as f:
                    _copy(f.read, out)
            except OSError as err:
                raise DataError(f"{entry.path}: cannot read {source} in the mirror ({err.strerror or err}); "
                                "check the mirror's files and permissions.") from None
            return
        try:
            with urllib.request.urlopen(entry.url, timeout=60) as response:
                _copy(response.read, out)
        except (urllib.error.URLError, OSError) as err:
            raise DataError(
                f"{entry.path}: cannot download {entry.url} ({err}); without internet access, "
                f"point the fetcher at a local copy: --mirror DIR or {MIRROR_ENV}=DIR."
            ) from None


def _remove_leftovers(folder: Path) -> None:
    """Remove the temporary folders that killed fetches left in ``folder``."""
    remove_dead_leftovers(folder, f"{PARTIAL_PREFIX}*", rf"{re.escape(PARTIAL_PREFIX)}(\d+)-")


def _fetch_one(entry: ManifestEntry, mirror: Path | None, target: Path) -> None:
    """Put the verified file of ``entry`` at ``target``, through a temporary folder beside it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(target.parent)
        tmpdir = tempfile.mkdtemp(dir=target.parent, prefix=f"{PARTIAL_PREFIX}{os.getpid()}-")
    except OSError as err:
        raise _WriteError from err
    try:
        tmp = Path(tmpdir) / target.name
        _copy_from(entry, mirror, tmp)
        actual = sha256_of(tmp)
        if actual != entry.sha256:
            source = mirror / entry.path if mirror is not None else entry.url
            raise DataError(
                f"{entry.path}: checksum mismatch for {source}: SHA-256 is {actual}, "
                f"the manifest says {entry.sha256}. The file is corrupt or a different "
                "version; it was not kept."
            )
        try:
            os.replace(tmp, target)
        except OSError as err:
            raise _WriteError from err
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def fetch(
    mirror: str | Path | None = None,
    dest: str | Path | None = None,
    only: str | None = None,
    manifest: Path = MANIFEST,
    quiet: bool = False,
) -> dict[str, Path]:
    """Make every manifest file present and verified in ``dest``; return name -> path.

    ``mirror`` (default ``$AEBOOK_DATA_MIRROR``) is a local directory used instead of
    the URLs. ``only`` keeps the entries whose path starts with it (e.g. ``"ecg/"``).
    A file whose checksum does not match is never kept: :class:`DataError` says which.
    """
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    mirror = Path(mirror) if mirror is not None else None
    if mirror is not None and not mirror.is_dir():
        raise DataError(f"the data mirror {mirror} is not a directory")
    dest = Path(dest) if dest is not None else data_dir()
    entries = [e for e in read_manifest(manifest) if not only or e.path.startswith(only)]
    if not entries:
        raise DataError(f"no file of {manifest.name} starts with {only!r}: give a path the manifest lists, "
                        "such as 'mnist/' or 'ecg/ecg_discord_train.csv'.")
    if dest.exists() and not dest.is_dir():
        raise DataError(f"the data folder {dest} is a file, not a folder: move it away, or choose another "
                        f"folder with --dest DIR or {DATA_DIR_ENV}=DIR.")
    paths = {}
    for entry in entries:
        target = dest / entry.path
        if target.is_file() and sha256_of(target) == entry.sha256:
            paths[entry.path] = target
            continue
        try:
            _fetch_one(entry, mirror, target)
        except _WriteError as err:
            cause = err.__cause__
            reason = getattr(cause, "strerror", None) or cause
            raise DataError(
                f"{entry.path}: cannot write to the data folder {dest} ({reason}); make it writable "
                f"and free some space, or choose another folder with --dest DIR or {DATA_DIR_ENV}=DIR."
            ) from None
        if not quiet:
            print(f"fetched {entry.path}")
        paths[entry.path] = target
    return paths


def path_of(name: str) -> Path:
    """The verified local path of manifest file ``name``, fetching it if needed."""
    return fetch(only=name, quiet=True)[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aebook", description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", help=f"local directory to copy from instead of downloading (or ${MIRROR_ENV})")
    parser.add_argument("--dest", help=f"where to put the files (default: ${DATA_DIR_ENV} or data/raw)")
    args = parser.parse_args(argv)
    try:
        paths = fetch(mirror=args.mirror, dest=args.dest)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(paths)} data files present and verified in {Path(args.dest) if args.dest else data_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
