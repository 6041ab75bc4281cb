"""A fake city-management case system for the feed tests: a separate process on loopback.

Speaks the signed webhook (POST /webhook) and Open311 GeoReport v2 (POST/GET under
/open311/v2/), creates at most one case per Idempotency-Key, and can be told through
POST /_control to fail, answer slowly, time out, or hang after creating a case (so that a
worker can be killed between sending and recording). GET /_state shows what it received.
State is kept in a JSON file, so the process can be stopped ("down") and started again.

    python fake_case_system.py --state /tmp/state.json [--port 0] [--secret S] [--api-key K]
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()


class State:
    def __init__(self, path: Path):
        self.path = path
        if path.exists():
            self.data = json.loads(path.read_text())
        else:
            self.data = {"cases": {}, "posts": 0, "creates": 0, "control": {}, "statuses": {}}
        self.data.setdefault("connections", 0)

    def save(self):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data))
        tmp.replace(self.path)


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as a real case system's web server does: every answer has a Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm holds the
    # body back until the client's delayed ACK (about 40 ms per answer on a kept-alive socket).
    disable_nagle_algorithm = True
    state: State
    secret: str
    api_key: str
    lean = False

    def log_message(self, *args):
        pass

    def handle(self):
        # One call per TCP connection, however many requests it carries (keep-alive).
        with LOCK:
            self.state.data["connections"] += 1
        # A sender killed mid-connection (the fault script kills the case-feed worker) resets
        # it: that ends this connection, it is not the receiver's error to report.
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            super().handle()

    def _send(self, status: int, body) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # --- behaviour switches ---------------------------------------------------------------
    def _misbehave(self) -> bool:
        control = self.state.data["control"]
        if control.get("delay"):
            time.sleep(control["delay"])
        with LOCK:
            if control.get("fail_next", 0) > 0:
                control["fail_next"] -= 1
                self.state.save()
                self._send(control.get("fail_status", 503), {"error": "told to fail"})
                return True
        return False

    def _create(self, key: str, payload) -> tuple[str, bool]:
        with LOCK:
            self.state.data["posts"] += 1
            cases = self.state.data["cases"]
            created = key not in cases
            if created:
                self.state.data["creates"] += 1
                cases[key] = {
                    "id": f"CS-{self.state.data['creates']}",
                    "payload": None if self.lean else payload,
                }
            self.state.save()
            return cases[key]["id"], created

    def _hang(self):
        hang = self.state.data["control"].get("hang_after_create")
        if hang:
            time.sleep(hang)

    # --- endpoints ------------------------------------------------------------------------
    def do_POST(self):
        url = urlsplit(self.path)
        body = self._body()
        if url.path == "/_control":
            with LOCK:
                self.state.data["control"] = json.loads(body or b"{}")
                self.state.save()
            return self._send(200, {"ok": True})
        if url.path == "/_status":
            with LOCK:
                self.state.data["statuses"].update(json.loads(body))
                self.state.save()
            return self._send(200, {"ok": True})
        if url.path == "/webhook":
            timestamp = self.headers.get("X-Casefeed-Timestamp", "")
            expected = (
                "sha256="
                + hmac.new(
                    self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
            )
            if not hmac.compare_digest(expected, self.headers.get("X-Casefeed-Signature", "")):
                return self._send(401, {"error": "bad signature"})
            if self._misbehave():
                return None
            key = self.headers.get("Idempotency-Key", "")
            if not key:
                return self._send(400, {"error": "no Idempotency-Key"})
            case_id, created = self._create(key, json.loads(body))
            self._hang()
            return self._send(201 if created else 200, {"case_id": case_id})
        if url.path == "/open311/v2/requests.json":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if form.get("api_key") != self.api_key:
                return self._send(403, [{"code": 403, "description": "bad api_key"}])
            if self._misbehave():
                return None
            key = self.headers.get("Idempotency-Key") or form.get(
                "attribute[portal_idempotency_key]", ""
            )
            case_id, _created = self._create(key, form)
            self._hang()
            if self.state.data["control"].get("token_mode"):
                return self._send(200, [{"token": f"T-{case_id}"}])
            return self._send(200, [{"service_request_id": case_id}])
        return self._send(404, {"error": "no such endpoint"})

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/_state":
            with LOCK:
                return self._send(200, self.state.data)
        if url.path.startswith("/open311/v2/tokens/"):
            token = url.path.rsplit("/", 1)[1].removesuffix(".json")
            return self._send(200, [{"token": token, "service_request_id": token[2:]}])
        if url.path == "/open311/v2/requests.json":
            ids = [i for i in query.get("service_request_id", "").split(",") if i]
            statuses = self.state.data["statuses"]
            return self._send(
                200,
                [
                    {
                        "service_request_id": i,
                        "status": statuses.get(i, {}).get("status", "open"),
                        "status_notes": statuses.get(i, {}).get("notes", ""),
                        "updated_datetime": statuses.get(i, {}).get(
                            "updated", "2026-01-01T00:00:00+08:00"
                        ),
                    }
                    for i in ids
                ],
            )
        if url.path == "/open311/v2/servicerequestupdates.json":
            return self._send(
                200,
                [
                    {
                        "update_id": f"U-{i}-{s.get('updated')}",
                        "service_request_id": i,
                        "status": s.get("status", "open"),
                        "updated_datetime": s.get("updated"),
                        "description": s.get("notes", ""),
                        "extended_attributes": {"external_status": s.get("extended", "")},
                    }
                    for i, s in self.state.data["statuses"].items()
                ],
            )
        return self._send(404, {"error": "no such endpoint"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", required=True)
    parser.add_argument("--secret", default="fake-secret")
    parser.add_argument("--api-key", default="fake-key")
    parser.add_argument("--lean", action="store_true", help="Keep no payloads (benchmarks).")
    args = parser.parse_args()
    Handler.state = State(Path(args.state))
    Handler.secret = args.secret
    Handler.api_key = args.api_key
    Handler.lean = args.lean
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
