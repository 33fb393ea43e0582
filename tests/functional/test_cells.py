"""Onboarding places a county in a cell with room (scripts/onboard_county.py) on the embedded AWS.

Two cells are modelled locally as two stages of the embedded AWS (their own tables, key and secrets, provisioned as
`make run` provisions the local stage), reached as a deployed cell is: the script's worker runs in a child process
with the cell's CQT_STAGE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import boto3
import pytest

from tests.conftest import ROOT, new_county_code, new_phone

sys.path.insert(0, str(ROOT / "infra"))

from cqt_infra.cells import Cell  # noqa: E402

from devstack.aws import tenant_role_arn  # noqa: E402
from scripts import cell_directory as directory  # noqa: E402
from scripts import onboard_county  # noqa: E402

REGION = "cn-north-1"


def _env(stage: str) -> dict:
    env = dict(os.environ)
    env.update({"CQT_STAGE": stage, "CQT_TENANT_ROLE_ARN": tenant_role_arn(stage, REGION)})
    return env


@pytest.fixture(scope="module")
def stages(aws):
    """Two fresh stages on the embedded AWS: the cells' own tables, PII key and secrets."""
    names = [f"cell{uuid.uuid4().hex[:6]}a", f"cell{uuid.uuid4().hex[:6]}b"]
    for stage in names:
        aws.ensure_kms_key(f"alias/cqt-{stage}-pii")
        proc = subprocess.run([sys.executable, "-c", "from devstack.provision import provision; provision()"],
                              cwd=ROOT, env=_env(stage), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return names


@pytest.fixture
def bucket(aws):
    name = f"cqt-test-directory-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def cell(stage: str, max_counties: int = 10, reserved: int = 50) -> Cell:
    return Cell(id=f"{stage}-{REGION}", stage=stage, region=REGION, partition="aws-cn", max_counties=max_counties,
                reserved=reserved, request_ms=100, default_limit=20, web_url=f"https://{stage}.example.cn")


def request() -> dict:
    code = new_county_code()
    return {"code": code, "name": f"测试{code[-4:]}县", "admin_phone": new_phone(), "admin_name": "王管理",
            "modules": None, "contact": None}


def held(stage: str, code: str) -> dict:
    """What the cell itself holds (its own tables, read by the script's worker)."""
    return onboard_county.run_in_cell(cell(stage), "inspect", {"code": code}, _env(stage))


def place(req, cells, bucket, **kw):
    return onboard_county.place(req, cells, boto3.client("s3"), bucket, lambda c: _env(c.stage), **kw)


def test_the_first_cell_full_the_second_is_chosen_and_a_rerun_changes_nothing(stages, bucket):
    a, b = stages
    cells = [cell(a, max_counties=1), cell(b, max_counties=1)]
    first, second = request(), request()

    p1 = place(first, cells, bucket, households=130_000)
    assert (p1.outcome, p1.cell) == ("created", f"{a}-{REGION}")
    p2 = place(second, cells, bucket)
    assert (p2.outcome, p2.cell) == ("created", f"{b}-{REGION}")

    # Each county is in its cell's own tables, and only there; the first with its sized limit.
    in_a, in_b = held(a, second["code"]), held(b, second["code"])
    assert in_a["limits"] == {first["code"]: 130} and not in_a["has"]
    assert in_b["limits"] == {second["code"]: None} and in_b["has"]

    s3 = boto3.client("s3")
    entries, etag = directory.read(s3, bucket)
    assert entries == {
        first["code"]: {"cell": f"{a}-{REGION}", "region": REGION, "partition": "aws-cn", "name": first["name"],
                        "web": f"https://{a}.example.cn", "api": f"https://{a}.example.cn/api"},
        second["code"]: {"cell": f"{b}-{REGION}", "region": REGION, "partition": "aws-cn", "name": second["name"],
                         "web": f"https://{b}.example.cn", "api": f"https://{b}.example.cn/api"},
    }
    obj = s3.get_object(Bucket=bucket, Key=directory.KEY)
    assert obj["ContentType"].startswith("application/json") and "max-age=300" in obj["CacheControl"]

    again = place(second, cells, bucket)
    assert (again.outcome, again.cell) == ("unchanged", f"{b}-{REGION}")
    assert directory.read(s3, bucket) == (entries, etag)  # not rewritten
    assert held(a, second["code"])["limits"] == in_a["limits"] and held(b, second["code"])["limits"] == in_b["limits"]


def test_a_county_a_cell_holds_but_the_directory_lacks_is_only_listed(stages, bucket):
    a, b = stages
    req = request()
    onboard_county.run_in_cell(cell(b), "create", {**req, "rate_limit": None}, _env(b))  # a run stopped here

    p = place(req, [cell(a), cell(b)], bucket)
    assert (p.outcome, p.cell) == ("listed", f"{b}-{REGION}")
    assert not held(a, req["code"])["has"]
    assert directory.lookup(boto3.client("s3"), bucket, req["code"])["cell"] == f"{b}-{REGION}"


def test_no_cell_with_room_is_refused_and_nothing_is_written(stages, bucket):
    a, b = stages
    counts = {s: len(held(s, "000000")["limits"]) for s in stages}
    full = cell(a, max_counties=counts[a])
    # b has count room but no headroom: 1 container serves 10 requests a second, under a 20/s county.
    starved = cell(b, max_counties=counts[b] + 5, reserved=1)
    req = request()
    with pytest.raises(onboard_county.NoRoom) as refused:
        place(req, [full, starved], bucket)
    message = str(refused.value)
    assert "add a cell in infra/stages.json" in message.lower()
    assert f"{a}-{REGION}: full ({counts[a]} of max_counties {counts[a]})" in message
    assert f"{b}-{REGION}: the counties' limits add up to" in message and "reserved concurrency (1)" in message
    assert directory.read(boto3.client("s3"), bucket) == ({}, None)
    assert not held(a, req["code"])["has"] and not held(b, req["code"])["has"]


def test_invalid_input_is_refused_like_post_counties(stages, bucket):
    a, _ = stages
    req = {**request(), "code": "999999"}  # not a national division code
    with pytest.raises(SystemExit) as refused:
        place(req, [cell(a)], bucket)
    assert str(refused.value).startswith("refused: code")
    assert directory.read(boto3.client("s3"), bucket) == ({}, None)


def test_mainland_counties_stay_in_china(stages, bucket):
    a, _ = stages
    outside = Cell(**{**cell(a).__dict__, "id": "x-ap-east-1", "region": "ap-east-1", "partition": "aws"})
    with pytest.raises(SystemExit, match="mainland"):
        place(request(), [outside], bucket)
    with pytest.raises(ValueError, match="mainland"):
        directory.put(boto3.client("s3"), bucket, "330825", directory.entry("x", "ap-east-1", "https://x", "龙游县"))


def test_a_concurrent_directory_write_is_not_lost(bucket, monkeypatch):
    s3 = boto3.client("s3")
    directory.put(s3, bucket, "330825", directory.entry("c1", REGION, "https://c1", "龙游县"))
    _, stale = directory.read(s3, bucket)
    directory.put(s3, bucket, "330824", directory.entry("c1", REGION, "https://c1", "开化县"))
    original = directory.read

    def stale_read(client, name):  # a second operator read before the write above
        entries, _ = original(client, name)
        return {k: v for k, v in entries.items() if k != "330824"}, stale

    monkeypatch.setattr(directory, "read", stale_read)
    with pytest.raises(directory.DirectoryConflict):
        directory.put(s3, bucket, "330881", directory.entry("c1", REGION, "https://c1", "江山市"))
    monkeypatch.undo()
    assert set(directory.read(s3, bucket)[0]) == {"330825", "330824"}
    assert json.loads(s3.get_object(Bucket=bucket, Key=directory.KEY)["Body"].read())["counties"]["330824"]


def test_locally_the_one_stack_is_the_only_cell_and_lists_the_demo_county(aws):
    from devstack.provision import provision_directory

    bucket = provision_directory({"330825": "龙游县"}, "http://127.0.0.1:8000")
    s3 = boto3.client("s3")
    entries, etag = directory.read(s3, bucket)
    assert entries["330825"] == {"cell": "local-cn-north-1", "region": REGION, "partition": "aws-cn",
                                 "web": "http://127.0.0.1:8000", "api": "http://127.0.0.1:8000/api", "name": "龙游县"}
    assert provision_directory({"330825": "龙游县"}, "http://127.0.0.1:8000") == bucket
    assert directory.read(s3, bucket) == (entries, etag)  # `make run` again: nothing rewritten
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4  # private, as the DirectoryStack's bucket


def test_the_command_places_a_county_in_the_stage_s_cells_from_stages_json(aws, bucket, monkeypatch, capsys):
    """`scripts/onboard_county.py --stage prod`: the cells are infra/stages.json's (prod's one China cell here, its
    `web_domain` pending, so its address is given), modelled by a `prod` stage on the embedded AWS."""
    aws.ensure_kms_key("alias/cqt-prod-pii")
    proc = subprocess.run([sys.executable, "-c", "from devstack.provision import provision; provision()"],
                          cwd=ROOT, env=_env("prod"), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    monkeypatch.setenv("CQT_TENANT_ROLE_ARN", tenant_role_arn("prod", REGION))
    req = request()
    argv = [req["code"], "--stage", "prod", "--name", req["name"], "--admin-phone", req["admin_phone"],
            "--admin-name", req["admin_name"], "--households", "130000", "--directory-bucket", bucket]
    with pytest.raises(onboard_county.NoRoom, match="prod-cn-north-1: no web URL yet"):
        onboard_county.main(argv)
    onboard_county.main([*argv, "--url", "prod-cn-north-1=https://cqt.example.cn"])
    assert capsys.readouterr().out.strip().endswith(
        f"{req['code']}: created in cell prod-cn-north-1 (https://cqt.example.cn)")
    assert held("prod", req["code"])["limits"][req["code"]] == 130
    assert directory.lookup(boto3.client("s3"), bucket, req["code"])["api"] == "https://cqt.example.cn/api"
    with pytest.raises(SystemExit, match="mainland"):
        onboard_county.main([*argv, "--partition", "aws"])
