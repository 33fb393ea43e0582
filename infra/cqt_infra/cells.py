"""Cells: how many counties one stack holds, and which stacks a stage has (docs/deploy.md, "Cells").

A cell is one stack of a stage in a region (`config.Deployment`), id `{stage}-{region}`: its own tables, functions,
HTTP API and distribution, in one AWS account and region, so its own share of that account's regional quotas. A
stage scales past them by cells: every region of a stage in infra/stages.json is a cell (a second cell = another
region, or another account: see docs/deploy.md), a thin directory (directory.py) routes a county to its cell, and
scripts/onboard_county.py places a new county in a cell with room.

N, the counties a cell holds, is the smallest of what each quota it depends on allows, for a county of a given size
(households; its request limit is `throttle.sized_limit(households)`). Quota (AWS default in both partitions,
source) → what a county consumes of it:
- Lambda concurrent executions per account and region (1,000, of which 100 stay unreserved; Lambda quotas,
  "Concurrent executions") → the API function may reserve what the stack's other functions leave; at `request_ms`
  a request it serves `throttle.capacity()` requests a second (Little's law), and the counties' limits must add up
  under it.
- The API function's reserved concurrency as configured (`reserved_concurrency.api_handler`, prod 50;
  infra/stages.json) → the same headroom rule (throttle.check_headroom): what the cell holds without a change.
- HTTP API throttle per account and region (10,000 requests a second; API Gateway quotas, "Throttle quota per
  account, per Region across HTTP APIs") → the county's limit.
- The stage throttle as configured (`api_throttle.rate`, prod 500; infra/stages.json) → the county's limit.
- DynamoDB on-demand throughput per table (40,000 write and 40,000 read request units a second; DynamoDB quotas,
  "Per table") → the county's peak writes: households × PEAK_WRITES_PER_HOUSEHOLD (bench/results/hot_partitions.md:
  7,126 writes a second at the assumed peaks of a 500,000-household county, every write route at its peak at once)
  × 2 WCU (transactional writes cost double) on one table: three upper bounds.
- CloudWatch Contributor Insights rules per account and region (100; CloudWatch quotas) → none per county: 3 rules a
  cell (tenant-5xx, -429, -requests), so at most 33 cells an account and region.

Reads (40,000 RCU a table) are not bounded here: no benchmark measures a county's peak reads yet. Longyou-sized
(130,000 households, 130 requests a second): N = 3 as prod is configured (reserved concurrency 50 serves 500/s),
16 at the default quotas with the API function's reserved concurrency raised to what the account leaves (848:
DynamoDB writes bind). 20,000-household county (20/s): N = 25 as configured, 107 at the default quotas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chalicelib.core.throttle import capacity, sized_limit

from .config import Deployment, deployments

LAMBDA_CONCURRENCY = 1000
LAMBDA_UNRESERVED = 100  # Lambda refuses a reservation that leaves less than this unreserved
HTTP_API_ACCOUNT_RPS = 10_000
DYNAMODB_TABLE_WCU = 40_000
INSIGHT_RULES = 100
INSIGHT_RULES_PER_CELL = 3
# bench/results/hot_partitions.md, "Assumed peak request rates": Σ peak requests/s × partitions written per request
# = 7,126 writes a second for a 500,000-household county (tests/infra/test_cells.py recomputes it); 200 sign-ups a
# second on one volunteer call (issue 16) alone are 1,600 of them.
PEAK_WRITES_PER_HOUSEHOLD = 7125.598 / 500_000
WCU_PER_WRITE = 2
# Every function of a stack with a reserved concurrency (`reserved_concurrency` names them; `default` for the rest).
FUNCTIONS = ("api_handler", "signin", "token_authorizer", "rotate_secret", "on_submissions_change",
             "report_reminders", "case_escalation", "notice_sms", "volunteer_broadcast", "recruitment_alerts",
             "run_jobs", "lecture_transcoded", "interview_channels", "quality_rollup", "insights_rollup",
             "data_retention")
API_FUNCTION = "api_handler"


def reserved_total(d: Deployment, functions=FUNCTIONS) -> int:
    """The stack's reserved concurrency, all functions together."""
    return sum(d.per_function("reserved_concurrency", f) for f in functions)


def api_reservable(d: Deployment) -> int:
    """The most the API function may reserve in the account's region: the quota, less the unreserved minimum and
    the stack's other functions."""
    others = reserved_total(d) - d.per_function("reserved_concurrency", API_FUNCTION)
    return LAMBDA_CONCURRENCY - LAMBDA_UNRESERVED - others


def bounds(d: Deployment, households: int) -> dict[str, int]:
    """Counties of `households` each that one cell holds, per quota; `configured_*` bounds are the stage's own
    settings (raise them up to the quotas), the others the accounts' default quotas."""
    limit = sized_limit(households)
    request_ms = d.get("tenant_rate_limit")["request_ms"]
    reserved = d.per_function("reserved_concurrency", API_FUNCTION)
    wcu = households * PEAK_WRITES_PER_HOUSEHOLD * WCU_PER_WRITE
    return {
        "lambda_concurrency": math.floor(capacity(api_reservable(d), request_ms) / limit),
        "configured_api_reserved_concurrency": math.floor(capacity(reserved, request_ms) / limit),
        "http_api_account_throttle": math.floor(HTTP_API_ACCOUNT_RPS / limit),
        "configured_api_throttle": math.floor(d.get("api_throttle")["rate"] / limit),
        "dynamodb_table_wcu": math.floor(DYNAMODB_TABLE_WCU / wcu),
    }


def counties_per_cell(d: Deployment, households: int, configured: bool = True) -> int:
    """N: the counties of `households` each one cell holds, as configured (default) or at the default quotas with
    the stage's own settings raised to them."""
    b = bounds(d, households)
    return min(v for k, v in b.items() if configured or not k.startswith("configured_"))


@dataclass(frozen=True)
class Cell:
    """What onboarding and the directory need to know of a cell."""

    id: str
    stage: str
    region: str
    partition: str
    max_counties: int
    reserved: int  # the API function's reserved concurrency
    request_ms: float
    default_limit: float  # tenant_rate_limit.default
    web_url: str | None  # https://{web_domain}; None until the cell has its domain (the stack's WebUrl output)

    @property
    def api_url(self) -> str | None:
        return f"{self.web_url}/api" if self.web_url else None  # CloudFront forwards /api/* to the HTTP API


def cell_id(d: Deployment) -> str:
    return f"{d.stage}-{d.region}"


def max_counties(d: Deployment) -> int:
    """The cell's `max_counties` (null: N for a county of `cell_county_households`)."""
    n = counties_per_cell(d, d.get("cell_county_households"))
    return n if d.get("max_counties") is None else int(d.get("max_counties"))


def validate(d: Deployment) -> None:
    """Refuse a cell planned for more counties than its quotas and settings hold (called at synthesis)."""
    households = d.get("cell_county_households")
    if not isinstance(households, int) or households <= 0:
        raise ValueError(f"{d.stack_id}: cell_county_households is the planned county's households (> 0)")
    n = counties_per_cell(d, households)
    want = d.get("max_counties")
    if want is not None and (not isinstance(want, int) or want < 0):
        raise ValueError(f"{d.stack_id}: max_counties is a number of counties (≥ 0) or null (N)")
    if want is not None and want > n:
        b = bounds(d, households)
        binding = ", ".join(f"{k} {v}" for k, v in b.items() if v < want)
        raise ValueError(f"{d.stack_id}: max_counties {want} is more than the {n} counties of {households:,} "
                         f"households this cell holds ({binding}; docs/deploy.md, \"Cells\"): lower it, raise "
                         "reserved_concurrency.api_handler and api_throttle within the quotas, or add a cell")


def of(d: Deployment) -> Cell:
    domain = d.get("web_domain")
    return Cell(id=cell_id(d), stage=d.stage, region=d.region, partition=d.partition, max_counties=max_counties(d),
                reserved=d.per_function("reserved_concurrency", API_FUNCTION),
                request_ms=d.get("tenant_rate_limit")["request_ms"],
                default_limit=d.get("tenant_rate_limit")["default"],
                web_url=f"https://{domain}" if domain else None)


def cells(raw: dict | None = None, stage: str | None = None, partition: str | None = None) -> list[Cell]:
    """The cells of a stage (every stage), in the order stages.json lists them: onboarding fills them in order."""
    return [of(d) for d in deployments(raw, stage=stage) if partition is None or d.partition == partition]
