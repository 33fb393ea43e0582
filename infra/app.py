#!/usr/bin/env python3
"""村情通 on AWS: `python infra/app.py` synthesizes every (stage, region) of infra/stages.json into infra/cdk.out/.

Narrow it with CDK context: `cdk synth -c stage=prod -c region=cn-north-1` (or CQT_DEPLOY_STAGE and
CQT_DEPLOY_REGION). Offline: no AWS call is made; `chalice package` needs PyPI only when requirements.txt changed
(see cqt_infra/package.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

INFRA = Path(__file__).resolve().parent
REPO = INFRA.parent
# The script's folder must not shadow the Chalice app: `chalice package` imports the repository's app.py as `app`.
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != INFRA] + [str(INFRA)]
# Node 20 (Debian's) still runs jsii; its end-of-life banner would bury the synthesis output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from cqt_infra import cells as cqt_cells  # noqa: E402
from cqt_infra import config  # noqa: E402
from cqt_infra.directory import DirectoryStack  # noqa: E402
from cqt_infra.stack import CqtStack  # noqa: E402

FEATURE_FLAGS = {
    # S3 server access logs are granted by bucket policy, not by the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def main() -> None:
    # chalice.cdk writes chalice.out/ (package + SAM template) in the working directory; CDK copies what it needs
    # into cdk.out/ while the constructs are built, so a scratch directory is removed afterwards.
    outdir = Path(os.environ.get("CDK_OUTDIR") or INFRA / "cdk.out").resolve()
    scratch = tempfile.mkdtemp(prefix="cqt-chalice-")
    os.chdir(scratch)
    app = cdk.App(outdir=str(outdir), analytics_reporting=False, context=FEATURE_FLAGS)
    stage = app.node.try_get_context("stage") or os.environ.get("CQT_DEPLOY_STAGE") or None
    region = app.node.try_get_context("region") or os.environ.get("CQT_DEPLOY_REGION") or None
    summary = {}
    sites = {}
    # CQT_STAGES_FILE: another stages file (tests synthesize configured China regions with it).
    raw = config.load(Path(REPO, os.environ["CQT_STAGES_FILE"])) if os.environ.get("CQT_STAGES_FILE") else None
    cells: dict = {}
    homes: dict = {}
    for d in config.deployments(raw, stage=stage, region=region):
        os.environ["AWS_DEFAULT_REGION"] = d.region  # chalice package wants a region; nothing is called
        stack = CqtStack(app, d)
        zipped, unzipped = stack.package_sizes
        summary[d.stack_id] = {"stage": d.stage, "region": d.region, "partition": d.partition,
                               "stack_name": d.prefix, "template": stack.template_file,
                               "site": f"{d.stack_id}.site.json",
                               "package_zipped_bytes": zipped, "package_unzipped_bytes": unzipped}
        sites[summary[d.stack_id]["site"]] = config.site(d)
        cell = cqt_cells.of(d)  # every stack is a cell (cqt_infra/cells.py); a directory per stage and partition
        cells[cell.id] = {**cell.__dict__, "stack_id": d.stack_id}
        homes.setdefault((d.stage, d.partition), (d, []))[1].append(cell.id)
    directories = {}
    for (stage_name, partition), (home, cell_ids) in homes.items():
        os.environ["AWS_DEFAULT_REGION"] = home.region
        ds = DirectoryStack(app, home, cell_ids)
        directories[ds.node.id] = {"stage": stage_name, "partition": partition, "region": home.region,
                                   "cells": cell_ids, "template": f"{ds.node.id}.template.json"}
    assembly = app.synth()
    (Path(assembly.directory) / "cqt-cells.json").write_text(json.dumps(cells, indent=2) + "\n")
    (Path(assembly.directory) / "cqt-directories.json").write_text(json.dumps(directories, indent=2) + "\n")
    (Path(assembly.directory) / "cqt-stacks.json").write_text(json.dumps(summary, indent=2) + "\n")
    for name, site in sites.items():  # uploaded as /site.json with the web app (docs/deploy.md)
        (Path(assembly.directory) / name).write_text(json.dumps(site, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chdir(REPO)
    shutil.rmtree(scratch, ignore_errors=True)
    for sid, s in summary.items():
        print(f"{sid}: {s['template']} (package {s['package_zipped_bytes'] / 1e6:.1f} MB zipped, "
              f"{s['package_unzipped_bytes'] / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
