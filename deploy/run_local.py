"""Run the production configuration on this machine: ``make production``.

gunicorn (two app processes, production settings) on PostgreSQL + Redis, with the task and
case-feed workers, behind Debian's nginx when it is installed (otherwise the first app process
answers directly, and this says so). Loads the demo content into an empty database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_production \
    REDIS_URL=redis://127.0.0.1:6379/2 PORT=8080 .venv/bin/python -m deploy.run_local

Ctrl+C stops everything. Secrets are generated once into ``var/production/keys.env``.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from deploy.stack import ROOT, Stack

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/portal_production"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--app-processes", type=int, default=2)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "production"))
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo content")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    if not database_url.startswith("postgres"):
        print(
            "error: the production configuration runs on PostgreSQL (DATABASE_URL)", file=sys.stderr
        )
        return 2
    ensure_database(database_url)
    stack = Stack(
        data_dir=Path(args.data_dir),
        database_url=database_url,
        redis_url=redis_url,
        app_processes=args.app_processes,
        gunicorn_workers=args.gunicorn_workers,
        port=args.port,
        quiet=False,
    )
    print("Preparing the database and static files ...", flush=True)
    try:
        stack.prepare()
    except subprocess.CalledProcessError as error:
        print(f"error: {' '.join(error.cmd[1:])} failed (exit {error.returncode})", file=sys.stderr)
        return 1
    pages = stack.shell("from wagtail.models import Page; print(Page.objects.count())")
    empty = int(pages or 0) <= 2  # Wagtail's root and welcome page only
    if empty and not args.no_demo:
        # --force: production settings (DEBUG off) on purpose; this is a local trial, and the
        # demo accounts it creates are printed so nobody mistakes it for a real deployment.
        print("Loading the demo content (demo accounts with known passwords) ...", flush=True)
        stack.manage("seed_demo", "--force")
    stack.start()
    apps = ", ".join(f"127.0.0.1:{port}" for port in stack.app_ports)
    if stack.use_nginx:
        print(f"nginx on {stack.base_url}/ in front of gunicorn at {apps}")
    else:
        print(
            f"nginx is not installed: gunicorn answers directly on {stack.base_url}/ "
            f"(the other app process: {apps}); apt-get install nginx to run the proxy too"
        )
    print(f"Workers: run_worker and drain_casefeed; logs in {stack.data_dir / 'logs'}")
    print("Ctrl+C stops everything.", flush=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
