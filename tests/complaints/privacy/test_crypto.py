import pytest
from cryptography.fernet import Fernet
from django.db import connection

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.privacy.codes import access_code_generate, access_code_hash, phone_hash
from complaints.privacy.crypto import DecryptionError, decrypt_text, encrypt_text
from tests.complaints.conftest import category

pytestmark = pytest.mark.django_db


def test_contact_is_encrypted_at_rest(reference_data):
    import uuid

    result = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="垃圾",
            address="某路",
            contact_name="李四",
            contact_phone="13812345678",
            contact_email="li@example.com",
            consent_to_contact=True,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone, contact_email, contact_phone_hash "
            "FROM complaints_report WHERE id = %s",
            [result.report.pk],
        )
        raw = cursor.fetchone()
    dump = " ".join(raw)
    for secret in ("李四", "13812345678", "li@example.com", "5678"):
        assert secret not in dump
    assert raw[3] == phone_hash("13812345678")
    result.report.refresh_from_db()
    assert result.report.contact_phone == "13812345678"


def test_rotation_old_key_still_decrypts(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    token = encrypt_text("13812345678")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert decrypt_text(token) == "13812345678"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        decrypt_text(token)


def test_phone_hash_ignores_formatting_and_country_code():
    assert phone_hash("+86 138-1234-5678") == phone_hash("13812345678")
    assert phone_hash("13812345678") != phone_hash("13812345679")


def test_access_codes_are_long_random_and_hashed():
    codes = {access_code_generate() for _ in range(50)}
    assert len(codes) == 50
    code = codes.pop()
    assert len(code.replace("-", "")) == 16
    assert access_code_hash(code) == access_code_hash(code.lower().replace("-", " "))
    assert code not in access_code_hash(code)
