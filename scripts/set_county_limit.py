"""Set one county's request limit (requests a second, all API containers together: chalicelib/core/throttle.py).

    CQT_STAGE=prod AWS_REGION=cn-north-1 python scripts/set_county_limit.py 330825 --households 130000
    CQT_STAGE=prod AWS_REGION=cn-north-1 python scripts/set_county_limit.py 330825 --rate 200
    CQT_STAGE=prod AWS_REGION=cn-north-1 python scripts/set_county_limit.py 330825 --default

The sum of the stage's county limits (a county without its own counts with the stage's default) must stay under what
the API function's reserved concurrency serves (docs/deploy.md, "Per-county limits, headroom and alarms"): the
script refuses a limit that would take it over, unless --force. The stage's numbers come from infra/stages.json
(CQT_STAGE, AWS_REGION) unless given. The API containers see the new limit within CQT_TENANT_CACHE_SECONDS.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def stage_numbers() -> dict:
    """(default limit, reserved concurrency, request ms) of the stage and region this runs against."""
    if not os.environ.get("CQT_STAGE") or not os.environ.get("AWS_REGION"):
        return {}
    sys.path.insert(0, str(ROOT / "infra"))
    try:
        from cqt_infra import config

        d = config.deployments(stage=os.environ.get("CQT_STAGE"), region=os.environ.get("AWS_REGION"))[0]
    except (SystemExit, Exception):  # noqa: BLE001 - not a deployed stage (local): the arguments or defaults
        return {}
    t = d.get("tenant_rate_limit")
    return {"default": t["default"], "request_ms": t["request_ms"],
            "reserved": d.per_function("reserved_concurrency", "api_handler")}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("county")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--rate", type=float, help="requests a second")
    how.add_argument("--households", type=int, help="size the limit from the county's households")
    how.add_argument("--default", action="store_true", help="back to the stage's default")
    p.add_argument("--stage-default", type=float, help="the stage's tenant_rate_limit.default")
    p.add_argument("--reserved", type=int, help="the API function's reserved concurrency")
    p.add_argument("--request-ms", type=float, help="tenant_rate_limit.request_ms")
    p.add_argument("--force", action="store_true", help="set it even over the headroom")
    a = p.parse_args(argv)
    from chalicelib.core import counties, throttle
    from chalicelib.core.counties import County

    known = stage_numbers()
    default = a.stage_default if a.stage_default is not None else known.get("default", throttle.default_limit())
    reserved = a.reserved or known.get("reserved", 50)
    request_ms = a.request_ms or known.get("request_ms", 100)
    county = counties.get(a.county, fresh=True)
    if county is None:
        raise SystemExit(f"no county {a.county}")
    new = None if a.default else (a.rate if a.rate is not None else throttle.sized_limit(a.households))
    if new is not None and new <= 0:
        raise SystemExit("a limit is a positive number of requests a second")
    limits = {c.code: float(c.rate_limit or default) for c in County.gsi1.query(County.list_key())}
    limits[a.county] = float(new or default)
    try:
        left = throttle.check_headroom(limits, reserved, request_ms)
    except ValueError as e:
        if not a.force:
            raise SystemExit(f"refused: {e}; raise reserved_concurrency.api_handler first, or --force") from None
        left = throttle.capacity(reserved, request_ms) - sum(limits.values())
    county.rate_limit = new
    county.save()
    print(f"{a.county}: {'the stage default ' + format(default, 'g') if new is None else format(new, 'g')} requests "
          f"a second; {len(limits)} counties, {left:g} requests a second of headroom left")


if __name__ == "__main__":
    main()
