"""Synthesize the CDK app once per session (in a subprocess, as `python infra/app.py` runs) and share the templates.

The subprocess gets a clean environment: the test session points AWS SDKs at moto and sets CQT_* for the local
stack, none of which belongs in a synthesis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TOOLS_VENV = ROOT / ".venv-infra"
sys.path.insert(0, str(INFRA))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # cqt_infra imports aws_cdk (jsii)


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "CQT_", "POWERTOOLS_", "MOTO_", "CDK_", "BC_", "CHECKOV_"))}
    env.update(extra)
    return env


class Synth:
    def __init__(self, outdir: Path, seconds: float, output: str):
        self.outdir = outdir
        self.seconds = seconds
        self.output = output
        self.stacks: dict = json.loads((outdir / "cqt-stacks.json").read_text())

    def template(self, stack_id: str) -> dict:
        return json.loads((self.outdir / self.stacks[stack_id]["template"]).read_text())

    def templates(self) -> dict[str, dict]:
        return {sid: self.template(sid) for sid in self.stacks}

    def template_paths(self) -> list[Path]:
        return [self.outdir / s["template"] for s in self.stacks.values()]

    def one(self, stage: str, china: bool) -> tuple[str, dict]:
        for sid, s in self.stacks.items():
            if s["stage"] == stage and (s["partition"] == "aws-cn") == china:
                return sid, self.template(sid)
        raise LookupError(f"no {stage} stack {'in' if china else 'outside'} China")


def run_synth(outdir: Path, **env: str) -> subprocess.CompletedProcess:
    """`python infra/app.py` into `outdir`, one at a time on this machine: chalice rewrites its cached package in
    .chalice/deployments in place (injecting the app's latest files), so two at once (the test workers) could read
    a half-written zip."""
    import fcntl

    lock = ROOT / ".chalice" / "synth.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        return subprocess.run([sys.executable, str(INFRA / "app.py")], cwd=ROOT, capture_output=True, text=True,
                              env=clean_env(CDK_OUTDIR=str(outdir), **env), timeout=600)


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    outdir = tmp_path_factory.mktemp("cdk") / "cdk.out"
    started = time.monotonic()
    proc = run_synth(outdir)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, f"synth failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    return Synth(outdir, seconds, proc.stdout)


def resources(template: dict, type_: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def only(template: dict, type_: str, **props) -> tuple[str, dict]:
    found = [(k, v) for k, v in resources(template, type_).items()
             if all(v["Properties"].get(p) == want for p, want in props.items())]
    assert len(found) == 1, f"expected one {type_} with {props}, found {[k for k, _ in found]}"
    return found[0]
