"""Fill deploy/nginx/portal.conf.in from the environment and print the nginx site.

    PORTAL_APP_SERVERS=127.0.0.1:8001,127.0.0.1:8002 PORTAL_SERVER_NAME=portal.example.gov.cn \
    DJANGO_STATIC_ROOT=/srv/portal/var/static DJANGO_MEDIA_ROOT=/srv/portal/var/media \
    PORTAL_PRIVATE_MEDIA_ROOT=/srv/portal/var/private \
    python -m deploy.render_nginx > /etc/nginx/sites-available/portal

Every field is required except PORTAL_NGINX_LISTEN (default ``80``) and PORTAL_NGINX_EXTRA
(lines for the server block, e.g. TLS certificates). A missing one is an error, not a blank.
"""

import os
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "portal.conf.in"


class MissingSetting(Exception):
    pass


def _directory(value: str) -> str:
    return str(Path(value).resolve()).rstrip("/") + "/"


def render(
    *,
    app_servers: list[str],
    server_name: str,
    static_root: str,
    media_root: str,
    private_root: str,
    listen: str = "80",
    server_extra: str = "",
) -> str:
    if not app_servers:
        raise MissingSetting("PORTAL_APP_SERVERS names no app server")
    fields = {
        "@UPSTREAMS@": "\n    ".join(f"server {server};" for server in app_servers),
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@SERVER_EXTRA@": server_extra,
        "@STATIC_ROOT@": _directory(static_root),
        "@MEDIA_ROOT@": _directory(media_root),
        "@PRIVATE_ROOT@": _directory(private_root),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for field, value in fields.items():
        text = text.replace(field, value)
    return text


def render_from_environment(environ=os.environ) -> str:
    def need(name: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            raise MissingSetting(f"{name} is not set")
        return value

    return render(
        app_servers=[s.strip() for s in need("PORTAL_APP_SERVERS").split(",") if s.strip()],
        server_name=need("PORTAL_SERVER_NAME"),
        static_root=need("DJANGO_STATIC_ROOT"),
        media_root=need("DJANGO_MEDIA_ROOT"),
        private_root=need("PORTAL_PRIVATE_MEDIA_ROOT"),
        listen=environ.get("PORTAL_NGINX_LISTEN", "80"),
        server_extra=environ.get("PORTAL_NGINX_EXTRA", ""),
    )


if __name__ == "__main__":
    try:
        sys.stdout.write(render_from_environment())
    except MissingSetting as error:
        sys.exit(f"error: {error}")
