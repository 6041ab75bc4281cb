"""Fixtures for the feed tests: the fake case system in its own process, registered reports."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import CaseSystem, ConnectorKind, Report
from portal import roles
from tests.complaints.conftest import POINT, category

FAKE = Path(__file__).with_name("fake_case_system.py")
SECRET = "shared-secret-for-tests"
API_KEY = "their-open311-key"


class FakeCaseSystem:
    """Start, stop ("down for a while"), restart on the same port, steer and inspect."""

    def __init__(self, state_file: Path):
        self.state_file = state_file
        self.port = 0
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(FAKE),
                "--port",
                str(self.port),
                "--state",
                str(self.state_file),
                "--secret",
                SECRET,
                "--api-key",
                API_KEY,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def stop(self):
        self.process.terminate()
        self.process.wait(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def control(self, **settings):
        requests.post(f"{self.url}/_control", data=json.dumps(settings), timeout=5)

    def set_status(self, **statuses):
        requests.post(f"{self.url}/_status", data=json.dumps(statuses), timeout=5)

    def state(self) -> dict:
        return requests.get(f"{self.url}/_state", timeout=5).json()


@pytest.fixture
def fake(tmp_path):
    system = FakeCaseSystem(tmp_path / "fake-state.json")
    yield system
    if system.process.poll() is None:
        system.stop()


@pytest.fixture
def feed_settings(settings):
    settings.CASEFEED_BACKOFF_BASE = 0.01
    settings.CASEFEED_BACKOFF_MAX = 0.02
    settings.CASEFEED_MAX_ATTEMPTS = 4
    settings.WAGTAILADMIN_BASE_URL = "http://portal.test"
    return settings


@pytest.fixture
def webhook_system(fake, reference_data, feed_settings):
    return CaseSystem.objects.create(
        name="区数字城管平台",
        slug="district",
        kind=ConnectorKind.WEBHOOK,
        endpoint=f"{fake.url}/webhook",
        secret=SECRET,
        is_default=True,
        timeout=2,
    )


@pytest.fixture
def open311_system(fake, reference_data, feed_settings):
    return CaseSystem.objects.create(
        name="市级 Open311",
        slug="city311",
        kind=ConnectorKind.OPEN311,
        endpoint=f"{fake.url}/open311/v2",
        api_key=API_KEY,
        service_codes={"E0102": "garbage"},
        coordinate_system="gcj02",
        is_default=True,
        timeout=2,
    )


@pytest.fixture
def intake_operator(make_staff):
    return make_staff(roles.INTAKE_OPERATOR)


def file_report(**overrides) -> Report:
    data = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "路口垃圾桶旁边堆满了垃圾。",
        "latitude": POINT[0],
        "longitude": POINT[1],
        "address": "太湖大道 100 号",
        "contact_phone": "13812345678",
    }
    data.update(overrides)
    from decimal import Decimal

    data["latitude"], data["longitude"] = (
        Decimal(str(data["latitude"])),
        Decimal(str(data["longitude"])),
    )
    return report_submit(input=ReportInput(**data)).report


@pytest.fixture
def register(intake_operator):
    def go(report=None) -> Report:
        report = report or file_report()
        return report_transition(report=report, action=Action.REGISTER, actor=intake_operator)

    return go


def wait_until(predicate, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def delivered(webhook_system, register, fake):
    """A registered report whose delivery to the webhook case system went through."""
    from complaints.casefeed.outbox import deliveries_drain
    from complaints.models import Delivery

    report = register()
    deliveries_drain(worker="w")
    return Delivery.objects.get(report=report)
