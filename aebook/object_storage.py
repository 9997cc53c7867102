"""S3-compatible object storage (MinIO, AWS S3, or a local server), handled like H2O.

In a notebook::

    store = start_object_store()      # $AEBOOK_S3_ENDPOINT, or a local S3 server
    store.ensure_bucket("mnist-files")
    store.upload(path, "mnist-files", "train.csv")
    ...
    store.stop()                      # last cell; also runs at interpreter exit

With ``AEBOOK_S3_ENDPOINT`` (for example ``http://minio.example.org:9000``) and the
keys in ``AEBOOK_S3_ACCESS_KEY`` and ``AEBOOK_S3_SECRET_KEY``, the store is a real
MinIO or AWS S3, which other sessions (a class) use at the same time: this session
then removes only the objects it wrote for itself (results). It never removes a
bucket, nor a table uploaded with ``shared=True``: another session may be reading
them. Without it, a local S3 server (the standalone
server of ``moto``) starts on a free port under the same guard as H2O's nodes
(:mod:`aebook.guarded_process`), with MinIO's well-known local keys; it ends with
the session, also when the kernel is killed.

Keys are never printed: the store's ``repr`` leaves them out.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .guarded_process import GuardedProcesses, start_guarded

__all__ = ["ObjectStore", "StorageError", "start_object_store"]

ENDPOINT_ENV = "AEBOOK_S3_ENDPOINT"
ACCESS_KEY_ENV = "AEBOOK_S3_ACCESS_KEY"
SECRET_KEY_ENV = "AEBOOK_S3_SECRET_KEY"
LOCAL_KEYS = ("minioadmin", "minioadmin")  # MinIO's defaults; only for the local server


PRIVATE_COPIES = "aebook-imports"  # the folder of each bucket with the sessions' own copies


class StorageError(RuntimeError):
    """The object store cannot be reached or used; the message says what to do."""


def _http_client():
    import urllib3

    # fail within seconds when nothing answers, instead of minio's long retries
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3, read=60),
        retries=urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=[]),
    )


@dataclass
class ObjectStore:
    """A connection to an S3-compatible store; ``owned`` if this process runs it."""

    endpoint: str
    owned: bool
    region: str = "us-east-1"
    access_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    _server: GuardedProcesses | None = field(default=None, repr=False)
    _created_buckets: list[str] = field(default_factory=list, repr=False)
    _written: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def client(self):
        """A ``minio.Minio`` client for this store."""
        from minio import Minio

        parts = urllib.parse.urlsplit(self.endpoint)
        return Minio(parts.netloc, access_key=self.access_key, secret_key=self.secret_key,
                     secure=parts.scheme == "https", region=self.region,
                     http_client=_http_client())

    # --- what H2O needs -------------------------------------------------------------
    def h2o_jvm_options(self) -> list[str]:
        """JVM options that point H2O's ``s3://`` reader and writer at this store."""
        return [f"-Dsys.ai.h2o.persist.s3.endPoint={self.endpoint}",
                "-Dsys.ai.h2o.persist.s3.enable.path.style=true"]

    def give_credentials_to_h2o(self) -> None:
        """Hand the keys to the connected H2O cluster (they are not printed)."""
        import io

        from h2o.persist import set_s3_credentials

        with contextlib.redirect_stdout(io.StringIO()):  # it prints a confirmation
            set_s3_credentials(self.access_key, self.secret_key)

    # --- buckets and objects --------------------------------------------------------
    def _call(self, what: str, function, *args, **kwargs):
        """Run a minio call; turn its failures into one-sentence StorageErrors."""
        from minio.error import S3Error

        try:
            return function(*args, **kwargs)
        except S3Error as err:
            if err.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"):
                raise StorageError(
                    f"The object store at {self.endpoint} refused the keys ({err.code}) "
                    f"while it was asked to {what}: check {ACCESS_KEY_ENV} and "
                    f"{SECRET_KEY_ENV}."
                ) from None
            if err.code == "NoSuchBucket":
                raise StorageError(
                    f"The bucket {err.bucket_name!r} does not exist at {self.endpoint}: "
                    "create it first (store.ensure_bucket) or fix the bucket name."
                ) from None
            if err.code == "NoSuchKey":
                raise StorageError(
                    f"There is no object {err.object_name!r} in bucket {err.bucket_name!r} "
                    f"at {self.endpoint}: upload it first or fix its name."
                ) from None
            raise StorageError(
                f"The object store at {self.endpoint} answered {err.code} while it was "
                f"asked to {what}: see its message ({err.message})."
            ) from None
        except ValueError as err:  # minio checks names before it sends anything
            raise StorageError(
                f"Could not {what}: {err} (bucket names have 3 to 63 lowercase letters, "
                "digits, dots or hyphens): fix the name."
            ) from None
        except Exception as err:  # urllib3 raises several types here
            if "403" in str(err):
                raise StorageError(
                    f"The object store at {self.endpoint} refused the keys (HTTP 403) while "
                    f"it was asked to {what}: check {ACCESS_KEY_ENV} and {SECRET_KEY_ENV}."
                ) from None
            raise StorageError(
                f"Could not reach the object store at {self.endpoint} "
                f"({type(err).__name__}): check that it is running and that "
                f"{ENDPOINT_ENV} is right."
            ) from None

    def check(self) -> None:
        """Raise :class:`StorageError` unless the store answers and accepts the keys."""
        self._call("list its buckets", self.client.list_buckets)

    def ensure_bucket(self, bucket: str) -> None:
        """Create ``bucket`` unless it exists. A bucket is never removed by :meth:`stop`
        on a shared store (another session may be using it)."""
        from minio.error import S3Error

        if self._call(f"look up bucket {bucket}", self.client.bucket_exists, bucket):
            return
        try:
            self.client.make_bucket(bucket)
        except S3Error as err:  # another session created it a moment ago
            if err.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                self._call(f"create bucket {bucket}", self.client.make_bucket, bucket)
            return
        except Exception:  # unreachable store, refused keys: the usual sentence
            self._call(f"create bucket {bucket}", self.client.make_bucket, bucket)
        self._created_buckets.append(bucket)

    def upload(self, path: str | Path, bucket: str, key: str, shared: bool = False) -> str:
        """Copy a local file to ``bucket/key``; return its ``s3://`` URL.

        The object is removed at :meth:`stop` on a shared store, unless ``shared``: an
        input table that other sessions may read stays.
        """
        path = Path(path)
        if not path.is_file():
            raise StorageError(f"{path} is not a file: give the path of a file to upload.")
        self._call(f"upload {key} to {bucket}", self.client.fput_object,
                   bucket, key, str(path))
        return f"s3://{bucket}/{key}" if shared else self.s3_url(bucket, key)

    def private_copy(self, bucket: str, key: str, tag: str) -> str:
        """A copy of ``bucket/key`` that only the session ``tag`` reads (made in the store,
        not through Python); its ``s3://`` URL. H2O names an imported object by its URL,
        so two sessions importing one object at once break each other's import; each
        imports its own copy instead, and :meth:`remove` deletes it afterwards (or
        :meth:`stop` does)."""
        from minio.commonconfig import CopySource

        copy = f"{PRIVATE_COPIES}/{tag}/{key}"
        self._call(f"copy {key} in {bucket}", self.client.copy_object, bucket, copy,
                   CopySource(bucket, key))
        return self.s3_url(bucket, copy)

    def remove(self, bucket: str, key: str) -> None:
        """Remove the object ``bucket/key``, which this session wrote."""
        self._call(f"remove {key}", self.client.remove_object, bucket, key)
        with contextlib.suppress(ValueError):
            self._written.remove((bucket, key))

    def download(self, bucket: str, key: str, path: str | Path) -> Path:
        """Copy ``bucket/key`` to the local file ``path``."""
        self._call(f"download {key} from {bucket}", self.client.fget_object,
                   bucket, key, str(path))
        return Path(path)

    def s3_url(self, bucket: str, key: str) -> str:
        """``s3://bucket/key``, remembered as written by this session (removed at stop)."""
        if (bucket, key) not in self._written:
            self._written.append((bucket, key))
        return f"s3://{bucket}/{key}"

    def list(self, bucket: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key, size in bytes) of the objects in ``bucket`` under ``prefix``."""
        objects = self._call(f"list bucket {bucket}", lambda: list(
            self.client.list_objects(bucket, prefix=prefix, recursive=True)))
        return [(o.object_name, o.size) for o in objects]

    # --- the end --------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the local server; on a shared store remove only the objects this session
        wrote for itself (never a bucket, nor a table uploaded with ``shared=True``)."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.stop()
            return
        with contextlib.suppress(StorageError):
            client = self.client
            for bucket, key in self._written:
                # H2O writes a "file" as a folder of parts: remove everything under it
                for name, _size in self.list(bucket, key):
                    self._call(f"remove {name}", client.remove_object, bucket, name)

    def __enter__(self) -> ObjectStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_local_server() -> ObjectStore:
    for _attempt in range(3):
        port = _free_port()
        server = start_guarded("s3", [[sys.executable, "-m", "moto.server",
                                       "-H", "127.0.0.1", "-p", str(port)]])
        store = ObjectStore(endpoint=f"http://127.0.0.1:{port}", owned=True,
                            access_key=LOCAL_KEYS[0], secret_key=LOCAL_KEYS[1],
                            _server=server)
        deadline = time.time() + 30
        while time.time() < deadline and all(server.running()):
            try:
                store.check()
                return store
            except StorageError:
                time.sleep(0.3)
        server.stop()
    raise StorageError("The local S3 server did not start: check that the pinned "
                       "packages are installed (make install).")


def start_object_store(
    endpoint: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> ObjectStore:
    """Connect to ``endpoint`` (default ``$AEBOOK_S3_ENDPOINT``) or start a local server.

    The keys default to ``$AEBOOK_S3_ACCESS_KEY`` and ``$AEBOOK_S3_SECRET_KEY``. The
    connection is checked before anything else happens.
    """
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
    if endpoint is None:
        store = _start_local_server()
    else:
        parts = urllib.parse.urlsplit(endpoint.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StorageError(
                f"The object store endpoint {endpoint!r} needs a scheme and a host, for "
                f"example http://{endpoint}: fix it (or {ENDPOINT_ENV})."
            )
        access_key = access_key or os.environ.get(ACCESS_KEY_ENV)
        secret_key = secret_key or os.environ.get(SECRET_KEY_ENV)
        if not access_key or not secret_key:
            raise StorageError(
                f"The object store at {endpoint} needs keys: set {ACCESS_KEY_ENV} and "
                f"{SECRET_KEY_ENV}."
            )
        store = ObjectStore(endpoint=f"{parts.scheme}://{parts.netloc}", owned=False,
                            access_key=access_key, secret_key=secret_key)
        store.check()
    atexit.register(store.stop)
    return store
