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
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DataError",
    "ManifestEntry",
    "PROJECT_ROOT",
    "data_dir",
    "fetch",
    "path_of",
    "read_manifest",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "data" / "manifest.tsv"
MIRROR_ENV = "AEBOOK_DATA_MIRROR"
DATA_DIR_ENV = "AEBOOK_DATA_DIR"


class DataError(RuntimeError):
    """A data file is missing, cannot be fetched, or fails its checksum."""


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative, e.g. "mnist/t10k-images-idx3-ubyte.gz"
    sha256: str
    url: str


def read_manifest(manifest: Path = MANIFEST) -> list[ManifestEntry]:
    """Parse the tab-separated manifest (``path  sha256  url``; ``#`` starts a comment)."""
    entries = []
    for lineno, line in enumerate(manifest.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or len(fields[1]) != 64:
            raise DataError(f"{manifest}:{lineno}: expected 'path<TAB>sha256<TAB>url', got {line!r}")
        entries.append(ManifestEntry(*fields))
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


def _copy_from(entry: ManifestEntry, mirror: Path | None, tmp: Path) -> None:
    if mirror is not None:
        source = mirror / entry.path
        if not source.is_file():
            raise DataError(f"{entry.path}: not found in the mirror {mirror} (looked for {source})")
        shutil.copyfile(source, tmp)
        return
    try:
        with urllib.request.urlopen(entry.url, timeout=60) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as err:
        raise DataError(
            f"{entry.path}: cannot download {entry.url} ({err}). Without internet access, "
            f"point the fetcher at a local copy: --mirror DIR or {MIRROR_ENV}=DIR."
        ) from None


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
    paths = {}
    for entry in read_manifest(manifest):
        if only and not entry.path.startswith(only):
            continue
        target = dest / entry.path
        if target.is_file() and sha256_of(target) == entry.sha256:
            paths[entry.path] = target
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmpdir:
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
            os.replace(tmp, target)
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
