"""Onboard a county: place it in a cell of the stage with room, create it there, and list it in the directory.

    CQT_DIRECTORY_BUCKET=… python scripts/onboard_county.py --stage prod 330825 --name 龙游县 \\
        --admin-phone 138… --admin-name 张三 --households 130000 [--modules …] [--contact …] \\
        [--url prod-cn-north-1=https://cqt.example.cn] [--profile prod-cn-north-1=cqt-prod-cn]

Cells are the stage's stacks in the partition (infra/stages.json; infra/cqt_infra/cells.py), tried in the order the
file lists them. A cell has room when it holds fewer than its `max_counties` and the counties' request limits, the
new one's included (`throttle.sized_limit(--households)`, else the stage's default), stay within what its API
function's reserved concurrency serves (throttle.check_headroom). The county is created in the first cell with room
by the cell's own code (tenants.service.onboard, what `POST /api/counties` does, with the same validation), run
against that cell (CQT_STAGE, AWS_REGION and the cell's AWS profile) in a child process, one per cell; then its
directory entry is written (scripts/cell_directory.py). No cell with room: refused, nothing written ("add a cell in
infra/stages.json"). Idempotent: a county already in the directory is left as it is; one that a cell already holds
(a run stopped before its directory write) is only listed.

Mainland counties are placed in AWS China cells only (`--partition aws-cn`, the default).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "infra"))

from scripts import cell_directory as directory  # noqa: E402


class NoRoom(SystemExit):
    pass


@dataclass
class Placement:
    outcome: str  # created | listed (a cell already held it) | unchanged (already in the directory)
    cell: str
    entry: dict


def _worker(op: str) -> None:
    """In the child process, against one cell: `inspect` (its counties and their limits, whether it holds the
    county) or `create` (onboard the county as POST /api/counties does)."""
    request = json.loads(sys.stdin.read())
    from chalicelib import manifests
    from chalicelib.core import counties
    from chalicelib.core.counties import County

    manifests.register()  # the module catalogue (a new county's default modules)
    if op == "inspect":
        limits = {c.code: c.rate_limit for c in County.gsi1.query(County.list_key())}
        print(json.dumps({"limits": limits, "has": counties.get(request["code"], fresh=True) is not None}))
        return
    from pydantic import ValidationError

    from chalicelib.core.db import PLATFORM
    from chalicelib.core.errors import Conflict
    from chalicelib.core.tenancy import PLATFORM_OPERATOR, Grant, TenantContext
    from chalicelib.tenants import service
    from chalicelib.tenants.schemas import OnboardCounty

    try:
        body = OnboardCounty.model_validate({k: v for k, v in request.items() if k != "rate_limit"})
    except ValidationError as e:
        print(json.dumps({"error": "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())}))
        return
    ctx = TenantContext(tenant_id=PLATFORM, user_id="onboard-script", identity="",
                        grants=(Grant(PLATFORM_OPERATOR, "*"),))
    try:
        county = service.onboard(ctx, body.code, body.name, body.admin_phone, body.admin_name, body.modules,
                                 body.contact)
        created = True
    except Conflict as e:
        county, created = counties.get(body.code, fresh=True), False
        if county is None:  # not the county that exists: what POST /counties answers with 409
            print(json.dumps({"error": f"{e.code}: {e.message}"}))
            return
    if request.get("rate_limit") and county.rate_limit != request["rate_limit"]:
        county.rate_limit = request["rate_limit"]
        county.save()
    print(json.dumps({"created": created}))


def run_in_cell(cell, op: str, request: dict, env: dict) -> dict:
    """Run the worker against `cell` with `env` (the cell's stage, region and credentials)."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", op],  # noqa: S603 - ours
                          input=json.dumps(request), capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"cell {cell.id}: {op} failed:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in out:
        raise SystemExit(f"refused: {out['error']}")
    return out


def cell_env(cell, profile: str | None = None, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env.update({"CQT_STAGE": cell.stage, "AWS_REGION": cell.region, "AWS_DEFAULT_REGION": cell.region})
    if profile:
        env["AWS_PROFILE"] = profile
    return env


def place(request: dict, cells: list, s3, bucket: str, env_for, households: int | None = None) -> Placement:
    """Place the county of `request` (OnboardCounty's fields) in the first of `cells` with room; see the module's
    docstring. `env_for(cell)`: the environment that reaches the cell."""
    from chalicelib.core import throttle

    code = request["code"]
    if not cells:
        raise NoRoom("no cell: add one in infra/stages.json (docs/deploy.md, \"Cells\")")
    if any(c.partition == "aws" for c in cells) and directory.mainland(code):
        raise SystemExit(f"refused: county {code} is on the mainland: it is placed in AWS China cells only")
    listed = directory.lookup(s3, bucket, code)
    if listed is not None:
        return Placement("unchanged", listed["cell"], listed)
    views = {c.id: run_in_cell(c, "inspect", {"code": code}, env_for(c)) for c in cells}
    limit = throttle.sized_limit(households) if households else None
    holder = next((c for c in cells if views[c.id]["has"]), None)
    reasons = []
    for c in [holder] if holder else cells:
        if not c.web_url:
            reasons.append(f"{c.id}: no web URL yet (pass --url {c.id}=https://…, the stack's WebUrl output)")
            continue
        if holder is None:
            held = views[c.id]["limits"]
            if len(held) >= c.max_counties:
                reasons.append(f"{c.id}: full ({len(held)} of max_counties {c.max_counties})")
                continue
            limits = {k: float(v or c.default_limit) for k, v in held.items()}
            limits[code] = float(limit or c.default_limit)
            try:
                throttle.check_headroom(limits, c.reserved, c.request_ms)
            except ValueError as e:
                reasons.append(f"{c.id}: {e}")
                continue
            run_in_cell(c, "create", {**request, "rate_limit": limit}, env_for(c))
        new = directory.entry(c.id, c.region, c.web_url, request["name"])
        directory.put(s3, bucket, code, new)
        return Placement("listed" if holder else "created", c.id, new)
    raise NoRoom(f"refused: no cell of stage {cells[0].stage} has room for county {code}: " + "; ".join(reasons)
                 + ". Add a cell in infra/stages.json (a region of the stage; docs/deploy.md, \"Cells\"), deploy it "
                 "and run this again")


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for v in values or []:
        k, sep, rest = v.partition("=")
        if not sep or not rest:
            raise SystemExit(f"--{what} is CELL=VALUE, not {v!r}")
        out[k] = rest
    return out


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker(argv[1])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("code")
    p.add_argument("--stage", required=True)
    p.add_argument("--partition", choices=("aws-cn", "aws"), default="aws-cn")
    p.add_argument("--name", required=True)
    p.add_argument("--admin-phone", required=True)
    p.add_argument("--admin-name", required=True)
    p.add_argument("--modules", nargs="*")
    p.add_argument("--contact")
    p.add_argument("--households", type=int, help="size its request limit (throttle.sized_limit); else the default")
    p.add_argument("--url", action="append", help="CELL=https://… a cell's web URL when its web_domain is not set")
    p.add_argument("--profile", action="append", help="CELL=PROFILE the AWS profile that reaches a cell")
    p.add_argument("--directory-bucket", default=os.environ.get("CQT_DIRECTORY_BUCKET"),
                   help="the DirectoryStack's DirectoryBucketName output (CQT_DIRECTORY_BUCKET)")
    a = p.parse_args(argv)
    if not a.directory_bucket:
        raise SystemExit("--directory-bucket (or CQT_DIRECTORY_BUCKET): the DirectoryStack's DirectoryBucketName")
    import boto3
    from cqt_infra import cells as cqt_cells

    urls, profiles = _pairs(a.url, "url"), _pairs(a.profile, "profile")
    found = cqt_cells.cells(stage=a.stage, partition=a.partition)
    found = [cqt_cells.Cell(**{**c.__dict__, "web_url": urls.get(c.id, c.web_url)}) for c in found]
    home = found[0].region if found else None  # the directory lives with the stage's first cell of the partition
    s3 = boto3.client("s3", region_name=home)
    request = {"code": a.code, "name": a.name, "admin_phone": a.admin_phone, "admin_name": a.admin_name,
               "modules": a.modules, "contact": a.contact}
    placed = place(request, found, s3, a.directory_bucket, lambda c: cell_env(c, profiles.get(c.id)),
                   households=a.households)
    print(f"{a.code}: {placed.outcome} in cell {placed.cell} ({placed.entry['web']})")


if __name__ == "__main__":
    main()
