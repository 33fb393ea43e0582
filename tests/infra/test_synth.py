"""`python infra/app.py` synthesizes offline for a global and a China region; cfn-lint and checkov accept it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, TOOLS_VENV, clean_env, resources, run_synth

LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024  # direct upload limit; the package must stay far below it
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def test_synthesizes_every_stage_for_a_global_and_a_china_region(synth):
    partitions = {(s["stage"], s["partition"]) for s in synth.stacks.values()}
    assert {("dev", "aws"), ("dev", "aws-cn"), ("prod", "aws"), ("prod", "aws-cn")} <= partitions
    for path in synth.template_paths():
        assert path.exists()
    print(f"\nsynth of {len(synth.stacks)} stacks: {synth.seconds:.1f} s")


def test_stages_come_from_config_and_context(tmp_path):
    """`-c stage=… -c region=…` (here through CQT_DEPLOY_*) narrows the synthesis without code edits."""
    out = tmp_path / "cdk.out"
    proc = run_synth(out, CQT_DEPLOY_STAGE="prod", CQT_DEPLOY_REGION="cn-north-1")
    assert proc.returncode == 0, proc.stderr[-4000:]
    stacks = json.loads((out / "cqt-stacks.json").read_text())
    assert list(stacks) == ["cqt-prod-cn-north-1"]


def test_arns_are_partition_agnostic(synth):
    for sid, template in synth.templates().items():
        text = json.dumps(template)
        assert not re.search(r"arn:aws(-cn)?:", text), f"{sid}: literal partition in an ARN"
        assert "${AWS::Partition}" in text or '"AWS::Partition"' in text


def test_deployment_package_leaves_the_sdk_to_the_runtime(synth):
    for sid, s in synth.stacks.items():
        assert 0 < s["package_zipped_bytes"] < 15 * 1024 * 1024, sid
        assert s["package_unzipped_bytes"] < LAMBDA_UNZIPPED_LIMIT, sid
    template = synth.template(next(iter(synth.stacks)))
    key = template["Resources"]["APIHandler"]["Properties"]["CodeUri"]["Key"]
    with zipfile.ZipFile(synth.outdir / f"asset.{key}") as z:
        tops = {n.split("/", 1)[0] for n in z.namelist()}
    assert "app.py" in tops and "chalicelib" in tops and "pynamodb" in tops
    for provided in ("boto3", "botocore", "s3transfer"):
        assert not any(t == provided or t.startswith(provided + "-") for t in tops), provided
    assert not {"devstack", "tests", "web", "infra"} & tops
    assert "rjieba" not in tops  # in the segmentation layer, attached to the stream function only
    fns = {**resources(template, "AWS::Serverless::Function"), **resources(template, "AWS::Lambda::Function")}
    layered = {k for k, f in fns.items() if f["Properties"].get("Layers")}
    assert layered == {"OnSubmissionsChange"}, layered
    (layer,) = resources(template, "AWS::Lambda::LayerVersion").values()
    with zipfile.ZipFile(synth.outdir / f"asset.{layer['Properties']['Content']['S3Key']}") as z:
        assert "python/rjieba/__init__.py" in z.namelist()


def _runtime_like_pythonpath(package_dir: Path, tmp_path: Path) -> list[str]:
    """The package plus only what the python3.11 Lambda runtime adds (boto3 and its dependencies)."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3"):
        (runtime / name).symlink_to(site / name)
    return [str(package_dir), str(runtime)]


def test_package_imports_in_a_lambda_like_environment(synth, tmp_path):
    template = synth.template(next(iter(synth.stacks)))
    key = template["Resources"]["APIHandler"]["Properties"]["CodeUri"]["Key"]
    pkg = tmp_path / "task"
    with zipfile.ZipFile(synth.outdir / f"asset.{key}") as z:
        z.extractall(pkg)
    paths = _runtime_like_pythonpath(pkg, tmp_path)
    code = f"import sys; sys.path[:0] = {paths!r}; import app; print(app.app.app_name)"
    env = clean_env(AWS_LAMBDA_FUNCTION_NAME="cqt-dev-api-handler", AWS_REGION="ap-east-1", CQT_STAGE="dev",
                    AWS_EXECUTION_ENV="AWS_Lambda_python3.11")
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_cfn_lint_finds_no_errors(synth):
    """Each template is checked against its own region's resource specification (cfn-lint knows, for example,
    that CloudFront origin access control and CloudFront Functions do not exist in cn-north-1)."""
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    by_region: dict[str, list[str]] = {}
    for s in synth.stacks.values():
        by_region.setdefault(s["region"], []).append(str(synth.outdir / s["template"]))
    started = time.monotonic()
    for region, paths in sorted(by_region.items()):
        proc = subprocess.run([str(cfn_lint), "--regions", region, "--", *paths], capture_output=True, text=True,
                              timeout=600, env=clean_env())
        # cfn-lint's exit code is a bit field: 2 errors, 4 warnings, 8 informational. Only errors fail.
        assert proc.returncode & 3 == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    print(f"\ncfn-lint: {time.monotonic() - started:.1f} s for {len(synth.stacks)} templates")


@pytest.fixture(scope="session")
def checkov(synth):
    binary = TOOLS_VENV / "bin" / "checkov"
    assert binary.exists(), "checkov lives in its own virtualenv: run `make infra-tools` (make test does)"
    started = time.monotonic()
    proc = subprocess.run([str(binary), "--directory", str(synth.outdir), "--framework", "cloudformation",
                           "--skip-download", "--output", "json", "--compact"],
                          capture_output=True, text=True, timeout=900,
                          env=clean_env(BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false"))
    seconds = time.monotonic() - started
    assert proc.returncode in (0, 1), proc.stderr[-4000:]
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return seconds, reports


def test_checkov_has_no_failed_checks(checkov):
    seconds, reports = checkov
    failed = [(c["check_id"], c["resource"], Path(c["file_path"]).name)
              for r in reports for c in r["results"]["failed_checks"]]
    passed = sum(r["summary"]["passed"] for r in reports)
    print(f"\ncheckov: {seconds:.1f} s, {passed} passed, {len(failed)} failed")
    assert reports and passed > 0
    assert not failed, "\n".join(map(str, failed))


def test_every_checkov_skip_is_written_next_to_its_resource_with_a_reason(synth, checkov):
    _, reports = checkov
    skipped = {(c["check_id"], c["resource"].split(".", 1)[1]) for r in reports
               for c in r["results"]["skipped_checks"]}
    assert skipped, "expected the documented skips (no VPC, synchronous invocations...)"
    declared = set()
    for path in synth.outdir.glob("*.template.json"):  # the cells' stacks and the directories (test_cells.py)
        for logical_id, res in json.loads(path.read_text())["Resources"].items():
            for s in (res.get("Metadata") or {}).get("checkov", {}).get("skip", []):
                assert len(s.get("comment", "")) > 30, f"{logical_id} {s['id']}: the reason must be written out"
                declared.add((s["id"], logical_id))
    assert skipped <= declared  # nothing skipped by a global flag or a config file
    documented = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for check_id in {c for c, _ in skipped}:
        assert check_id in documented, f"{check_id} is skipped but docs/deploy.md does not list it"


def test_china_and_global_differ_only_where_the_services_do(synth):
    _, cn = synth.one("prod", china=True)
    _, glob = synth.one("prod", china=False)
    assert resources(glob, "AWS::CloudFront::OriginAccessControl")
    assert not resources(cn, "AWS::CloudFront::OriginAccessControl")  # not in the China regions: OAI there
    assert resources(cn, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    assert not resources(cn, "AWS::CloudFront::Function")
    assert not any("Cognito" in r["Type"] for t in (cn, glob) for r in t["Resources"].values())
    env = lambda t: t["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]  # noqa: E731
    assert env(cn)["CQT_SMS_SENDER"] != "sns"  # no SNS SMS in Beijing/Ningxia
    assert env(glob)["CQT_SMS_SENDER"] == "sns"
    for t in (cn, glob):  # an HTTP API is regional (there is no EDGE endpoint in China); CloudFront fronts it
        assert [r["Properties"]["ProtocolType"] for r in resources(t, "AWS::ApiGatewayV2::Api").values()] == ["HTTP"]
