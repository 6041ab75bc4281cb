"""Key rotation: re-encrypt every stored personal value under the current first key.

Procedure (docs/rewards.md): put a new key first in ``PORTAL_FIELD_KEYS`` and restart every
process, run ``manage.py reencrypt_personal_data``, then drop the old key. The models holding
encrypted columns are discovered from the app registry (every ``EncryptedTextField``), so a new
one is covered without touching this module.

Values are read and written as raw column contents (the field itself would decrypt on read and
encrypt again on write). Before anything is written, every value is checked: if any cannot be
decrypted with a configured key, nothing is changed and the offenders are listed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from complaints.privacy.fields import EncryptedTextField

BATCH_SIZE = 500


@dataclass
class ModelRotation:
    label: str  # e.g. "complaints.Report"
    rows: int = 0  # rows with at least one value
    values: int = 0  # non-empty values re-encrypted (or checked)


@dataclass(frozen=True)
class Undecryptable:
    label: str
    pk: object
    field: str


class UndecryptableValues(Exception):
    """Stored values that no configured key decrypts; nothing was re-encrypted."""

    def __init__(self, problems: list[Undecryptable]):
        self.problems = problems
        listed = ", ".join(f"{p.label} pk={p.pk} ({p.field})" for p in problems[:50])
        more = f" and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} value(s) no configured key decrypts: {listed}{more}")


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model with encrypted columns, and those columns."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [
            f
            for f in meta.concrete_fields
            if isinstance(f, EncryptedTextField) and f.model is model
        ]
        if fields:
            found.append((model, fields))
    return sorted(found, key=lambda item: item[0]._meta.label)


def _multifernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def _batches(model, fields, *, batch_size: int, lock: bool):
    """Raw (pk, value, ...) rows in primary-key order, ``batch_size`` at a time."""
    qn = connection.ops.quote_name
    pk_column = model._meta.pk.column
    columns = ", ".join(qn(f.column) for f in fields)
    where_any = " OR ".join(f"{qn(f.column)} <> ''" for f in fields)
    lock_sql = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""

    def sql(after: bool) -> str:
        where = f"{qn(pk_column)} > %s AND " if after else ""
        # Identifiers come from model metadata, quoted; values are parameters.
        select = f"SELECT {qn(pk_column)}, {columns} FROM {qn(model._meta.db_table)}"  # noqa: S608 - quoted identifiers from model metadata  # nosec B608
        return f"{select} WHERE {where}({where_any}) ORDER BY {qn(pk_column)} LIMIT %s{lock_sql}"

    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(sql(after=False), [batch_size])
            else:
                cursor.execute(sql(after=True), [last, batch_size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _check(model, fields, fernet: MultiFernet, batch_size: int) -> list[Undecryptable]:
    problems = []
    for rows in _batches(model, fields, batch_size=batch_size, lock=False):
        for pk, *values in rows:
            for f, value in zip(fields, values, strict=True):
                if not value:
                    continue
                try:
                    fernet.decrypt(value.encode("ascii"))
                except (InvalidToken, UnicodeError):
                    problems.append(Undecryptable(model._meta.label, pk, f.name))
    return problems


def personal_data_check(*, batch_size: int = BATCH_SIZE) -> list[Undecryptable]:
    """Every stored value that the configured keys cannot decrypt (empty: all fine)."""
    fernet = _multifernet()
    problems = []
    for model, fields in encrypted_models():
        problems += _check(model, fields, fernet, batch_size)
    return problems


def personal_data_reencrypt(
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> list[ModelRotation]:
    """Re-encrypt every encrypted value under the first configured key; counts per model.

    Checks everything first and raises :class:`UndecryptableValues` without writing if a value
    cannot be decrypted. Then rotates in batches, each batch one transaction holding its rows
    locked (PostgreSQL) so a concurrent edit is not overwritten with a stale value.
    ``progress(label, rows_done)`` is called after each batch.
    """
    problems = personal_data_check(batch_size=batch_size)
    if problems:
        raise UndecryptableValues(problems)
    fernet = _multifernet()
    qn = connection.ops.quote_name
    results = []
    for model, fields in encrypted_models():
        counts = ModelRotation(label=model._meta.label)
        assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        table, pk_column = qn(model._meta.db_table), qn(model._meta.pk.column)
        update_sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608 - quoted identifiers, values are parameters  # nosec B608
        batches = _batches(model, fields, batch_size=batch_size, lock=True)
        while True:
            with transaction.atomic():
                rows = next(batches, None)
                if rows is None:
                    break
                updates, failed = [], []
                for pk, *values in rows:
                    rotated = []
                    for f, value in zip(fields, values, strict=True):
                        if not value:
                            rotated.append(value)
                            continue
                        try:
                            rotated.append(fernet.rotate(value.encode("ascii")).decode("ascii"))
                        except (InvalidToken, UnicodeError):
                            # Written meanwhile with a key this process does not have.
                            failed.append(Undecryptable(model._meta.label, pk, f.name))
                            continue
                        counts.values += 1
                    updates.append([*rotated, pk])
                if failed:
                    raise UndecryptableValues(failed)
                with connection.cursor() as cursor:
                    cursor.executemany(update_sql, updates)
                counts.rows += len(rows)
            if progress is not None:
                progress(counts.label, counts.rows)
        results.append(counts)
    return results
