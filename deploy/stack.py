"""Start the production configuration on this machine: the pieces docs/deploy.md describes.

Used by ``make production`` (deploy/run_local.py), the stack and fault tests (tests/deploy/) and
the load scripts in benchmarks/. What runs:

- ``app_processes`` gunicorn processes (deploy/gunicorn.conf.py, ``portal.wsgi``), each on its
  own port with ``gunicorn_workers`` sync workers: the "two app servers" of a deployment;
- nginx with the site rendered from deploy/nginx/portal.conf.in in front of them, when Debian's
  nginx is installed (static files, public media, private photos by X-Accel-Redirect);
- the task worker (``manage.py run_worker``) and the case-feed worker (``manage.py
  drain_casefeed``), restarted when they exit, as systemd's ``Restart=always`` would.

Besides, :class:`PrivatePostgres` and :class:`PrivateRedis` start a throw-away PostgreSQL cluster
and redis-server on free ports, so the fault script can restart or kill them without touching
the machine's own services.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_available() -> bool:
    return Path(NGINX).exists()


def wait_for(check, *, timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll ``check()`` until it is true; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


def http_status(port: int, path: str, *, timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _as_service_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class PrivatePostgres:
    """A PostgreSQL cluster of our own on a free port (trust auth), for restarts under load."""

    def __init__(self, directory: Path, port: int | None = None):
        if PG_BIN is None:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.directory = directory
        self.data = directory / "pgdata"
        self.port = port or free_port()
        self.log = directory / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def _run(self, *argv: str) -> None:
        subprocess.run(
            _as_service_user([str(PG_BIN / argv[0]), *argv[1:]]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            # The postgres user must be able to reach its directory (mkdtemp makes 0700 ones).
            parent = self.directory.parent
            parent.chmod(parent.stat().st_mode | 0o111)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "portal")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories="
            f"{self.directory} -c fsync=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "restart")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own on a free port, no persistence, to kill and start again."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_for(ping, timeout=15, what="redis-server")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    stop = kill


@dataclass
class Stack:
    """The production configuration, started in ``data_dir`` against the given services."""

    data_dir: Path
    database_url: str
    redis_url: str
    app_processes: int = 2
    gunicorn_workers: int = 2
    use_nginx: bool = True
    port: int | None = None
    workers: bool = True
    casefeed_worker: bool = True
    extra_env: dict = field(default_factory=dict)
    quiet: bool = True

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        self.app_ports = [free_port() for _ in range(self.app_processes)]
        self.use_nginx = self.use_nginx and nginx_available()
        self.port = self.port or (free_port() if self.use_nginx else self.app_ports[0])
        self.processes: dict[str, subprocess.Popen] = {}
        self._supervised: dict[str, list[str]] = {}
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.restarts: dict[str, int] = {}

    # -- configuration -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _keys(self) -> dict:
        """Secrets kept in the data directory, made once: encrypted data outlives a restart."""
        path = self.data_dir / "keys.env"
        if not path.exists():
            import base64

            path.write_text(
                f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
                f"PORTAL_FIELD_KEYS={base64.urlsafe_b64encode(os.urandom(32)).decode()}\n"
                f"PORTAL_HASH_KEY={secrets.token_urlsafe(48)}\n",
                encoding="utf-8",
            )
            path.chmod(0o600)
        pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())
        return dict(pairs)

    @property
    def env(self) -> dict:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))},
            **self._keys(),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            # Plain HTTP on the loopback; a deployment terminates TLS in nginx (docs/deploy.md).
            "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "PORTAL_DATA_DIR": str(self.data_dir),
            "PORTAL_BASE_URL": self.base_url,
            "PORTAL_TRUSTED_PROXIES": "1" if self.use_nginx else "0",
            "PORTAL_PRIVATE_MEDIA_ACCEL": "x-accel-redirect" if self.use_nginx else "",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, check: bool = True, capture: bool = False) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=check,
            capture_output=capture,
            text=True,
            stdout=None if capture else (subprocess.DEVNULL if self.quiet else None),
        )
        return result.stdout if capture else ""

    def shell(self, code: str) -> str:
        """Run Python in ``manage.py shell`` against the stack's database; its last output line."""
        out = self.manage("shell", "-c", code, capture=True).strip()
        return out.splitlines()[-1] if out else ""

    # -- processes -----------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def _supervise(self, name: str, argv: list[str]) -> None:
        self._supervised[name] = argv
        self.restarts[name] = 0
        self._spawn(name, argv)

    def _supervisor_loop(self) -> None:
        while not self._stopping.wait(0.5):
            for name, argv in list(self._supervised.items()):
                process = self.processes.get(name)
                if (
                    process is not None
                    and process.poll() is not None
                    and not self._stopping.is_set()
                ):
                    self.restarts[name] += 1
                    self._spawn(name, argv)

    def _render_nginx(self) -> Path:
        from deploy.render_nginx import render

        site = render(
            app_servers=[f"127.0.0.1:{port}" for port in self.app_ports],
            server_name="127.0.0.1 localhost",
            static_root=self.env.get("DJANGO_STATIC_ROOT", str(self.data_dir / "static")),
            media_root=self.env.get("DJANGO_MEDIA_ROOT", str(self.data_dir / "media")),
            private_root=self.env.get("PORTAL_PRIVATE_MEDIA_ROOT", str(self.data_dir / "private")),
            listen=f"127.0.0.1:{self.port}",
            server_extra=f"access_log {self.data_dir / 'logs' / 'nginx-access.log'} upstream;",
        )
        prefix = self.data_dir / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "temp" / sub).mkdir(parents=True, exist_ok=True)
        (prefix / "portal.conf").write_text(site, encoding="utf-8")
        user = "user root root;" if os.geteuid() == 0 else ""
        main = f"""{user}
worker_processes 2;
daemon off;
pid {prefix / "nginx.pid"};
error_log {self.data_dir / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    # Which app process answered: the stack tests and the surge read it.
    log_format upstream '$remote_addr "$request" $status $upstream_addr $request_time';
    client_body_temp_path {prefix / "temp" / "client_body"};
    proxy_temp_path {prefix / "temp" / "proxy"};
    fastcgi_temp_path {prefix / "temp" / "fastcgi"};
    uwsgi_temp_path {prefix / "temp" / "uwsgi"};
    scgi_temp_path {prefix / "temp" / "scgi"};
    include {prefix / "portal.conf"};
}}
"""
        conf = prefix / "nginx.conf"
        conf.write_text(main, encoding="utf-8")
        subprocess.run([NGINX, "-t", "-q", "-c", str(conf), "-p", str(prefix)], check=True)
        return conf

    def prepare(self, *, demo: bool = False) -> None:
        """Migrate, collect static files and (optionally) load the demo content."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if demo:
            self.manage("seed_demo")

    def start_app(self, index: int) -> None:
        """Start app process ``index`` (gunicorn reads its bind and worker count from the env)."""
        port = self.app_ports[index]
        self._spawn(
            f"app{index + 1}",
            [GUNICORN, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "portal.wsgi"],
            env={
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": str(self.gunicorn_workers),
            },
        )
        wait_for(
            lambda: http_status(port, "/healthz?scope=web") in (200, 503),
            timeout=60,
            what=f"gunicorn app{index + 1} on port {port}",
        )

    def start(self) -> Stack:
        for index in range(self.app_processes):
            self.start_app(index)
        if self.use_nginx:
            conf = self._render_nginx()
            self._spawn("nginx", [NGINX, "-c", str(conf), "-p", str(conf.parent)])
            wait_for(
                lambda: http_status(self.port, "/healthz?scope=web") in (200, 503),
                timeout=20,
                what="nginx",
            )
        if self.workers:
            self._supervise("worker", [PYTHON, "manage.py", "run_worker", "--skip-checks"])
        if self.casefeed_worker:
            self._supervise("casefeed", [PYTHON, "manage.py", "drain_casefeed", "--skip-checks"])
        self._supervisor = threading.Thread(target=self._supervisor_loop, daemon=True)
        self._supervisor.start()
        return self

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one process (and its children) as a crash would."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait()

    def stop(self) -> None:
        self._stopping.set()
        for _name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
