"""The production configuration, as deployed: nginx in front of two gunicorn app processes on
PostgreSQL + Redis, with the workers (docs/deploy.md). Everything goes through nginx's port."""

import io
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import psycopg
import pytest
import requests
from django.core.management import get_commands
from PIL import Image

from deploy.stack import ROOT, http_status, wait_for
from tests.deploy.conftest import start_stack

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r"/report/(BH-\d{4}-\d{6})/receipt/")
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def stack(services):
    directory, postgres, redis = services
    # A tight tracking limit, to see that both app processes share it through Redis.
    stack = start_stack(directory, postgres, redis, extra_env={"COMPLAINTS_RATE_TRACK_IP": "6/m"})
    try:
        yield stack
    finally:
        stack.stop()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def file_report(stack, session: requests.Session) -> tuple[str, str]:
    """File a report with a photo through nginx as a browser would; the reference and code."""
    form = session.get(f"{stack.base_url}/report/", timeout=30)
    assert form.status_code == 200
    category = stack.shell(
        "from complaints.models import Category; "
        "print(Category.objects.filter(extra_questions=[]).values_list('pk', flat=True).first())"
    )
    fields = {
        "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
        "submission_token": str(uuid.uuid4()),
        "draft_token": "a" * 64,
        "category": category,
        "description": "生产配置测试：路边垃圾堆积，需要清理。",
        "address": "测试路 1 号",
        "latitude": "31.555000",
        "longitude": "120.255000",
        "is_public": "on",
        "is_anonymous": "on",
        "confirm_new": "1",
    }
    response = session.post(
        f"{stack.base_url}/report/",
        data=fields,
        files={"photos": ("street.jpg", jpeg(), "image/jpeg")},
        headers={"Referer": f"{stack.base_url}/report/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    reference = RECEIPT.search(response.headers["Location"]).group(1)
    receipt = session.get(stack.base_url + response.headers["Location"], timeout=30)
    code = re.search(r'id="receipt-code">([^<]+)<', receipt.text).group(1).strip()
    return reference, code


def test_nginx_serves_static_files_itself_and_hides_private_paths(stack):
    css = requests.get(f"{stack.base_url}/static/css/portal.css", timeout=10)
    assert css.status_code == 200
    assert css.headers["Server"] == "nginx"
    assert "immutable" in css.headers["Cache-Control"]
    # The internal location of private photos is not reachable from outside.
    assert (
        requests.get(f"{stack.base_url}/_private/complaints/x.jpg", timeout=10).status_code == 404
    )
    assert requests.get(f"{stack.base_url}/media/documents/x.pdf", timeout=10).status_code == 404


def test_a_report_with_a_photo_is_filed_and_its_photo_sent_by_nginx_after_the_check(stack):
    session = requests.Session()
    reference, _code = file_report(stack, session)
    status = session.get(f"{stack.base_url}/track/{reference}/", timeout=30)
    assert status.status_code == 200
    photo_path = re.search(rf"/track/{reference}/photos/\d+/", status.text).group(0)

    photo = session.get(stack.base_url + photo_path, timeout=30)
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert photo.content[:3] == b"\xff\xd8\xff"
    assert "no-store" in photo.headers["Cache-Control"]
    # nginx consumed the app's X-Accel-Redirect: the private path never reaches the client.
    assert "X-Accel-Redirect" not in photo.headers
    # Another browser, without the report in its session, gets nothing.
    assert requests.get(stack.base_url + photo_path, timeout=30).status_code in (403, 404)


def test_the_rate_limit_holds_across_both_app_processes_and_ignores_a_forged_address(stack):
    statuses = []
    for attempt in range(14):
        session = requests.Session()  # a new connection and no cookies: any app process
        form = session.get(f"{stack.base_url}/track/", timeout=30)
        csrf = CSRF.search(form.text).group(1)
        response = session.post(
            f"{stack.base_url}/track/",
            data={"csrfmiddlewaretoken": csrf, "reference": "BH-2026-000999", "access_code": "x"},
            # A client cannot choose its address: nginx appends the one it saw.
            headers={
                "Referer": f"{stack.base_url}/track/",
                "X-Forwarded-For": f"10.0.0.{attempt}",
            },
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses.count(429) >= 14 - 6, statuses
    assert statuses[:6].count(429) == 0, statuses
    # Both app processes answered some of these requests (nginx balanced them).
    for name in ("app1", "app2"):
        log = (stack.data_dir / "logs" / f"{name}.log").read_text(encoding="utf-8")
        assert '"POST /track/"' in log, f"{name} answered no tracking POST"


def test_the_workers_check_in_and_health_turns_ok(stack):
    wait_for(lambda: http_status(stack.port, "/healthz") == 200, timeout=60, what="healthz ok")


def test_backup_and_restore_drill_brings_back_the_reports_and_photos(stack, services, tmp_path):
    _directory, postgres, _redis = services
    session = requests.Session()
    reference, _code = file_report(stack, session)
    env = {**stack.env, "PATH": os.environ["PATH"]}
    subprocess.run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], env=env, check=True)
    (backup,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} >= {"database.dump", "media.tar.gz", "SHA256SUMS"}

    with psycopg.connect(postgres.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE restored")
    restored_url = postgres.url.rsplit("/", 1)[0] + "/restored"
    restored_data = tmp_path / "restored"
    subprocess.run(
        [str(DEPLOY / "restore.sh"), str(backup)],
        env={**env, "DATABASE_URL": restored_url, "PORTAL_DATA_DIR": str(restored_data)},
        check=True,
    )
    count = "select count(*) from complaints_report where reference = %s"
    with psycopg.connect(restored_url) as conn:
        assert conn.execute(count, [reference]).fetchone()[0] == 1
        photo_name = conn.execute(
            "select p.image from complaints_attachment p join complaints_report r on r.id = p.report_id"
            " where r.reference = %s",
            [reference],
        ).fetchone()[0]
    assert (restored_data / "private" / photo_name).read_bytes()[:3] == b"\xff\xd8\xff"


def test_systemd_units_are_valid_and_start_what_exists():
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert units
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        exec_start = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
        if "manage.py" in exec_start:
            command = exec_start.split("manage.py", 1)[1].split()[0]
            assert command in get_commands(), f"{unit.name}: no command {command}"
        if "gunicorn" in exec_start:
            assert (ROOT / "deploy" / "gunicorn.conf.py").exists()
        if "deploy/" in exec_start and "gunicorn" not in exec_start:
            script = exec_start.split("/app/", 1)[1].split()[0]
            assert (ROOT / script).exists(), f"{unit.name}: {script} is missing"
    if shutil.which("systemd-analyze"):
        # Only the syntax: the paths of /srv/portal do not exist on this machine.
        result = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", *map(str, units)],
            capture_output=True,
            text=True,
        )
        problems = [
            line
            for line in result.stderr.splitlines()
            if "Unknown" in line or "Invalid" in line or "bad" in line.lower()
        ]
        assert not problems, problems


def test_losing_one_app_process_leaves_the_site_up(stack):
    stack.kill("app2", signal.SIGKILL)
    started = time.monotonic()
    statuses = [http_status(stack.port, "/report/") for _ in range(10)]
    assert statuses == [200] * 10
    assert time.monotonic() - started < 20
