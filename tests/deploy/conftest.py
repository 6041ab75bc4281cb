"""The production configuration (deploy/stack.py) started for real: gunicorn x2, nginx, workers,
on a PostgreSQL cluster and a redis-server of the test's own (free ports, removed afterwards).

Needs Debian's nginx, PostgreSQL server binaries and redis-server. Without them the tests skip
on a developer's machine; in CI (CI=true) a missing piece is a failure, never a silent skip.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from deploy.stack import PG_BIN, PrivatePostgres, PrivateRedis, Stack, nginx_available


def require_services() -> None:
    missing = [
        name
        for name, present in (
            ("nginx (apt-get install nginx)", nginx_available()),
            ("PostgreSQL server (apt-get install postgresql)", PG_BIN is not None),
            ("redis-server (apt-get install redis-server)", bool(shutil.which("redis-server"))),
        )
        if not present
    ]
    if missing:
        message = "the production stack tests need: " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


REFERENCE_DATA = (
    "from complaints.reference.services.reference_data import categories_load_from_csv, "
    "demo_geography_load; categories_load_from_csv(); demo_geography_load()"
)


@pytest.fixture(scope="module")
def services():
    """A PostgreSQL cluster and a redis-server of our own, for this module only."""
    require_services()
    directory = Path(tempfile.mkdtemp(prefix="portal-stack-"))
    postgres = PrivatePostgres(directory / "pg")
    redis = PrivateRedis()
    postgres.init()
    redis.start()
    try:
        yield directory, postgres, redis
    finally:
        redis.kill()
        postgres.destroy()
        shutil.rmtree(directory, ignore_errors=True)


def start_stack(directory: Path, postgres, redis, **options) -> Stack:
    stack = Stack(
        data_dir=directory / "data",
        database_url=postgres.url,
        redis_url=redis.url,
        **options,
    )
    stack.prepare()
    stack.shell(REFERENCE_DATA)
    return stack.start()
