"""A surge of reports against the production configuration: nothing lost, nothing doubled.

    .venv/bin/python -m benchmarks.surge [--reports 10000] [--concurrency 50]

Starts the production configuration (deploy/stack.py: nginx in front of two gunicorn app
processes, PostgreSQL + Redis of its own, the task and case-feed workers) and a fake case
system, then:

1. ``--concurrency`` residents file ``--reports`` reports through nginx (each retried with its
   own submission token after a failure, as a resident tapping again would);
2. every acknowledged report is registered (立案), which queues it for the case system, and the
   case-feed worker delivers them;
3. checks: every acknowledged report is stored exactly once, no submission token made two
   reports, and the case system received exactly one case per report;
4. the tracking rate limit (``COMPLAINTS_RATE_TRACK_IP``, set to 20/m here) holds for one client
   whichever app process answers: of 40 lookups, exactly 20 pass, and both processes answered.

Prints the figures and exits 1 on any loss, double or limit leak.
"""

import argparse
import http.client
import re
import sys
import threading
import time

from benchmarks.production import CSRF, Outcome, Production, residents, wait_delivered


def rate_limit_check(port: int, attempts: int) -> list[int]:
    statuses = []
    for _ in range(attempts):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection each
        conn.request("GET", "/track/")
        response = conn.getresponse()
        body = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        csrf = CSRF.search(body).group(1)
        conn.request(
            "POST",
            "/track/",
            body=f"csrfmiddlewaretoken={csrf}&reference=BH-2026-000999&access_code=x",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{port}/track/",
            },
        )
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        conn.close()
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    limit = 20
    with Production(
        gunicorn_workers=args.gunicorn_workers,
        extra_env={"COMPLAINTS_RATE_TRACK_IP": f"{limit}/m"},
    ) as production:
        stack = production.stack
        print(f"production configuration up: nginx {stack.base_url} -> app ports {stack.app_ports}")
        outcome = Outcome()
        stop = threading.Event()
        per_resident, extra = divmod(args.reports, args.concurrency)
        started = time.monotonic()
        threads = [
            *residents(
                stack.port, production.categories, outcome, stop, extra, count=per_resident + 1
            ),
            *residents(
                stack.port,
                production.categories,
                outcome,
                stop,
                args.concurrency - extra,
                count=per_resident,
            ),
        ]
        last = 0
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            done = len(outcome.acknowledged)
            print(f"  {done:>6} acknowledged ({(done - last) / 5:.0f}/s)", flush=True)
            last = done
        elapsed = time.monotonic() - started
        acknowledged = len(outcome.acknowledged)
        print(
            f"filed: {acknowledged} acknowledged in {elapsed:.1f} s = {acknowledged / elapsed:.0f}/s "
            f"at concurrency {args.concurrency}; answers {dict(outcome.statuses)}; "
            f"connection errors {dict(outcome.errors)}"
        )
        for status, said in outcome.samples.items():
            print(f"  first {status} answer said: {said[:300]}")

        registered = production.register_all()
        print(f"registered {registered} reports: each queued once for the case system")
        created, waited = wait_delivered(
            production, acknowledged, timeout=max(300, acknowledged / 5)
        )
        counts = production.counts()
        stored = set(counts["references"])
        lost = len(outcome.acknowledged - stored)
        print(
            f"stored {counts['reports']}, lost {lost}, doubled tokens {counts['doubled_tokens']}; "
            f"case system: {created} cases for {acknowledged} reports after {waited:.0f} s "
            f"({counts['delivered']} deliveries delivered, {counts['dead']} dead)"
        )

        statuses = rate_limit_check(stack.port, 2 * limit)
        passed = sum(1 for s in statuses if s != 429)
        access = (stack.data_dir / "logs" / "nginx-access.log").read_text()
        answered = [
            len(re.findall(rf'"POST /track/ [^"]*" \d+ 127\.0\.0\.1:{port}\b', access))
            for port in stack.app_ports
        ]
        print(
            f"rate limit {limit}/m for one client: {passed} of {len(statuses)} lookups passed, "
            f"{statuses.count(429)} limited (429); tracking POSTs per app process: {answered}"
        )
        ok = (
            lost == 0
            and counts["doubled_tokens"] == 0
            and counts["reports"] == acknowledged
            and created == acknowledged
            and passed == limit
            and all(answered)
        )
    print("OK" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
