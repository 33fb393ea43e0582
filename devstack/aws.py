"""The embedded AWS: moto's server, in-process on 127.0.0.1, with local data that survives restarts.

Durability: moto's request recorder appends every request that changes state to `<data>/recording.jsonl` before
handling it (one write of the whole line, see moto_patches.durable_recorder: it reaches the kernel before the
answer is sent, so a `kill -9` loses no acknowledged request; it is not fsynced); a restart replays that log into
the fresh server, after dropping a last line torn by a kill in the middle of writing it. KMS keys are the one thing
a replay cannot recreate (moto draws a random key id and key material), so the local PII key is kept in
`<data>/kms-key.json` and put back into the in-process KMS backend before the replay; KMS admin calls are never
recorded.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from pathlib import Path

ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure_env(port: int, stage: str = "local", region: str = "cn-north-1") -> str:
    """Point every AWS SDK call of this process (and its children) at the embedded AWS."""
    url = f"http://127.0.0.1:{port}"
    os.environ.update({
        "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "CQT_STAGE": stage,
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "cunqingtong",
        "POWERTOOLS_METRICS_NAMESPACE": "Cunqingtong", "MOTO_ALLOW_NONEXISTENT_REGION": "true",
        # The tenant fence is on, as deployed (chalicelib/core/fence.py; devstack/moto_patches.py enforces the role).
        "CQT_TENANT_ROLE_ARN": tenant_role_arn(stage, region),
    })
    os.environ.pop("AWS_PROFILE", None)
    return url


def tenant_role_arn(stage: str, region: str) -> str:
    """The TenantDataRole's ARN as infra/cqt_infra/stack.py names it (moto assumes a role without it existing)."""
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    return f"arn:{partition}:iam::{ACCOUNT}:role/cqt-{stage}-tenant-data-{region}"


class EmbeddedAws:
    def __init__(self, port: int | None = None, data_dir: str | None = None, region: str = "cn-north-1"):
        self.port = port or free_port()
        self.data_dir = Path(data_dir) if data_dir else None
        self.region = region
        self.server = None

    @property
    def recording(self) -> Path | None:
        return self.data_dir / "recording.jsonl" if self.data_dir else None

    def start(self) -> bool:
        """Start the server; return True if existing local data was restored."""
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            os.environ["MOTO_RECORDER_FILEPATH"] = str(self.recording)
        from moto.moto_api import recorder
        from moto.server import ThreadedMotoServer

        from .moto_patches import (
            REPLAYING,
            durable_recorder,
            fast_transactions,
            remember_tenant_sessions,
            s3_post_policy,
            tenant_fence,
        )

        fast_transactions()
        s3_post_policy()
        tenant_fence()
        if self.data_dir:
            remember_tenant_sessions(str(self.data_dir / "tenant-sessions.jsonl"))
        durable_recorder()
        recorder.stop_recording()
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        restored = False
        if self.recording and self.recording.exists() and self.recording.stat().st_size > 0:
            self._restore_kms()
            _drop_torn_tail(self.recording)
            REPLAYING.set()
            try:
                self._replay()
            finally:
                REPLAYING.clear()
            restored = True
        return restored

    def record(self) -> None:
        if self.recording:
            from moto.moto_api import recorder

            recorder.start_recording()

    def pause_recording(self) -> None:
        from moto.moto_api import recorder

        recorder.stop_recording()

    def stop(self) -> None:
        if self.server:
            self.pause_recording()
            self.server.stop()

    def _replay(self) -> None:
        """moto's replay_recording, on one keep-alive connection, leaving out requests that changed nothing (a
        recording made before they were left out of it still has them)."""
        import base64
        from urllib.parse import urlsplit

        import requests

        from .moto_patches import read_only

        base = f"http://127.0.0.1:{self.port}"
        with requests.Session() as http, open(self.recording, "rb") as f:
            for line in f:
                entry = json.loads(line)
                headers = entry.get("headers") or {}
                if read_only(entry["method"], headers):
                    continue
                if headers.get("Transfer-Encoding", "") == "chunked":
                    del headers["Transfer-Encoding"]
                body = base64.b64decode(entry["body"]) if entry.get("body_encoded") else entry.get("body", "{}")
                url = urlsplit(entry["url"])
                http.request(entry["method"], base + url.path + (f"?{url.query}" if url.query else ""),
                             headers=headers, data=body)

    # --- KMS --------------------------------------------------------------------------------------------------
    def _kms_backend(self):
        from moto.kms.models import kms_backends

        return kms_backends[ACCOUNT][self.region]

    def ensure_kms_key(self, alias: str) -> str:
        """Create (or restore) the PII key under `alias`, outside the recording."""
        backend = self._kms_backend()
        saved = self.data_dir / "kms-key.json" if self.data_dir else None
        for key in backend.keys.values():
            if alias in key.aliases:
                return key.id
        key = backend.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "cunqingtong local PII key", None)
        if saved and saved.exists():
            data = json.loads(saved.read_text())
            backend.keys.pop(key.id)
            key.id = data["id"]
            key.arn = key.arn.rsplit("/", 1)[0] + "/" + data["id"]
            key.key_material = base64.b64decode(data["material"])
            backend.keys[key.id] = key
        elif saved:
            saved.write_text(json.dumps({"id": key.id, "material": base64.b64encode(key.key_material).decode()}))
            os.chmod(saved, 0o600)
        backend.create_alias(key.id, alias)
        return key.id

    def _restore_kms(self) -> None:
        from chalicelib.core.config import settings

        self.ensure_kms_key(settings().pii_key_id)


def _drop_torn_tail(path: Path) -> None:
    """A kill -9 in the middle of a write can leave half a line: keep every complete entry."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])
