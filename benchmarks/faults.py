"""Faults against the running production configuration, under load: what is lost, doubled,
half-written, answered 5xx, and how long recovery takes.

    .venv/bin/python -m benchmarks.faults [--quick] [--concurrency 12] [--outage 20]

Starts the production configuration (deploy/stack.py: nginx, two gunicorn app processes, the
task and case-feed workers) on a PostgreSQL cluster and a redis-server of its own, with the
private photos on a small tmpfs (when this runs as root and can mount one), and a fake case
system. Residents file reports through nginx the whole time (a failed submission is retried
with the same submission token, as a resident tapping again would); every few seconds the
received reports are registered (立案), which queues them for the case system. Then, one after
the other:

- ``redis``: the redis-server is killed for ``--outage`` seconds and started again;
- ``database``: PostgreSQL is stopped for ``--outage`` seconds and started again;
- ``disk``: the private media disk is filled; residents send photos; then it is freed;
- ``receiver``: the case system is down for ``--outage`` seconds;
- ``casefeed-kill``: the case-feed worker is killed (SIGKILL) while it delivers;
- ``app-kill``: one app process is killed (SIGKILL) and started again, as systemd would;
- ``malformed``: NUL bytes, undecodable bodies, broken multipart, forged charsets.

For each fault it prints the answers during the fault, 500s (never allowed: an outage answers
503), and the recovery time (from the end of the fault to the next acknowledged report). At the
end: reports lost (acknowledged, not stored), doubled (two reports from one submission token),
half-written files (empty, or on disk with no row), and whether the case system got exactly one
case per report. Exits 1 when anything is lost, doubled, half-written or answered 500, or did not
recover.

``--quick`` (the CI test, tests/deploy/test_faults.py) uses short outages and few residents.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from PIL import Image

from benchmarks.production import CSRF, Outcome, Production, residents, wait_delivered
from deploy.stack import http_status, wait_for

FILES = """
import json
from django.apps import apps
from django.db import models
from complaints.models import UploadDraft
named = []
for model in apps.get_models():
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            named += [n for n in model._default_manager.values_list(field.name, flat=True) if n]
print(json.dumps({
    # Every file any row names: photos, drafts, bulletins, inspection photos ...
    "named": sorted(named),
    # Drafts a killed process left pending: the worker's purge clears them after 10 minutes.
    "pending": UploadDraft.objects.filter(size=0).count(),
}))
"""


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((320, 240), 64).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@contextlib.contextmanager
def small_disk(size: str):
    """A tmpfs of ``size`` for the private photos, or None when mounting is not possible."""
    path = Path(tempfile.mkdtemp(prefix="portal-private-"))
    mounted = False
    if os.geteuid() == 0:
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
            capture_output=True,
        )
        mounted = result.returncode == 0
    try:
        yield path if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)
        shutil.rmtree(path, ignore_errors=True)


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` to the last byte."""
    filler = directory / "filler.bin"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


class Registrar(threading.Thread):
    """Registers received reports every few seconds (the intake operator's 立案)."""

    def __init__(self, production: Production, stop: threading.Event):
        super().__init__(daemon=True)
        self.production, self.stop = production, stop

    def run(self) -> None:
        while not self.stop.wait(3):
            with contextlib.suppress(subprocess.CalledProcessError, ValueError):
                self.production.register_all()


class Phase:
    def __init__(self, name: str, outcome: Outcome):
        self.name, self.outcome = name, outcome
        self.before = Counter(outcome.statuses)
        self.errors_before = Counter(outcome.errors)
        self.started = time.monotonic()
        self.fault_end = self.started
        self.recovery: float | None = None

    def end_fault(self) -> None:
        self.fault_end = time.monotonic()

    def finish(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.recovery = self.outcome.first_success_after(self.fault_end)
            if self.recovery is not None:
                break
            time.sleep(0.5)
        answers = Counter(self.outcome.statuses)
        answers.subtract(self.before)
        errors = Counter(self.outcome.errors)
        errors.subtract(self.errors_before)
        return {
            "fault": self.name,
            "answers": {k: v for k, v in answers.items() if v},
            "connection_errors": sum(v for v in errors.values() if v > 0),
            "http_500": answers.get(500, 0),
            "recovery_s": None if self.recovery is None else round(self.recovery, 1),
        }


def malformed(port: int) -> dict:
    """Send malformed requests; every answer must be a 4xx (or a redirect), never a 5xx."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/report/")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    csrf = CSRF.search(body).group(1)
    base = {"Cookie": cookie, "Referer": f"http://127.0.0.1:{port}/report/"}
    cases = [
        ("application/x-www-form-urlencoded", f"csrfmiddlewaretoken={csrf}&description=a%00b"),
        (
            "application/x-www-form-urlencoded; charset=latin-1",
            f"csrfmiddlewaretoken={csrf}&d=\xe9",
        ),
        ("application/x-www-form-urlencoded; charset=utf-8", b"csrfmiddlewaretoken=" + b"\xff\xfe"),
        (
            "application/x-www-form-urlencoded; charset=no-such-charset",
            f"csrfmiddlewaretoken={csrf}",
        ),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data", f"csrfmiddlewaretoken={csrf}"),
        ("application/json", '{"description": "\\u0000"}'),
        ("application/x-www-form-urlencoded", f"csrfmiddlewaretoken={csrf}&latitude=1e400"),
        ("application/x-www-form-urlencoded", f"csrfmiddlewaretoken={csrf}&category=%00"),
    ]
    statuses = Counter()
    for path in ("/report/", "/track/", "/open311/v2/requests.json"):
        for content_type, payload in cases:
            data = payload if isinstance(payload, bytes) else payload.encode("latin-1", "replace")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=data, headers={**base, "Content-Type": content_type})
            answer = conn.getresponse()
            answer.read()
            statuses[answer.status] += 1
            conn.close()
    return {
        "fault": "malformed",
        "answers": dict(statuses),
        "connection_errors": 0,
        "http_500": sum(n for s, n in statuses.items() if s >= 500),
        "recovery_s": 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short outages, few residents (CI)")
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds each outage lasts")
    parser.add_argument("--keep-answers", metavar="DIR", help="save the last answer of each status")
    args = parser.parse_args()
    if args.quick:
        args.concurrency, args.outage = 4, 4.0
    recover_within = 60.0
    results: list[dict] = []
    photo = photo_bytes()

    with (
        small_disk("16m") as private_root,
        Production(
            private_media_root=private_root,
            extra_env={
                # Quick enough to see recovery within the run.
                "WORKER_OUTAGE_BACKOFF_MAX": "2",
                "CASEFEED_BACKOFF_BASE": "1",
                "CASEFEED_BACKOFF_MAX": "2",
            },
        ) as production,
    ):
        stack = production.stack
        print(f"production configuration up: nginx {stack.base_url}, apps {stack.app_ports}")
        outcome = Outcome()
        stop = threading.Event()
        load = residents(stack.port, production.categories, outcome, stop, args.concurrency)
        registrar = Registrar(production, stop)
        registrar.start()
        time.sleep(args.outage)

        def outage(name: str, break_it, mend_it, seconds: float) -> None:
            """Break something under load, wait, mend it, and time the recovery."""
            phase = Phase(name, outcome)
            break_it()
            time.sleep(seconds)
            mend_it()
            phase.end_fault()
            results.append(phase.finish(recover_within))

        # Redis killed, then started again on the same port.
        outage("redis", production.redis.kill, production.redis.start, args.outage)
        # PostgreSQL stopped, then started again.
        outage("database", production.postgres.stop, production.postgres.start, args.outage)

        # The private media disk full while residents send photos.
        if private_root is not None:
            photo_stop = threading.Event()
            with_photos: list = []
            filler = private_root / "filler.bin"

            def fill_and_send_photos() -> None:
                fill(private_root)
                with_photos.extend(
                    residents(
                        stack.port, production.categories, outcome, photo_stop, 2, photo=photo
                    )
                )

            outage("disk", fill_and_send_photos, filler.unlink, args.outage)
            photo_stop.set()
            for thread in with_photos:
                thread.join(timeout=60)
        else:
            print("disk: skipped (needs root to mount a tmpfs)")
            results.append({"fault": "disk", "skipped": "cannot mount a tmpfs here"})

        # The case system down for a while.
        outage("receiver", production.fake.stop, production.fake.start, args.outage)
        # The case-feed worker killed mid-delivery; the supervisor starts it again.
        outage("casefeed-kill", lambda: stack.kill("casefeed", signal.SIGKILL), lambda: None, 1)
        # One app process killed; the other answers until it is started again (as systemd would).
        outage(
            "app-kill",
            lambda: stack.kill("app1", signal.SIGKILL),
            lambda: stack.start_app(0),
            args.outage / 2,
        )

        results.append(malformed(stack.port))

        stop.set()
        for thread in load:
            thread.join(timeout=120)
        registrar.join(timeout=60)
        production.register_all()
        acknowledged = len(outcome.acknowledged)
        created, waited = wait_delivered(production, acknowledged, timeout=300)
        counts = production.counts()
        lost = len(outcome.acknowledged - set(counts["references"]))
        half_written = pending_drafts = 0
        unnamed: list[str] = []
        on_disk: dict[str, int] = {}
        if private_root is not None:
            files = json.loads(stack.shell(FILES))
            known, pending_drafts = set(files["named"]), files["pending"]
            on_disk = {
                str(p.relative_to(private_root)): p.stat().st_size
                for p in private_root.rglob("*")
                if p.is_file()
            }
            unnamed = sorted(
                name for name, size in on_disk.items() if size == 0 or name not in known
            )
            half_written = len(unnamed)
        health = http_status(stack.port, "/healthz?scope=web")
        with contextlib.suppress(TimeoutError):
            wait_for(lambda: http_status(stack.port, "/healthz") == 200, timeout=60, what="health")
        health_all = http_status(stack.port, "/healthz")

    print()
    print(
        f"{'fault':<14} {'answers during fault and recovery':<44} {'conn.err':>8} {'500s':>5} {'recovery':>9}"
    )
    ok = True
    for r in results:
        if "skipped" in r:
            print(f"{r['fault']:<14} skipped: {r['skipped']}")
            continue
        recovered = r["recovery_s"] is not None
        ok = ok and recovered and r["http_500"] == 0
        recovery = f"{r['recovery_s']:.1f} s" if recovered else "NEVER"
        print(
            f"{r['fault']:<14} {json.dumps(r['answers'], sort_keys=True):<44} "
            f"{r['connection_errors']:>8} {r['http_500']:>5} {recovery:>9}"
        )
    print()
    print(
        f"reports: {acknowledged} acknowledged, {counts['reports']} stored, lost {lost}, "
        f"doubled tokens {counts['doubled_tokens']}, half-written files {half_written} "
        f"(drafts left pending for the purge: {pending_drafts})"
    )
    print(
        f"case system: {created} cases for {acknowledged} reports ({waited:.0f} s to drain; "
        f"{counts['delivered']} delivered, {counts['dead']} dead)"
    )
    print(f"after the faults: /healthz?scope=web {health}, /healthz {health_all}")
    for name in unnamed[:10]:
        print(f"  half-written: {name} ({on_disk[name]} bytes)")
    for status, said in outcome.samples.items():
        print(f"  first {status} answer said: {said[:200]}")
    if args.keep_answers:
        Path(args.keep_answers).mkdir(parents=True, exist_ok=True)
        for status, text in outcome.last_bodies.items():
            (Path(args.keep_answers) / f"last-{status}.html").write_text(text, encoding="utf-8")
    ok = (
        ok
        and lost == 0
        and counts["doubled_tokens"] == 0
        and half_written == 0
        and created == acknowledged == counts["reports"]
        and health == 200
    )
    print("OK" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
