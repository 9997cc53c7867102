"""Get a data file into an H2O frame, wherever the cluster runs.

``h2o.import_file(path)`` is read by the H2O *server*: it works when the cluster runs
on this machine and fails on a cluster elsewhere, which cannot see your disk.
:func:`frame_from_file` picks the route that works:

- ``s3://bucket/key``: the cluster reads the object store itself (the data never
  passes through Python);
- a local file and a cluster that sees it: a parallel import by the cluster;
- a local file and a cluster that does not: an upload from Python.

The frame's id is :func:`aebook.h2o_session.unique_id` of the name you give, so
readers sharing a cluster never overwrite each other's frames.

An import does not read the file's own path, but a symbolic link to it that only
this call uses (:func:`_private_link`). H2O names an imported file by its path
(``nfs://<path>``), the parse deletes that key when done, and a second import of
the path replaces it: two imports of one file at once (two readers of a shared
cluster, two chapters of a parallel build) break each other ("... is already in
use", "Key not loaded"). The link also has an ASCII name, as H2O mangles the key
of a path with other characters ("couldn't read data from '$6e66733a...'"). A
cluster that sees the file but not the link (elsewhere, sharing only that
folder) gets the file uploaded. An ``s3://`` object is keyed by its URL in the
same way: it is imported through a copy of its own, made in the store that the
session was started with (:meth:`aebook.object_storage.ObjectStore.private_copy`).
"""

from __future__ import annotations

import contextlib
import errno
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from .h2o_session import H2OSetupError, current_session, unique_id

__all__ = ["frame_from_file", "frame_from_table"]

Route = Literal["auto", "import", "upload"]


def _s3_failure(source: str, err: Exception) -> H2OSetupError:
    text = str(err)
    session = current_session()
    if "NoSuchBucket" in text or "bucket does not exist" in text.lower():
        return H2OSetupError(f"The bucket of {source} does not exist in the object "
                             "store: create it and upload the file first.")
    if any(s in text for s in ("403", "AccessDenied", "InvalidAccessKeyId")):
        return H2OSetupError(f"The object store refused H2O's keys for {source}: give "
                             "the cluster the store's keys (start_h2o(store=...)).")
    if any(s in text for s in ("amazonaws.com", "Unable to execute HTTP request",
                               "Unable to load AWS credentials", "SdkClientException")):
        return H2OSetupError(
            f"The H2O cluster at {session.url} could not reach the object store for "
            f"{source}: H2O must be restarted with the store's endpoint "
            "(-Dsys.ai.h2o.persist.s3.endPoint=URL "
            "-Dsys.ai.h2o.persist.s3.enable.path.style=true; start_h2o(store=...) "
            "does this).")
    if any(s in text for s in ("does not exist", "NoSuchKey", "404",
                               "No file names given")):
        return H2OSetupError(f"{source} does not exist in the object store: upload it "
                             "first or fix the path.")
    first = text.strip().splitlines()[0][:200] if text.strip() else type(err).__name__
    return H2OSetupError(f"H2O could not import {source} ({first}): check the path "
                         "and the store.")


def frame_from_file(source: str | Path, name: str, route: Route = "auto",
                    **parse_options: Any):
    """An H2O frame with id ``unique_id(name)`` from a local file or an ``s3://`` URL.

    ``route`` forces ``"import"`` (the cluster reads the path) or ``"upload"``
    (Python sends the file); ``"auto"`` imports (through a link of this call's own,
    see above) when the cluster sees the file and the link, and uploads otherwise.
    ``parse_options`` go to H2O's parser (``header``, ``col_types``, ``col_names``,
    ``sep``, ``na_strings``, ...).
    """
    import h2o
    from h2o.exceptions import H2OResponseError, H2OServerError

    session = current_session()
    frame_id = unique_id(name)
    text = str(source)
    if text.startswith("s3://"):
        if route == "upload":
            raise ValueError("an s3:// object cannot be uploaded from Python: use route='auto'")
        try:
            return _import_object(text, frame_id, session, **parse_options)
        except (H2OResponseError, H2OServerError) as err:
            raise _s3_failure(text, err) from None
    path = Path(source).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file: fetch the data first "
                                "(python -m aebook) or fix the path.")
    if route != "upload":
        with _private_link(path, session.tag) as link:
            if session.shares_files or (_cluster_sees(path) and _cluster_sees(link)):
                return _import(link, frame_id, **parse_options)
        if route == "import":  # a cluster that sees the file but not this machine's temporary folder
            return h2o.import_file(str(path), destination_frame=frame_id, **parse_options)
    return h2o.upload_file(str(path), destination_frame=frame_id, **parse_options)


def frame_from_table(table, name: str, column_types: list[str] | None = None):
    """A small pandas ``table`` as an H2O frame with id ``unique_id(name)``.

    It goes through a CSV in a temporary folder of its own, which goes when the call
    ends, also on an error (``h2o.H2OFrame(table)`` leaves its temporary file behind
    when the disk is full); a full temporary disk is one sentence.
    """
    import h2o

    try:
        with tempfile.TemporaryDirectory(prefix="aebook_table_") as folder:
            path = Path(folder) / "table.csv"
            table.to_csv(path, index=False)
            return h2o.upload_file(str(path), destination_frame=unique_id(name), header=1,
                                   col_types=column_types)
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise H2OSetupError(f"There is no space left in the temporary folder {tempfile.gettempdir()} for "
                            "a table on its way to H2O: free some space there, or set TMPDIR to a "
                            "folder with room.") from None


def _import_object(url: str, frame_id: str, session, **parse_options: Any):
    """``h2o.import_file`` of an ``s3://`` object, through a copy of its own in the store
    that the session was started with (as :func:`_private_link` for a file); without
    one, the object itself (its keys are the cluster's own)."""
    import h2o

    bucket, _, key = url.removeprefix("s3://").partition("/")
    store = session.store
    if store is None or not key:
        return h2o.import_file(url, destination_frame=frame_id, **parse_options)
    from .object_storage import StorageError

    try:
        copy = store.private_copy(bucket, key, session.tag)
    except StorageError:  # no such object, no bucket: H2O's import says which
        return h2o.import_file(url, destination_frame=frame_id, **parse_options)
    try:
        return h2o.import_file(copy, destination_frame=frame_id, **parse_options)
    except BaseException:
        with contextlib.suppress(Exception):
            h2o.remove(copy, cascade=False)  # the raw object the parse did not remove
        raise
    finally:
        with contextlib.suppress(StorageError):
            store.remove(bucket, copy.removeprefix(f"s3://{bucket}/"))


@contextlib.contextmanager
def _private_link(path: Path, tag: str) -> Iterator[Path]:
    """A symbolic link to ``path`` in a new temporary folder named after the session ``tag``.

    Its name is ``path``'s with every character but ASCII letters, digits, ``.``, ``_``
    and ``-`` replaced by ``_``. The folder and link go when the block ends.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"{tag}_import_"))
    try:
        folder.chmod(0o755)  # also for a cluster that another user of this machine runs
        link = folder / re.sub(r"[^A-Za-z0-9._-]", "_", path.name)
        link.symlink_to(path)
        yield link
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _import(link: Path, frame_id: str, **parse_options: Any):
    """``h2o.import_file`` of ``link``; if it fails, the raw file it left on the cluster goes too."""
    import h2o

    try:
        return h2o.import_file(str(link), destination_frame=frame_id, **parse_options)
    except BaseException:
        with contextlib.suppress(Exception):
            h2o.remove(f"nfs:/{link}", cascade=False)  # H2O's key of an imported file: nfs:/ + its path
        raise


def _cluster_sees(path: Path) -> bool:
    """Whether a file at ``path`` exists on the cluster's own filesystem."""
    import h2o

    try:
        answer = h2o.api("GET /3/Typeahead/files", data={"src": str(path), "limit": 5})
    except Exception:  # any failure means: do not rely on it
        return False
    return str(path) in (answer.get("matches") or [])


def time_routes(path: str | Path, s3_url: str | None, name: str, repeats: int = 3,
                **parse_options: Any) -> dict[str, list[float]]:
    """Seconds to get the same table into an H2O frame by each route that works here.

    Routes: ``"import"`` (the cluster reads ``path``; only if it sees the file),
    ``"upload"`` (Python sends it) and ``"s3"`` (the cluster reads ``s3_url``). Each
    route runs ``repeats`` times, the routes in turn (so that a warming JVM or a busy
    moment does not favour one), and every frame is removed again.
    """
    import time

    import h2o

    routes: dict[str, tuple[str | Path, Route]] = {"upload": (path, "upload")}
    if current_session().shares_files or _cluster_sees(Path(path).resolve()):
        routes["import"] = (path, "import")
    if s3_url:
        routes["s3"] = (s3_url, "auto")
    seconds: dict[str, list[float]] = {route: [] for route in routes}
    for i in range(repeats):
        order = list(routes)[i % len(routes):] + list(routes)[:i % len(routes)]
        for route in order:
            source, how = routes[route]
            start = time.perf_counter()
            frame = frame_from_file(source, f"{name}_{route}_{i}", route=how, **parse_options)
            seconds[route].append(time.perf_counter() - start)
            h2o.remove(frame)
    return seconds
