"""Cells (issue 13, point 7): N counties a cell from the quotas it depends on, checked at synthesis; every stack is a
cell; a directory stack per stage and partition."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import pytest
from cqt_infra import cells, config

from chalicelib.core.throttle import sized_limit

from .conftest import ROOT, clean_env, only, resources, run_synth


def _prod(region: str = "ap-east-1", **over) -> config.Deployment:
    raw = config.load()
    raw["stages"]["prod"]["regions"][region].update(over)
    return config.deployments(raw, stage="prod", region=region)[0]


def test_the_peak_writes_a_household_are_the_benchmarks():
    """PEAK_WRITES_PER_HOUSEHOLD is bench/results/hot_partitions.md's assumed peaks: Σ rate × partitions written."""
    text = (ROOT / "bench/results/hot_partitions.md").read_text(encoding="utf-8")
    section = text.split("## Assumed peak request rates")[1]
    households = int(re.search(r"\((\d[\d,]*)-household county\)", text.split("## Assumed peak")[1]).group(1)
                     .replace(",", ""))
    rows = re.findall(r"^\| (?:GET|POST|PUT|PATCH|DELETE) \| `[^`]*` \| ([\d.]+) \|.*\| (\d+) \|$", section, re.M)
    assert len(rows) > 40
    writes = sum(float(rate) * int(n) for rate, n in rows)
    assert pytest.approx(writes / households, rel=1e-6) == cells.PEAK_WRITES_PER_HOUSEHOLD


def test_n_is_the_smallest_bound_of_the_quotas():
    d = _prod()
    longyou, small = cells.bounds(d, 130_000), cells.bounds(d, 20_000)
    # Lambda: 1,000 − 100 unreserved − the other functions' 59 (signin 10, authorizer 20, rotation 1, 4 × 5, the
    # fan-outs of the notices' SMS, the volunteer calls' broadcast, the job alerts, the interview channels' sweep,
    # the quality roll-up, the insights roll-up and the data retention, and the lectures' transcoding events, 1 each).
    assert cells.api_reservable(d) == 841
    assert longyou == {"lambda_concurrency": 64,  # 8,410 requests a second / 130
                       "configured_api_reserved_concurrency": 3,  # 500 / 130
                       "http_api_account_throttle": 76,  # 10,000 / 130
                       "configured_api_throttle": 3,
                       "dynamodb_table_wcu": 10}  # 40,000 / (130,000 × 0.01425 × 2 = 3,705)
    assert cells.counties_per_cell(d, 130_000) == 3
    assert cells.counties_per_cell(d, 130_000, configured=False) == 10
    assert cells.counties_per_cell(d, 20_000) == 25 == small["configured_api_reserved_concurrency"]
    assert cells.counties_per_cell(d, 20_000, configured=False) == 70 == small["dynamodb_table_wcu"]
    # More reserved concurrency holds more counties, up to the quotas.
    bigger = _prod(reserved_concurrency={"api_handler": 800}, api_throttle={"rate": 8000, "burst": 10000})
    assert cells.counties_per_cell(bigger, 130_000) == 10  # now DynamoDB's per-table throughput binds
    assert cells.counties_per_cell(bigger, 1_000_000) == 1  # a big county: its 1,000/s limit, its writes
    assert sized_limit(1_000_000) == 1000


def test_the_cells_of_the_stages():
    found = {c.id: c for c in cells.cells()}
    assert set(found) == {f"{d.stage}-{d.region}" for d in config.deployments()}
    prod_cn = found["prod-cn-north-1"]
    assert (prod_cn.partition, prod_cn.max_counties, prod_cn.reserved, prod_cn.default_limit) == ("aws-cn", 3, 50, 130)
    assert found["dev-ap-east-1"].max_counties == 1  # dev: 20,000-household counties, a 20/s stage throttle
    assert [c.id for c in cells.cells(stage="prod", partition="aws-cn")] == ["prod-cn-north-1"]
    with_domain = cells.of(_prod(region="cn-north-1", web_pending=False, web_domain="cqt.example.cn",
                                 web_certificate="ASCACKCEVSQ6C2EXAMPLE", icp_recordal="浙ICP备12345678号-1"))
    assert (with_domain.web_url, with_domain.api_url) == ("https://cqt.example.cn", "https://cqt.example.cn/api")


def test_max_counties_over_n_is_refused():
    assert cells.of(_prod(max_counties=2)).max_counties == 2
    with pytest.raises(ValueError, match=r"max_counties 4 is more than the 3 counties of 130,000 households.*"
                                         r"configured_api_reserved_concurrency 3"):
        _prod(max_counties=4)
    with pytest.raises(ValueError, match="cell_county_households"):
        _prod(cell_county_households=0)


def test_the_synthesis_refuses_a_cell_planned_over_n(tmp_path):
    raw = copy.deepcopy(config.load())
    raw["stages"]["prod"]["regions"]["ap-east-1"]["max_counties"] = 12
    raw["stages"]["prod"]["regions"]["ap-east-1"]["reserved_concurrency"] = {"api_handler": 800}
    raw["stages"]["prod"]["regions"]["ap-east-1"]["api_throttle"] = {"rate": 8000, "burst": 10000}
    stages = tmp_path / "stages.json"
    stages.write_text(json.dumps(raw), encoding="utf-8")
    proc = run_synth(tmp_path / "cdk.out", CQT_STAGES_FILE=str(stages), CQT_DEPLOY_STAGE="prod")
    assert proc.returncode != 0
    assert "cqt-prod-ap-east-1: max_counties 12 is more than the 10 counties" in proc.stderr
    assert "dynamodb_table_wcu 10" in proc.stderr


def test_every_stack_is_a_cell_with_its_reserved_concurrency(synth):
    listed = json.loads((synth.outdir / "cqt-cells.json").read_text())
    assert {c["stack_id"] for c in listed.values()} == set(synth.stacks)
    for d in config.deployments():
        c = listed[cells.cell_id(d)]
        assert (c["stage"], c["region"], c["partition"], c["max_counties"]) == (
            d.stage, d.region, d.partition, cells.max_counties(d))
        template = synth.template(d.stack_id)
        functions = {**resources(template, "AWS::Lambda::Function"), **resources(template, "AWS::Serverless::Function")}
        reserved = sum(r["Properties"].get("ReservedConcurrentExecutions", 0) for r in functions.values())
        assert len([f for f in functions.values() if "ReservedConcurrentExecutions" in f["Properties"]]) == len(
            cells.FUNCTIONS)
        assert reserved == cells.reserved_total(d), "cells.FUNCTIONS must name every function of the stack"


def test_a_directory_stack_per_stage_and_partition(synth):
    directories = json.loads((synth.outdir / "cqt-directories.json").read_text())
    assert set(directories) == {"cqt-dev-directory-aws", "cqt-dev-directory-aws-cn", "cqt-prod-directory-aws",
                                "cqt-prod-directory-aws-cn"}
    assert directories["cqt-prod-directory-aws-cn"]["cells"] == ["prod-cn-north-1"]
    assert directories["cqt-prod-directory-aws-cn"]["region"] == "cn-north-1"
    for name, info in directories.items():
        template = json.loads((synth.outdir / info["template"]).read_text())
        _, bucket = only(template, "AWS::S3::Bucket")
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block[k] for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                      "RestrictPublicBuckets"))
        assert set(template["Outputs"]) >= {"DirectoryBucketName", "DirectoryUrl"}
        assert "directory.json" in json.dumps(template["Outputs"]["DirectoryUrl"])
        china = info["partition"] == "aws-cn"
        assert bool(resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")) == china
        assert bool(resources(template, "AWS::CloudFront::OriginAccessControl")) == (not china)
        # Every cell's web app reads it from the browser (web/shared/cells.js): CORS, any origin, no credentials.
        _, policy = only(template, "AWS::CloudFront::ResponseHeadersPolicy")
        cors = policy["Properties"]["ResponseHeadersPolicyConfig"]["CorsConfig"]
        assert cors["AccessControlAllowOrigins"]["Items"] == ["*"] and cors["AccessControlAllowCredentials"] is False
        assert cors["AccessControlAllowMethods"]["Items"] == ["GET", "HEAD"]
        _, dist = only(template, "AWS::CloudFront::Distribution")
        assert dist["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
        # Nothing but the bucket, its policy and the distribution: no function, no table.
        assert not resources(template, "AWS::Lambda::Function") and not resources(template, "AWS::DynamoDB::Table")
        text = json.dumps(template)
        assert ("arn:aws:" not in text) and ("arn:aws-cn:" not in text), f"{name}: ARNs must be partition-agnostic"


def test_cfn_lint_accepts_the_directory_stacks(synth):
    cfn_lint = __import__("pathlib").Path(sys.executable).parent / "cfn-lint"
    directories = json.loads((synth.outdir / "cqt-directories.json").read_text())
    for info in directories.values():
        proc = subprocess.run([str(cfn_lint), "--regions", info["region"], "--", str(synth.outdir / info["template"])],
                              capture_output=True, text=True, timeout=600, env=clean_env())
        assert proc.returncode & 3 == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def test_the_china_directory_stacks_use_only_allowed_services_of_both_china_regions(synth):
    from cqt_infra.services import STACK_SERVICES

    from .test_china import _china_resource_types, _deployed_types

    available = _china_resource_types()
    directories = json.loads((synth.outdir / "cqt-directories.json").read_text())
    for name, info in directories.items():
        if info["partition"] != "aws-cn":
            continue
        types = _deployed_types(json.loads((synth.outdir / info["template"]).read_text()))
        for region, offered in available.items():
            assert not types - offered, f"{name}: not in {region}: {sorted(types - offered)}"
        assert {t.split("::")[1] for t in types} <= STACK_SERVICES
