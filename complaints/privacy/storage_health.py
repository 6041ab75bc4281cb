"""Can the portal write its files? A probe of MEDIA_ROOT and the private photo store.

``check_media_storage()`` is one of the /healthz checks (``portal.health``): a full or read-only
disk shows there before residents meet it on the report form.
"""

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

PROBE_BYTES = b"portal storage probe\n"


class MediaStorageError(OSError):
    """A media directory cannot take a file (full, read-only, missing, not a directory)."""


def _probe(root: Path) -> int:
    """Write, read back and delete a small file in ``root``; return its disk's free bytes."""
    root.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=root, prefix=".healthz-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
        if Path(name).read_bytes() != PROBE_BYTES:
            raise MediaStorageError(f"{root}: the probe file reads back wrong")
    finally:
        Path(name).unlink(missing_ok=True)
    return shutil.disk_usage(root).free


def check_media_storage() -> int:
    """Probe ``MEDIA_ROOT`` and ``PORTAL_PRIVATE_MEDIA_ROOT``; return the smaller free space.

    Returns the free bytes of the fuller of the two disks. Raises ``MediaStorageError`` (an
    ``OSError``, with the directory in its message) when either cannot take a file.
    """
    free = []
    for root in (settings.MEDIA_ROOT, settings.PORTAL_PRIVATE_MEDIA_ROOT):
        try:
            free.append(_probe(Path(root)))
        except MediaStorageError:
            raise
        except OSError as exc:
            raise MediaStorageError(f"{root}: {exc.strerror or exc}") from exc
    return min(free)
