"""Re-run the outside security review's black-box probes against a real development server.

Starts the portal as `make run` does (DEBUG, SQLite, demo content) in a temporary data
directory, plants an open public complaint, a private complaint and an informant report at one
place, then prints what an attacker sees:

- 60 wrong passwords for one staff user: how many were answered normally, how many locked out;
- 250 Open311 requests with made-up keys: 403s versus 429s;
- "add my voice" swept over 11 references around the informant report: distinct answers;
- a resident's photo under /media/: the HTTP status;
- the server's log: whether the access code or the API key appears in it.

    .venv/bin/python benchmarks/security_probe.py
"""

import argparse
import collections
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PLANT = r"""
import json, uuid
from complaints.models import Category, Report, ReportKind
from complaints.intake.services.reports import report_submit
from complaints.intake.inputs import ReportInput
cat = Category.objects.get(kind="event", code="0102")
def plant(**kw):
    return report_submit(input=ReportInput(submission_token=uuid.uuid4(), category=cat, description="河边垃圾成堆。",
        latitude=31.5550, longitude=120.2550, contact_phone="13700000000",
        consent_to_contact=True, **kw)).report.reference
out = {"public": plant(), "private": plant(is_public=False), "informant": plant(kind=ReportKind.INFORMANT),
       "private2": plant(is_public=False), "category": cat.pk}
print("PLANTED" + json.dumps(out))
"""
VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+")')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )


def csrf(session, url) -> tuple[str, str]:
    page = session.get(url).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1), page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="portal-probe-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_HTTPS": "0",
        "PORTAL_DATA_DIR": str(data),
        "PORT": str(port),
        "PORTAL_BASE_URL": base,
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    print(f"data directory {data}; migrating and seeding the demo ...", flush=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo", capture=True)
    planted = manage(env, "shell", "-c", PLANT, capture=True).stdout
    refs = json.loads(planted.split("PLANTED", 1)[1])
    log_path = data / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        probe(base, refs, data)
    finally:
        server.terminate()
        server.wait(10)
    text = log_path.read_text()
    print(f"server log: {len(text.splitlines())} lines")
    print(f"  'api_key=made-up' in log: {'made-up-key' in text}")
    print(f"  '[redacted]' in log: {text.count('[redacted]')} times")


def probe(base: str, refs: dict, data: Path) -> None:
    # 1. Staff sign-in: 60 wrong passwords for demo_admin.
    s = requests.Session()
    statuses = collections.Counter()
    locked_message = 0
    for _ in range(60):
        token, _page = csrf(s, base + "/admin/login/")
        r = s.post(
            base + "/admin/login/",
            data={"csrfmiddlewaretoken": token, "username": "demo_admin", "password": "wrong"},
            headers={"Referer": base + "/admin/login/"},
        )
        statuses[r.status_code] += 1
        locked_message += "锁定" in r.text
    print(f"60 wrong passwords: statuses {dict(statuses)}, lock-out page {locked_message} times")

    # 2. Open311 with made-up keys.
    statuses = collections.Counter()
    for i in range(250):
        r = requests.get(
            base + "/open311/v2/requests.json", params={"api_key": f"made-up-key-{i}"}, timeout=10
        )
        statuses[r.status_code] += 1
    print(f"250 Open311 requests with made-up keys: {dict(statuses)}")

    # 3. Add my voice swept around the informant report.
    s = requests.Session()
    token, page = csrf(s, base + "/report/")
    form = {
        "csrfmiddlewaretoken": token,
        "submission_token": re.search(r'name="submission_token" value="([^"]+)"', page).group(1),
        "draft_token": re.search(r'name="draft_token" value="([^"]+)"', page).group(1),
        "category": str(refs["category"]),
        "description": "垃圾桶满了，没人清理。",
        "address": "太湖大道 100 号",
        "latitude": "31.5555",
        "longitude": "120.2560",
        "contact_phone": "13900001111",
        "consent_to_contact": "on",
        "is_public": "on",
    }
    headers = {"Referer": base + "/report/"}
    prefix, number = refs["informant"].rsplit("-", 1)
    answers = {}
    for n in range(int(number) - 5, int(number) + 6):
        reference = f"{prefix}-{n:06d}"
        # A new phone number each time: the per-phone submission limit (5/h) is not the test.
        phone = f"139{n % 10**8:08d}"
        r = s.post(
            base + "/report/",
            data={**form, "support": reference, "contact_phone": phone},
            headers=headers,
        )
        # The form echoes the typed phone number back: the one part allowed to differ.
        answers[reference] = (r.status_code, VOLATILE.sub("", r.text).replace(phone, ""))
    print(
        f"add-my-voice sweep over {len(answers)} references around {refs['informant']}: "
        f"{len(set(answers.values()))} distinct answer(s)"
    )

    # 4. A resident's photo under /media/.
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(buffer, "JPEG")
    s = requests.Session()
    token, page = csrf(s, base + "/report/")
    form.update(
        csrfmiddlewaretoken=token,
        submission_token=re.search(r'name="submission_token" value="([^"]+)"', page).group(1),
        draft_token=re.search(r'name="draft_token" value="([^"]+)"', page).group(1),
        confirm_new="1",
        contact_phone="13600001111",
    )
    form.pop("support", None)
    r = s.post(
        base + "/report/",
        data=form,
        files={"photos": ("p.jpg", buffer.getvalue(), "image/jpeg")},
        headers=headers,
    )
    code = re.search(r'id="receipt-code">([A-Z0-9-]{19})<', r.text)
    print(f"complaint with photo: {r.status_code}, receipt code shown: {bool(code)}")
    for path in sorted(data.glob("**/complaints/**/*.jpg"))[-1:]:
        relative = "/".join(path.parts[path.parts.index("complaints") :])
        status = requests.get(base + "/media/" + relative, timeout=10).status_code
        where = "private root" if "private" in path.parts else "MEDIA_ROOT"
        print(f"  stored under the {where}; GET /media/{relative}: HTTP {status}")
    if code:
        # The tracking link with the code in the query (printed before this fix) for the log.
        requests.get(f"{base}/track/BH-0000-000000/?code={code.group(1)}", timeout=10)


if __name__ == "__main__":
    main()
