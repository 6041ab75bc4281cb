"""Key rotation: every encrypted column is re-encrypted under the new key; the old key can go."""

import uuid
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import (
    CaseSystem,
    ConnectorKind,
    Informant,
    Report,
    ReportSupporter,
)
from complaints.privacy.crypto import DecryptionError
from complaints.privacy.rotation import (
    UndecryptableValues,
    encrypted_models,
    personal_data_reencrypt,
)
from tests.complaints.conftest import category
from tests.support import rewards as rf

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()

# (model, fields) holding personal data or secrets, as the tests below file them.
COLUMNS = {
    Report: ("contact_name", "contact_phone", "contact_email"),
    ReportSupporter: ("contact_name", "contact_phone", "contact_email"),
    Informant: ("name", "phone", "payment_account"),
    CaseSystem: ("api_key", "secret"),
}


@pytest.fixture
def personal_data(reference_data, settings):
    """Contacts, a supporter, two informants and a case system's secrets, under key A."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    report = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="垃圾没人清理",
            address="太湖大道 1 号",
            contact_name="张三",
            contact_phone="13812345678",
            contact_email="zhang@example.com",
            consent_to_contact=True,
        )
    ).report
    report_support(
        report=report,
        submission_token=uuid.uuid4(),
        contact_name="李四",
        contact_phone="13987654321",
        contact_email="li@example.com",
        consent_to_contact=True,
    )
    rf.inform(identities=[rf.identity("13700001111", "王五"), rf.identity("13700002222", "赵六")])
    CaseSystem.objects.create(
        name="市级平台",
        slug="city",
        kind=ConnectorKind.OPEN311,
        endpoint="https://example.invalid/v2",
        api_key="open311-api-key-123",
        secret="webhook-shared-secret-456",
        is_active=False,
    )
    return clear_values()


def clear_values() -> dict:
    """Every non-empty encrypted value, decrypted with the keys configured now."""
    return {
        (model._meta.label, pk, field): value
        for model, fields in COLUMNS.items()
        for pk, *values in model.objects.order_by("pk").values_list("pk", *fields)
        for field, value in zip(fields, values, strict=True)
        if value
    }


def raw_values() -> dict:
    values = {}
    with connection.cursor() as cursor:
        for model, fields in COLUMNS.items():
            qn = connection.ops.quote_name
            columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
            cursor.execute(f"SELECT id, {columns} FROM {qn(model._meta.db_table)}")  # noqa: S608
            for pk, *row in cursor.fetchall():
                for field, value in zip(fields, row, strict=True):
                    if value:
                        values[(model._meta.label, pk, field)] = value
    return values


def run(*args) -> str:
    out = StringIO()
    call_command("reencrypt_personal_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_every_encrypted_column_is_discovered():
    found = {model: {f.name for f in fields} for model, fields in encrypted_models()}
    for model, fields in COLUMNS.items():
        assert set(fields) <= found[model]


def test_rotation_moves_every_value_to_the_new_key(personal_data, settings):
    # Reporter 3, supporter 3, two informants 3 each, case system 2.
    assert len(personal_data) == 14
    before = raw_values()

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    output = run()

    after = raw_values()
    assert set(after) == set(before)
    assert all(after[key] != before[key] for key in before)
    for label in ("complaints.Report", "complaints.Informant", "complaints.CaseSystem"):
        assert label in output
    # Only the new key is needed now ...
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert clear_values() == personal_data
    # ... and the old one alone no longer opens anything.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    for model, fields in COLUMNS.items():
        with pytest.raises(DecryptionError):
            list(model.objects.values_list(*fields))


def test_running_twice_is_harmless(personal_data, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    run()
    run()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert clear_values() == personal_data


def test_small_batches_cover_every_row(personal_data, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    results = {r.label: r for r in personal_data_reencrypt(batch_size=1)}
    assert results["complaints.Informant"].rows == 2
    assert results["complaints.Informant"].values == 6
    assert results["complaints.ReportSupporter"].values == 3
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert clear_values() == personal_data


def test_a_value_no_key_decrypts_stops_everything(personal_data, settings):
    # One informant's phone was written under a key that is gone.
    stray = Informant.objects.order_by("pk").last()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    Informant.objects.filter(pk=stray.pk).update(phone="13700002222")
    before = raw_values()

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    with pytest.raises(UndecryptableValues) as caught:
        personal_data_reencrypt()
    assert [(p.label, p.pk, p.field) for p in caught.value.problems] == [
        ("complaints.Informant", stray.pk, "phone")
    ]
    with pytest.raises(CommandError):
        run()
    assert raw_values() == before


def test_check_only_reads(personal_data, settings):
    before = raw_values()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    run("--check")
    assert raw_values() == before
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError):
        run("--check")
