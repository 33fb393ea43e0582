"""A local API Gateway: serves the Chalice app under /api/ on 127.0.0.1, like CloudFront + API Gateway will.

It runs the app's custom authorizer like API Gateway does (an authorizer failing with "Unauthorized" is a 401),
answers API Gateway's own errors in our envelope, and serves one request at a time (Chalice keeps the current
request on the app object, as one Lambda container does).
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayAuthorizer, LocalGatewayException, NotAuthorizedError

from chalicelib.core.auth.authorizer import AuthorizerUnauthorized
from chalicelib.core.gateway import envelope

_patched = False


def patch_local_authorizer() -> None:
    """Make Chalice's local authorizer emulation answer 401 where API Gateway does."""
    global _patched
    if _patched:
        return
    original = LocalGatewayAuthorizer.authorize

    def authorize(self, raw_path, lambda_event, lambda_context):
        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except AuthorizerUnauthorized:
            raise NotAuthorizedError({"x-amzn-ErrorType": "UnauthorizedException"},
                                     b'{"message":"Unauthorized"}') from None

    LocalGatewayAuthorizer.authorize = authorize
    _patched = True


_COMPRESSIBLE = {"text/html", "text/javascript", "text/css", "application/json", "image/svg+xml",
                 "application/manifest+json"}
_KIND = {401: "UNAUTHORIZED", 403: "ACCESS_DENIED", 413: "REQUEST_TOO_LARGE", 429: "THROTTLED"}


class Gateway:
    def __init__(self, app, outbox_path: str | None = None, web_root: Path | None = None):
        patch_local_authorizer()
        self.app = app
        self.gateway = LocalGateway(app, Config(chalice_stage="local"))
        self.lock = threading.Lock()
        self.outbox_path = outbox_path
        self.web_root = web_root

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        with self.lock:
            try:
                r = self.gateway.handle_request(method=method, path=path, headers=headers, body=body)
            except LocalGatewayException as e:
                kind = _KIND.get(e.CODE, "ACCESS_DENIED")
                if b"Missing Authentication Token" in (e.body or b""):
                    kind = "MISSING_AUTHENTICATION_TOKEN"
                status, env = envelope(kind)
                return status, {"Content-Type": "application/json; charset=utf-8"}, \
                    json.dumps(env, ensure_ascii=False).encode()
        body_out = r.get("body") or b""
        if isinstance(body_out, str):
            body_out = body_out.encode()
        hdrs = dict(r.get("headers") or {})
        for k, vs in (r.get("multiValueHeaders") or {}).items():
            hdrs[k] = ", ".join(vs)
        return r["statusCode"], hdrs, body_out


def make_server(gateway: Gateway, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle holds the body until the client's
        # delayed ACK (~40 ms) on every reused (keep-alive) connection, as browsers and load tools use.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):  # access lines come from the app's own logger
            pass

        def _send(self, status: int, headers: dict, body: bytes) -> None:
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            if (len(body) > 1024 and "gzip" in (self.headers.get("Accept-Encoding") or "")
                    and ctype.split(";")[0] in _COMPRESSIBLE):
                body = gzip.compress(body, 6)  # as CloudFront does for the deployed app
                headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            self.send_response(status)
            for k, v in headers.items():
                if k.lower() not in ("content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _dispatch(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/api" or url.path.startswith("/api/"):
                api_path = url.path[4:] or "/"
                full = api_path + (f"?{url.query}" if url.query else "")
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, hdrs, out = gateway.handle(self.command, full, headers, body)
                return self._send(status, hdrs, out)
            if url.path == "/__dev/sms" and gateway.outbox_path:
                p = Path(gateway.outbox_path)
                rows = [json.loads(line) for line in p.read_text("utf-8").splitlines() if line] if p.exists() else []
                phone = parse_qs(url.query).get("phone", [None])[0]  # ?phone=… : that phone's messages only
                rows = [r for r in rows if phone is None or r["phone"] == phone]
                return self._send(200, {"Content-Type": "application/json; charset=utf-8"},
                                  json.dumps(rows[-50:], ensure_ascii=False).encode())
            if url.path == "/site.json" and self.command in ("GET", "HEAD"):
                # What a deployment's synthesis writes (infra/cqt_infra/config.py `site`): this stack is one cell,
                # and the web app reads the cells' directory from the local one below. No ICP number locally.
                return self._send(200, {"Content-Type": "application/json", "Cache-Control": "no-cache"},
                                  json.dumps({"cell": _cell(), "directory": "/__dev/directory.json"}).encode())
            if url.path == "/__dev/directory.json" and self.command in ("GET", "HEAD"):
                found = _directory()
                if found is None:
                    return self._send(404, {"Content-Type": "application/json"}, b'{"error": "no directory"}')
                return self._send(200, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache"},
                                  found)
            if url.path == "/__dev/escalate" and self.command == "POST":
                # Local only: run the case escalation schedule as if it were `at` (ISO 8601), so that browser tests
                # and people trying the demo can see "unanswered after 3 working days" without waiting for them:
                # fanned out on the jobs queue as the schedule does, then delivered before answering.
                import datetime as dt

                from .events import EventRunner

                at = parse_qs(url.query).get("at", [None])[0]
                try:
                    now = dt.datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
                except ValueError:
                    return self._send(400, {"Content-Type": "application/json"}, b'{"error": "at: ISO 8601"}')
                if now is not None and now.tzinfo is None:
                    return self._send(400, {"Content-Type": "application/json"}, b'{"error": "at: with a zone"}')
                done = EventRunner(gateway.app).run_job("case_escalation", now)
                return self._send(200, {"Content-Type": "application/json; charset=utf-8"},
                                  json.dumps({"escalated": done}).encode())
            return self._static(url.path)

        def _static(self, path: str):
            """The built web apps, as CloudFront will serve them: files as they are, and each single-page app's
            index.html for its own client-side routes (/console/... for the console, everything else the app)."""
            root = gateway.web_root
            if root and root.exists():
                target = (root / path.lstrip("/")).resolve()
                if target.is_file() and root.resolve() in target.parents:
                    return self._send(200, _static_headers(target), target.read_bytes())
                spa = root / "console" if path == "/console" or path.startswith("/console/") else root
                index = spa / "index.html"
                if index.exists():
                    return self._send(200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"},
                                      index.read_bytes())
            page = ("<!doctype html><meta charset=utf-8><title>村情通</title><h1>村情通</h1>"
                    "<p>API: <a href=/api/openapi.json>/api/openapi.json</a></p>").encode()
            return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch  # noqa: N815

    server = _Server(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


class _Server(ThreadingHTTPServer):
    # Many clients at once (200 people tapping 报名 together): the default backlog of 5 resets connections.
    request_queue_size = 256


def _cell() -> str:
    """This stack's cell id, as infra/cqt_infra/cells.py names a cell: `{stage}-{region}`."""
    from chalicelib.core.config import settings

    s = settings()
    return f"{s.stage}-{s.region}"


def _directory() -> bytes | None:
    """The local cells' directory, s3://cqt-{stage}-directory/directory.json (devstack/provision.py
    `provision_directory`), as it is stored; None when there is none."""
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings
    from scripts.cell_directory import KEY

    s3 = client("s3")
    try:
        return s3.get_object(Bucket=f"cqt-{settings().stage}-directory", Key=KEY)["Body"].read()
    except (s3.exceptions.NoSuchKey, s3.exceptions.NoSuchBucket):
        return None


def _static_headers(p: Path) -> dict:
    ctype = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
             ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
             ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2",
             ".webmanifest": "application/manifest+json"}.get(p.suffix, "application/octet-stream")
    # Hashed build assets never change; the HTML, the manifest and the service worker must be revalidated.
    immutable = "/assets/" in p.as_posix()
    return {"Content-Type": ctype, "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
