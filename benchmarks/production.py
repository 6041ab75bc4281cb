"""What the surge, fault and HTTP load scripts share: the production configuration on private
services, a fake case system, and residents filing reports through nginx.

Run those scripts from the repository root as modules (``python -m benchmarks.surge``).
"""

from __future__ import annotations

import http.client
import json
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from deploy.stack import PYTHON, ROOT, PrivatePostgres, PrivateRedis, Stack

FAKE = ROOT / "tests" / "complaints" / "casefeed" / "fake_case_system.py"
RECEIPT = re.compile(r"/report/(BH-\d{4}-\d{6})/receipt/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = """
from django.contrib.auth import get_user_model
from complaints.models import CaseSystem
from complaints.reference.services.reference_data import categories_load_from_csv, demo_geography_load
from portal import roles
categories_load_from_csv(); demo_geography_load()
CaseSystem.objects.update_or_create(slug="bench", defaults=dict(
    name="bench", kind="webhook", endpoint="{url}/webhook", secret="fake-secret", timeout=10,
    is_default=True, is_active=True))
user, _ = get_user_model().objects.get_or_create(username="bench-intake")
roles.group(roles.INTAKE_OPERATOR).user_set.add(user)
# The categories a resident can choose on the public form, anonymously, without extra questions.
from complaints.intake.forms import ReportForm
print(",".join(str(pk) for pk, c in ReportForm().categories.items()
               if not c.extra_questions and c.anonymous_allowed))
"""

# Registers (立案) every received report as the intake operator would: that queues it for the
# case system. Prints how many were registered.
REGISTER = """
from django.contrib.auth import get_user_model
from complaints.models import Report
from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
user = get_user_model().objects.get(username="bench-intake")
n = 0
for report in Report.objects.filter(state="received").order_by("pk").iterator():
    report_transition(report=report, action=Action.REGISTER, actor=user)
    n += 1
print(n)
"""

COUNTS = """
import json
from django.db.models import Count
from complaints.models import Delivery, Report
print(json.dumps({
    "reports": Report.objects.count(),
    "doubled_tokens": Report.objects.values("submission_token").annotate(n=Count("pk"))
        .filter(n__gt=1).count(),
    "deliveries": Delivery.objects.count(),
    "delivered": Delivery.objects.filter(state="delivered").count(),
    "dead": Delivery.objects.filter(state="dead").count(),
    "references": list(Report.objects.values_list("reference", flat=True)),
}))
"""


class FakeCaseSystem:
    """The feed tests' fake case system as a process that can be stopped and started again."""

    def __init__(self, directory: Path):
        self.state = directory / "fake-case-system.json"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [PYTHON, str(FAKE), "--state", str(self.state), "--lean", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline().split()[1])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def created(self) -> int:
        with urllib.request.urlopen(f"{self.url}/_state", timeout=10) as response:  # nosec B310  # our own fake on 127.0.0.1
            return json.load(response)["creates"]


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


@dataclass
class Production:
    """Private PostgreSQL + Redis, the production stack on them, and a fake case system."""

    app_processes: int = 2
    gunicorn_workers: int = 2
    extra_env: dict = field(default_factory=dict)
    private_media_root: Path | None = None

    def __enter__(self) -> Production:
        # A SIGTERM (a CI timeout, kill) unwinds through __exit__ and stops every process.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _exit_on_signal)
        self.directory = Path(tempfile.mkdtemp(prefix="portal-production-"))
        self.postgres = PrivatePostgres(self.directory / "pg")
        self.redis = PrivateRedis()
        self.fake = FakeCaseSystem(self.directory)
        self.postgres.init()
        self.redis.start()
        self.fake.start()
        env = {
            # A surge comes from few addresses here: lift the per-address submission limits
            # (the tracking limit stays, to show that the limit holds across processes).
            "COMPLAINTS_RATE_SUBMIT_IP": "10000000/h",
            "COMPLAINTS_RATE_SUBMIT_PHONE": "10000000/h",
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        if self.private_media_root:
            env["PORTAL_PRIVATE_MEDIA_ROOT"] = str(self.private_media_root)
        self.stack = Stack(
            data_dir=self.directory / "data",
            database_url=self.postgres.url,
            redis_url=self.redis.url,
            app_processes=self.app_processes,
            gunicorn_workers=self.gunicorn_workers,
            extra_env=env,
        )
        self.stack.prepare()
        self.categories = self.stack.shell(SETUP.replace("{url}", self.fake.url)).split(",")
        self.stack.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stack.stop()
        self.fake.stop()
        self.redis.kill()
        self.postgres.destroy()
        shutil.rmtree(self.directory, ignore_errors=True)

    def register_all(self) -> int:
        return int(self.stack.shell(REGISTER) or 0)

    def counts(self) -> dict:
        return json.loads(self.stack.shell(COUNTS))


def report_fields(categories: list[str], token: str | None = None) -> dict:
    lat = 31.50 + random.random() * 0.089  # nosec B311  # test data, not security
    lng = 120.19 + random.random() * 0.089  # nosec B311  # test data, not security
    return {
        "submission_token": token or str(uuid.uuid4()),
        "draft_token": uuid.uuid4().hex + uuid.uuid4().hex,
        "category": random.choice(categories),  # nosec B311  # test data, not security
        "description": "压力测试：路边垃圾堆积，需要清理。",
        "address": "测试路 1 号",
        "latitude": f"{lat:.6f}",
        "longitude": f"{lng:.6f}",
        "is_anonymous": "on",
        "is_public": "on",
        "confirm_new": "1",
    }


@dataclass
class Outcome:
    """What the residents saw: per reference acknowledged, and every answer's status."""

    acknowledged: set = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (time, ok) for each attempt: recovery times are read from it.
    timeline: list = field(default_factory=list)

    def record(self, status: int | None, reference: str | None = None, error: str = "") -> None:
        with self.lock:
            if status is None:
                self.errors[error] += 1
            else:
                self.statuses[status] += 1
            if reference:
                self.acknowledged.add(reference)
            self.timeline.append((time.monotonic(), reference is not None))

    samples: dict = field(default_factory=dict)
    abandoned: int = 0
    last_bodies: dict = field(default_factory=dict)

    def sample(self, status: int, body: bytes) -> None:
        """Keep what the first answer of each unexpected status said (its error messages)."""
        text = body.decode("utf-8", "replace")
        self.last_bodies[status] = text
        if status in self.samples:
            return
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
        self.samples[status] = re.sub(r"<[^>]+>", " ", " ".join(errors) or text[:300]).strip()

    def first_success_after(self, moment: float) -> float | None:
        with self.lock:
            times = [t for t, ok in self.timeline if ok and t >= moment]
        return min(times) - moment if times else None

    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class Resident(threading.Thread):
    """Files reports through nginx until told to stop (or ``count`` are acknowledged).

    Each report is retried with the same submission token after a failure, as a resident
    tapping "submit" again would, for up to ``patience`` seconds: the portal must neither lose
    nor double it.
    """

    def __init__(
        self,
        port: int,
        categories: list[str],
        outcome: Outcome,
        stop: threading.Event,
        *,
        count: int | None = None,
        patience: float = 180.0,
        photo: bytes | None = None,
    ):
        super().__init__(daemon=True)
        self.port, self.categories, self.outcome, self.stop = port, categories, outcome, stop
        self.count, self.patience, self.photo = count, patience, photo
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = self.csrf = ""

    def _connect(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.conn.request("GET", "/report/")
        response = self.conn.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise OSError(f"form answered {response.status}")
        self.cookie = next(
            v.split(";")[0]
            for k, v in response.getheaders()
            if k.lower() == "set-cookie" and "csrftoken" in v
        )
        self.csrf = CSRF.search(body).group(1)

    def _post(self, fields: dict) -> tuple[int, str | None]:
        headers = {"Cookie": self.cookie, "Referer": f"http://127.0.0.1:{self.port}/report/"}
        fields = {**fields, "csrfmiddlewaretoken": self.csrf}
        if self.photo:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in fields.items()
            ]
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                + self.photo
                + b"\r\n"
            )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request("POST", "/report/", body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read()
        if response.status != 302:
            self.outcome.sample(response.status, text)
        match = RECEIPT.search(response.getheader("Location") or "")
        return response.status, match.group(1) if response.status == 302 and match else None

    def run(self) -> None:
        filed = 0
        while not self.stop.is_set() and (self.count is None or filed < self.count):
            fields = report_fields(self.categories)
            # Retry this report (same token) until it is acknowledged or the patience runs out,
            # even after being told to stop: a report stored but never acknowledged would look
            # lost to the resident.
            give_up = time.monotonic() + self.patience
            while time.monotonic() < give_up:
                try:
                    if self.conn is None:
                        self._connect()
                    status, reference = self._post(fields)
                except (OSError, http.client.HTTPException, StopIteration, AttributeError) as e:
                    self.outcome.record(None, error=type(e).__name__)
                    if self.conn:
                        self.conn.close()
                    self.conn = None
                    time.sleep(0.3)
                    continue
                self.outcome.record(status, reference)
                if reference:
                    filed += 1
                    break
                if status == 403:  # CSRF cookie lost with a cache or session outage: reload
                    self.conn.close()
                    self.conn = None
                time.sleep(0.3)
            else:
                self.outcome.abandoned += 1


def residents(port, categories, outcome, stop, n, **options) -> list[Resident]:
    threads = [Resident(port, categories, outcome, stop, **options) for _ in range(n)]
    for thread in threads:
        thread.start()
    return threads


def wait_delivered(production: Production, expected: int, timeout: float) -> tuple[int, float]:
    """Wait until the fake case system has ``expected`` cases; the count and seconds waited."""
    started = time.monotonic()
    created = production.fake.created()
    while created < expected and time.monotonic() - started < timeout:
        time.sleep(1)
        created = production.fake.created()
    return created, time.monotonic() - started
