"""System checks: private files must stay out of every directory a web server publishes.

Registered in ``ComplaintsConfig.ready``; they run with every ``manage.py`` command (``check``,
``check --deploy``, ``migrate``, ``runserver``), since a private root inside ``MEDIA_ROOT`` leaks
photos under ``make run`` as much as in production.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from complaints.privacy.serving import ACCEL_MODES, ACCEL_NGINX, ACCEL_SENDFILE
from complaints.privacy.storage import storage_root


def _private_storages():
    """Every distinct storage a private FileField of the project uses."""
    from django.apps import apps
    from django.db.models import FileField

    from complaints.privacy.storage import private_storage

    found = {id(private_storage()): private_storage()}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is (
                private_storage
            ):
                found[id(field.storage)] = field.storage
    return list(found.values())


def _inside(path: Path, root) -> bool:
    if not root:
        return False
    root = Path(root).resolve()
    return path == root or path.is_relative_to(root)


@register(Tags.security)
def check_private_media(app_configs=None, **kwargs):
    errors = []
    published = [("MEDIA_ROOT", settings.MEDIA_ROOT), ("STATIC_ROOT", settings.STATIC_ROOT)]
    for storage in _private_storages():
        try:
            storage.url("check.jpg")
        except (ValueError, NotImplementedError):
            pass
        else:
            errors.append(
                Error(
                    "The private file storage makes URLs for its files.",
                    hint="Use complaints.privacy.storage.PrivateFileSystemStorage for "
                    'STORAGES["private"]; private files are served only by permission-checked '
                    "views.",
                    obj=type(storage).__name__,
                    id="complaints.E101",
                )
            )
        root = storage_root(storage)
        if root is None:
            continue
        private_root = Path(root).resolve()
        for setting, value in published:
            if _inside(private_root, value):
                errors.append(
                    Error(
                        f"The private media root {private_root} is inside {setting} ({value}), "
                        "which is published under a URL.",
                        hint=f"Set PORTAL_PRIVATE_MEDIA_ROOT to a directory outside {setting} "
                        "(the default is PORTAL_DATA_DIR/private), then run "
                        "'manage.py move_private_media'.",
                        id="complaints.E102",
                    )
                )
    mode = settings.PORTAL_PRIVATE_MEDIA_ACCEL
    if mode not in ACCEL_MODES:
        errors.append(
            Error(
                f"PORTAL_PRIVATE_MEDIA_ACCEL is {mode!r}.",
                hint='Use "" (Django streams the file), "x-accel-redirect" or "x-sendfile".',
                id="complaints.E103",
            )
        )
    elif mode == ACCEL_NGINX:
        prefix = settings.PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX
        if not prefix.strip("/") or not prefix.startswith("/"):
            errors.append(
                Error(
                    f"PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX is {prefix!r}.",
                    hint="Name the nginx internal location, e.g. /_private/.",
                    id="complaints.E104",
                )
            )
        media_url = settings.MEDIA_URL or ""
        static_url = settings.STATIC_URL or ""
        for url in (media_url, static_url):
            if url.startswith("/") and ("/" + prefix.strip("/") + "/").startswith(url):
                errors.append(
                    Error(
                        f"PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX {prefix!r} is under {url!r}.",
                        hint="Use a location of its own, e.g. /_private/, marked internal.",
                        id="complaints.E104",
                    )
                )
    elif mode == ACCEL_SENDFILE:
        for storage in _private_storages():
            if storage_root(storage) is None:
                errors.append(
                    Error(
                        "PORTAL_PRIVATE_MEDIA_ACCEL is x-sendfile but the private storage has "
                        "no local files.",
                        hint='Use a local private storage or PORTAL_PRIVATE_MEDIA_ACCEL="".',
                        id="complaints.E105",
                    )
                )
    return errors
