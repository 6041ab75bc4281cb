"""Media on S3-compatible object storage: the multi-machine option (``PORTAL_MEDIA_BACKEND=s3``).

Two buckets, two storages (django-storages' ``S3Storage`` underneath; settings in
docs/deploy.md, "Media on S3-compatible storage"):

- ``PublicS3Storage`` is ``STORAGES["default"]``: Wagtail images (published under the bucket's
  URL or ``PORTAL_S3_PUBLIC_DOMAIN``) and Wagtail documents (served through Wagtail's own view).
- ``PrivateS3Storage`` is ``STORAGES["private"]``: residents' and informants' photos. Its
  ``url()`` raises like ``PrivateFileSystemStorage``'s, so no public or presigned link is ever
  made; objects are written with the ``private`` canned ACL (or none, for buckets whose ACLs are
  disabled); reads stream the object's body to the permission-checked views
  (``complaints.privacy.serving.private_file_response``).

Both turn the client's failures (endpoint unreachable, access denied, bucket missing, timeouts)
into ``ObjectStorageError``, an ``OSError``, which is what a full or read-only disk raises: the
callers written for local disks (upload drafts answer "storage unavailable" and keep the form,
partial uploads are removed, /healthz reports the storage as down) behave the same on S3.
"""

from contextlib import contextmanager

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Short timeouts and few retries: a resident waits on every call, and /healthz must answer
# while the endpoint is gone rather than hang for botocore's default 60 s per attempt.
CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=20,
    retries={"max_attempts": 3, "mode": "standard"},
)
CLIENT_ERRORS = (BotoCoreError, ClientError, Boto3Error)


class ObjectStorageError(OSError):
    """The object store refused or could not be reached; carries no endpoint or credentials."""


def _not_found(error: ClientError) -> bool:
    response = error.response
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404 or response.get(
        "Error", {}
    ).get("Code") in ("NoSuchKey", "404", "NotFound")


@contextmanager
def _translated(action: str):
    try:
        yield
    except FileNotFoundError:
        raise
    except CLIENT_ERRORS as exc:
        raise ObjectStorageError(
            f"object storage could not {action}: {type(exc).__name__}"
        ) from exc


class _ObjectStorage(S3Storage):
    """S3Storage with short timeouts, OSError on failure, and a cheap health probe."""

    def __init__(self, **settings):
        settings.setdefault("file_overwrite", False)  # two uploads of "photo.jpg" stay two files
        super().__init__(**settings)
        self.client_config = self.client_config.merge(CLIENT_CONFIG)

    def _open(self, name, mode="rb"):
        with _translated("read a file"):
            return super()._open(name, mode)

    def _save(self, name, content):
        with _translated("store a file"):
            return super()._save(name, content)

    def delete(self, name):
        with _translated("delete a file"):
            return super().delete(name)

    def exists(self, name):
        with _translated("look up a file"):
            return super().exists(name)

    def size(self, name):
        with _translated("read a file's size"):
            return super().size(name)

    def listdir(self, path):
        with _translated("list files"):
            return super().listdir(path)

    def get_modified_time(self, name):
        with _translated("read a file's time"):
            return super().get_modified_time(name)

    def health_probe(self) -> dict:
        """One HEAD request on the bucket (/healthz, portal.health.check_media_storage)."""
        with _translated("reach the bucket"):
            self.connection.meta.client.head_bucket(Bucket=self.bucket_name)
        return {"backend": "s3"}


class PublicS3Storage(_ObjectStorage):
    """``STORAGES["default"]``: Wagtail images and documents, unsigned public URLs."""

    def __init__(self, **settings):
        settings.setdefault("querystring_auth", False)
        super().__init__(**settings)


class ObjectStream(File):
    """A private object read straight from the response body, never copied to a temporary file."""

    def __init__(self, body, name: str, size: int):
        super().__init__(body, name=name)
        self.size = size

    def read(self, *args, **kwargs):
        with _translated("read a file"):
            return self.file.read(*args, **kwargs)

    def chunks(self, chunk_size=None):
        while data := self.read(chunk_size or self.DEFAULT_CHUNK_SIZE):
            yield data

    def __iter__(self):
        yield from self.chunks()


class PrivateS3Storage(_ObjectStorage):
    """``STORAGES["private"]``: residents' and informants' photos. No URL, ever."""

    def __init__(self, **settings):
        # No custom domain or signed links: url() below refuses before either could be used.
        settings["custom_domain"] = None
        settings.setdefault("default_acl", "private")
        super().__init__(**settings)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def _open(self, name, mode="rb"):
        if mode != "rb":
            # Writes go through save(); nothing opens a private object for writing.
            raise ValueError("Private objects are opened for reading ('rb') only.")
        key = self._normalize_name(clean_name(name))
        with _translated("read a file"):
            try:
                result = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
            except ClientError as exc:
                if _not_found(exc):
                    raise FileNotFoundError(f"No private file {name}") from exc
                raise
        return ObjectStream(result["Body"], name=name, size=result["ContentLength"])
