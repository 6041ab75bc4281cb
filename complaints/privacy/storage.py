"""The private file storage: residents' and informants' photos, never published under a URL.

``STORAGES["private"]`` is a ``PrivateFileSystemStorage`` rooted at
``PORTAL_PRIVATE_MEDIA_ROOT`` (default ``PORTAL_DATA_DIR/private``), a directory outside
``MEDIA_ROOT`` that no web server location points at. Its files are read only by the
permission-checked views, through ``complaints.privacy.serving.private_file_response``.

``url()`` raises: a template or a serializer that asks a private file for its URL fails loudly
instead of printing a ``/media/...`` path. (A plain ``FileSystemStorage(base_url=None)`` would not
do: Django falls back to ``MEDIA_URL`` when ``base_url`` is None.)
"""

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

PRIVATE_STORAGE_ALIAS = "private"


@deconstructible(path="complaints.privacy.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage without URLs, rooted at ``PORTAL_PRIVATE_MEDIA_ROOT`` by default."""

    def __init__(self, location=None, base_url=None, **kwargs):
        # ``base_url`` is accepted (STORAGES may name it) and ignored: there is never a URL.
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PORTAL_PRIVATE_MEDIA_ROOT)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PORTAL_PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage():
    """The storage of every private FileField (a callable, so migrations name this function)."""
    return storages[PRIVATE_STORAGE_ALIAS]


def storage_root(storage) -> str | None:
    """The absolute directory of a local storage, or None for a remote one.

    (An object storage's ``location`` is a key prefix in its bucket, not a directory.)
    """
    if not isinstance(storage, FileSystemStorage):
        return None
    location = getattr(storage, "location", None)
    return os.path.abspath(location) if location else None


# Where the private FileFields wrote before they had their own storage (their upload_to prefix).
LEGACY_PREFIX = "complaints"


@dataclass
class MoveResult:
    moved: int = 0
    duplicates: int = 0  # already in the private root with the same content: the copy is removed
    conflicts: list[str] = field(default_factory=list)  # same name, other content: left alone
    skipped: list[str] = field(default_factory=list)  # symbolic links and other non-files
    missing: int = 0  # database rows whose file is not in the private storage


def _digest(handle) -> str:
    sha = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        sha.update(chunk)
    return sha.hexdigest()


def _remove_empty_dirs(top: Path) -> None:
    for directory, _subdirs, _files in os.walk(top, topdown=False):
        with contextlib.suppress(OSError):  # not empty
            os.rmdir(directory)


def legacy_private_media_move(*, stored_names: Iterable[str], dry_run: bool = False) -> MoveResult:
    """Move private files left under ``MEDIA_ROOT/complaints/`` into the private storage.

    Names stay the same (``complaints/2026/05/<random>.jpg``), so database rows need no change.
    Idempotent: a second run finds nothing to move. A file is copied to a temporary name, renamed
    into place, and only then removed from MEDIA_ROOT, so an interrupted run loses nothing.
    ``stored_names`` are the file names the database holds (the caller reads them; this package
    imports no model), each counted as missing when neither storage has it.
    """

    result = MoveResult()
    storage = private_storage()
    media_root = Path(settings.MEDIA_ROOT)
    source_top = media_root / LEGACY_PREFIX
    if source_top.is_dir():
        for directory, _subdirs, files in os.walk(source_top):
            for filename in sorted(files):
                source = Path(directory) / filename
                name = source.relative_to(media_root).as_posix()
                if source.is_symlink() or not source.is_file():
                    result.skipped.append(name)
                    continue
                if storage.exists(name):
                    with source.open("rb") as mine, storage.open(name, "rb") as theirs:
                        same = _digest(mine) == _digest(theirs)
                    if not same:
                        result.conflicts.append(name)
                        continue
                    result.duplicates += 1
                    if not dry_run:
                        source.unlink()
                    continue
                result.moved += 1
                if dry_run:
                    continue
                root = storage_root(storage)
                if root is not None:
                    target = Path(storage.path(name))
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".moving-")
                    os.close(fd)
                    try:
                        shutil.copy2(source, temporary)
                        os.replace(temporary, target)
                    except BaseException:
                        Path(temporary).unlink(missing_ok=True)
                        raise
                else:
                    with source.open("rb") as handle:
                        saved = storage.save(name, File(handle, name=filename))
                    if saved != name:
                        storage.delete(saved)
                        result.moved -= 1
                        result.conflicts.append(name)
                        continue
                source.unlink()
        if not dry_run:
            _remove_empty_dirs(source_top)
    for name in stored_names:
        in_media = (media_root / name).is_file()
        if not storage.exists(name) and not (dry_run and in_media):
            result.missing += 1
    return result
