"""A raw dump of the database (SQLite ``.dump``, ``pg_dump``) shows no personal data in clear.

Residents' contacts, supporters' contacts, informants' names, phones and payment accounts, and a
case system's secrets are filed the way users file them; one identity is opened by a reward
officer (logged). The dump must contain the rows (their encrypted columns are in it) but none of
the clear values, nor the phone numbers in their normalised form. Each test runs on its own
backend; CI runs the suite on both.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import uuid

import pytest
from django.db import connection

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import CaseSystem, ConnectorKind, Informant, PiiAccess, Report
from complaints.privacy.codes import phone_normalise
from complaints.rewards.services.informants import IdentityInput, informant_identity_reveal
from portal import roles
from tests.complaints.conftest import category, form_data
from tests.support import rewards as rf

RESIDENT = {"name": "欧阳明月", "phone": "+86 135-1234-9876", "email": "ouyang.mingyue@example.com"}
CALLER = {"name": "司马长风", "phone": "136 2222 3333", "email": "sima.changfeng@example.org"}
SUPPORTER = {"name": "诸葛青云", "phone": "13744445555", "email": "zhuge.qingyun@example.net"}
INFORMANTS = [
    IdentityInput(
        name="上官飞燕", phone="138-6666-7777", payment_account="6222 0212 3456 7890 123"
    ),
    IdentityInput(
        name="慕容雪", phone="13988889999", payment_account="alipay:murong.xue@example.cn"
    ),
]
SECRETS = ["open311-api-key-Zq81x", "webhook-shared-secret-Pw93k"]


def forbidden() -> list[str]:
    """Every clear value that must not appear, also phones and accounts as bare digits."""
    values = []
    for contact in (RESIDENT, CALLER, SUPPORTER):
        values += [contact["name"], contact["phone"], contact["email"]]
        values.append(phone_normalise(contact["phone"]))
    for person in INFORMANTS:
        values += [person.name, person.phone, person.payment_account]
        values.append(phone_normalise(person.phone))
        digits = re.sub(r"\D", "", person.payment_account)
        if len(digits) >= 8:
            values.append(digits)
    return values + SECRETS


def file_personal_data(client, report_url, make_staff) -> None:
    # A resident through the public form.
    response = client.post(
        report_url,
        form_data(
            contact_name=RESIDENT["name"],
            contact_phone=RESIDENT["phone"],
            contact_email=RESIDENT["email"],
        ),
    )
    assert response.status_code == 302, response.content[:500]
    # A hotline caller entered by staff, and a neighbour who supports the report.
    report = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="垃圾没人清理",
            address="太湖大道 1 号",
            contact_name=CALLER["name"],
            contact_phone=CALLER["phone"],
            contact_email=CALLER["email"],
            consent_to_contact=True,
        )
    ).report
    report_support(
        report=report,
        submission_token=uuid.uuid4(),
        contact_name=SUPPORTER["name"],
        contact_phone=SUPPORTER["phone"],
        contact_email=SUPPORTER["email"],
        consent_to_contact=True,
    )
    # Two joint informants, one of whom a reward officer looks up (logged).
    rf.inform(identities=INFORMANTS)
    officer = make_staff(roles.REWARD_OFFICER)
    informant = Informant.objects.order_by("pk").first()
    opened = informant_identity_reveal(informant=informant, actor=officer, reason="核对付款信息")
    assert opened.name == INFORMANTS[0].name
    assert PiiAccess.objects.filter(informant=informant).count() == 1
    CaseSystem.objects.create(
        name="市级平台",
        slug="city",
        kind=ConnectorKind.WEBHOOK,
        endpoint="https://example.invalid/hook",
        api_key=SECRETS[0],
        secret=SECRETS[1],
        is_active=False,
    )
    assert Report.objects.count() == 3


def stored_ciphertexts() -> list[str]:
    """The raw values of the encrypted columns, as the database holds them."""
    queries = [
        "SELECT contact_name, contact_phone, contact_email FROM complaints_report",
        "SELECT contact_name, contact_phone, contact_email FROM complaints_reportsupporter",
        "SELECT name, phone, payment_account FROM complaints_informant",
        "SELECT api_key, secret FROM complaints_casesystem",
    ]
    values = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            values += [value for row in cursor.fetchall() for value in row if value]
    return values


def assert_dump_is_sealed(dump: str) -> None:
    assert "complaints_informant" in dump and "complaints_reportsupporter" in dump
    ciphertexts = stored_ciphertexts()
    # 3 + 3 (two reports with contacts), 3 (supporter), 2 × 3 (informants), 2 (secrets).
    assert len(ciphertexts) == 17
    missing = [value for value in ciphertexts if value not in dump]
    assert not missing, "the dump lacks encrypted rows"
    leaked = [value for value in forbidden() if value in dump]
    assert not leaked, f"clear personal data in the dump: {len(leaked)} value(s)"


# Committed rows: the sqlite3 shell reads a copy made with SQLite's backup API, which waits
# forever for an open write transaction on the same connection.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's .dump applies to the SQLite database; test_pg_dump_* covers PostgreSQL",
)
def test_sqlite_dump_shows_no_personal_data(
    client, site, reference_data, report_url, make_staff, tmp_path
):
    rf.role_groups_with_permissions()
    file_personal_data(client, report_url, make_staff)
    raw = connection.connection
    # Exactly what the sqlite3 shell's .dump prints (the test database lives in memory).
    assert_dump_is_sealed("\n".join(raw.iterdump()))
    # And the sqlite3 shell itself on a copy, where it is installed (iterdump stands in for it).
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli:
        copy = sqlite3.connect(tmp_path / "copy.sqlite3")
        try:
            raw.backup(copy)
        finally:
            copy.close()
        dump = subprocess.run(
            [sqlite3_cli, str(tmp_path / "copy.sqlite3"), ".dump"],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout.decode("utf-8")
        assert_dump_is_sealed(dump)


def pg_dump_binary() -> str | None:
    """The newest Debian-packaged pg_dump (it must not be older than the server), else PATH's."""

    def version(path: str) -> int:
        number = path.split("/")[4]
        return int(number) if number.isdigit() else 0

    packaged = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=version)
    return packaged[-1] if packaged else shutil.which("pg_dump")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump applies to PostgreSQL; test_sqlite_dump_* covers SQLite",
)
def test_pg_dump_shows_no_personal_data(client, site, reference_data, report_url, make_staff):
    binary = pg_dump_binary()
    if binary is None:
        message = "pg_dump is not installed (postgresql-client)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    rf.role_groups_with_permissions()
    file_personal_data(client, report_url, make_staff)

    db = connection.settings_dict
    command = [binary, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert_dump_is_sealed(result.stdout.decode("utf-8"))
