"""Stage configuration: infra/stages.json (defaults <- stage <- region), selected with CDK context, never code edits."""

from __future__ import annotations

import copy
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAGES_FILE = Path(__file__).resolve().parent.parent / "stages.json"
SMS_SENDERS = ("sns", "domestic")
# sms_sender=domestic: Tencent Cloud SMS (chalicelib/core/sms_tencent.py). Its API's regions for mainland numbers.
SMS_REGIONS = ("ap-guangzhou", "ap-beijing", "ap-nanjing")
# Lambda's log-level filter (LoggingConfig): application lines below `log_level` are dropped by Lambda, and so would
# be the request line with the request metrics (chalicelib/core/observability.py http_middleware, INFO): a stage logs
# at INFO or DEBUG (the same names for Powertools' POWERTOOLS_LOG_LEVEL and Lambda's ApplicationLogLevel).
APPLICATION_LOG_LEVELS = ("DEBUG", "INFO")
# Lambda's own lines (START, END, REPORT: ~320 bytes an invocation) are INFO; WARN keeps only its warnings and errors
# (timeouts, crashes). Duration and memory stay in the AWS/Lambda metrics. bench/cost.py prices the logs from it.
SYSTEM_LOG_LEVEL = "WARN"
# X-Ray for the API functions (api_handler, signin, token_authorizer), `api_tracing`: HTTP APIs neither trace nor
# pass a sampling decision on, so PassThrough traces no API request (US$0), while Active makes Lambda sample them
# itself at its fixed rate, 1 a second and 5 % of the rest (≈ US$13 a month for a Longyou-sized county: more than
# half its target; bench/cost.py prices both). Event handlers (stream, queue, schedules) stay Active.
API_TRACING_MODES = ("PassThrough", "Active")
# China (regions cn-*): a public website needs the domain's ICP recordal (备案), and its number in the footer of
# the site, linking to the MIIT's site (《非经营性互联网信息服务备案管理办法》 art. 13): the province's
# abbreviation, "ICP备" and the number, with "-n" for one of several sites (浙ICP备12345678号-1), or an ICP
# licence number (浙ICP证123456号).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
ICP_PATTERN = re.compile(rf"[{PROVINCES}](ICP备\d{{6,10}}号(-\d{{1,3}})?|ICP证\d{{6}}号)")
ICP_URL = "https://beian.miit.gov.cn/"
# CloudFront in China takes no ACM certificate: an IAM server certificate (`aws iam upload-server-certificate --path
# /cloudfront/ …`), named by its ServerCertificateId (ASCA…).
IAM_CERTIFICATE_ID = re.compile(r"ASCA[A-Z0-9]{12,124}")
DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
WEB_KEYS = ("web_domain", "web_certificate", "icp_recordal")
# Any AWS region name outside the China partition (us-east-1, ap-east-1, eu-central-2, us-gov-west-1, …).
NON_CN_REGION = re.compile(r"\b(?!cn-)[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|"
                           r"northwest|southeast|southwest)-\d\b")


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass(frozen=True)
class Deployment:
    """One stage in one region: one CloudFormation stack."""

    stage: str
    region: str
    settings: dict[str, Any] = field(repr=False)

    @property
    def china(self) -> bool:
        return self.region.startswith("cn-")

    @property
    def partition(self) -> str:
        return "aws-cn" if self.china else "aws"

    @property
    def prefix(self) -> str:
        """Resource names: the same defaults chalicelib/core/config.py derives from CQT_STAGE."""
        return f"cqt-{self.stage}"

    @property
    def stack_id(self) -> str:
        return f"cqt-{self.stage}-{self.region}"

    def get(self, key: str) -> Any:
        return self.settings[key]

    def per_function(self, key: str, function: str) -> Any:
        table = self.settings[key]
        return table.get(function, table["default"])


def load(path: Path = STAGES_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def deployments(raw: dict | None = None, stage: str | None = None, region: str | None = None) -> list[Deployment]:
    """Every (stage, region) in the file, optionally narrowed to one stage and/or region."""
    raw = raw if raw is not None else load()
    out = []
    for name, stage_cfg in raw["stages"].items():
        if stage and name != stage:
            continue
        stage_settings = _merge(raw["defaults"], {k: v for k, v in stage_cfg.items() if k != "regions"})
        for reg, reg_cfg in (stage_cfg.get("regions") or {}).items():
            if region and reg != region:
                continue
            d = Deployment(stage=name, region=reg, settings=_merge(stage_settings, reg_cfg or {}))
            validate(d)
            out.append(d)
    if not out:
        raise SystemExit(f"no deployment in {STAGES_FILE.name} matches stage={stage!r} region={region!r}")
    return out


def validate(d: Deployment) -> None:
    s = d.settings
    if s["sms_sender"] not in SMS_SENDERS:
        raise ValueError(f"{d.stack_id}: sms_sender must be one of {SMS_SENDERS}")
    if d.china and s["sms_sender"] == "sns":
        # Amazon SNS has no SMS in the Beijing and Ningxia regions.
        raise ValueError(f"{d.stack_id}: SNS SMS is not available in AWS China regions; use sms_sender=domestic")
    if s.get("web_pending") and not d.china:
        raise ValueError(f"{d.stack_id}: web_pending is for China regions, whose domain awaits its ICP recordal")
    if bool(s["web_domain"]) != bool(s["web_certificate"]):
        raise ValueError(f"{d.stack_id}: web_domain and web_certificate go together")
    if s["log_level"] not in APPLICATION_LOG_LEVELS:
        raise ValueError(f"{d.stack_id}: log_level must be one of {APPLICATION_LOG_LEVELS}: Lambda drops lines "
                         "below it, the request line that carries the request metrics (INFO) included")
    if s["api_tracing"] not in API_TRACING_MODES:
        raise ValueError(f"{d.stack_id}: api_tracing must be one of {API_TRACING_MODES}")
    validate_tenant_limits(d)
    from .cells import validate as validate_cell  # N counties a cell, from its quotas (cells.py)

    validate_cell(d)
    if s["log_retention_days"] < 180:
        # PRC Cybersecurity Law art. 21: network logs are kept for at least six months.
        raise ValueError(f"{d.stack_id}: log_retention_days must be at least 180")
    validate_sms(d)
    validate_directory_url(d)
    if d.china:
        from .services import CHINA_REGIONS

        if d.region not in CHINA_REGIONS:
            raise ValueError(f"{d.stack_id}: the AWS China regions are {CHINA_REGIONS}")
        validate_china_web(d)
        validate_china_residency(d)


def validate_tenant_limits(d: Deployment) -> None:
    """`tenant_rate_limit` (chalicelib/core/throttle.py): `default`, requests a second a county may make when its
    record names none (0: no limit), `window_s`, the counting window (1–60 s), `request_ms`, a conservative mean
    duration of an API request (cold starts included). A county at its limit keeps limit × request_ms / 1000
    containers busy (Little's law): the default county alone must fit the API function's reserved concurrency, and so
    must the stage throttle (docs/deploy.md, "Per-county limits and headroom"; the sum over the counties is checked
    when a county's limit is set: scripts/set_county_limit.py)."""
    t = d.get("tenant_rate_limit")
    if not isinstance(t, dict) or set(t) != {"default", "window_s", "request_ms"}:
        raise ValueError(f"{d.stack_id}: tenant_rate_limit is {{default, window_s, request_ms}}")
    if not 1 <= t["window_s"] <= 60 or t["default"] < 0 or t["request_ms"] <= 0:
        raise ValueError(f"{d.stack_id}: tenant_rate_limit: window_s 1–60 s, default ≥ 0, request_ms > 0")
    reserved = d.per_function("reserved_concurrency", "api_handler")
    for what, rate in (("tenant_rate_limit.default", t["default"]),
                       ("api_throttle.rate", d.get("api_throttle")["rate"])):
        if rate * t["request_ms"] / 1000 > reserved:
            raise ValueError(f"{d.stack_id}: {what} ({rate}/s × {t['request_ms']} ms) needs more than the API "
                             f"function's reserved concurrency ({reserved})")


def validate_china_web(d: Deployment) -> None:
    """In China the web app (and the API, on the same domain) is served only on an ICP-recorded domain, with an IAM
    server certificate, and shows the recordal number (docs/deploy.md, "AWS China regions"). A region whose domain
    or recordal is still being obtained says so with `web_pending: true`: the synthesis warns, and the distribution
    has no domain of its own (CloudFront's *.cloudfront.cn domain does not serve the public without one)."""
    s = d.settings
    given = [k for k in WEB_KEYS if s.get(k)]
    if s.get("web_pending"):
        if given:
            raise ValueError(f"{d.stack_id}: web_pending is for a region without its ICP-recorded domain: set "
                             f"web_domain, web_certificate and icp_recordal together and remove web_pending "
                             f"(now set: {', '.join(given)})")
        warnings.warn(f"{d.stack_id}: web_pending: no ICP-recorded domain (web_domain, web_certificate, "
                      "icp_recordal), so the web app and the API are not served to the public there until they are "
                      "set (docs/deploy.md, \"AWS China regions\")", stacklevel=2)
        return
    missing = [k for k in WEB_KEYS if not s.get(k)]
    if missing:
        raise ValueError(f"{d.stack_id}: AWS China serves a website only on an ICP-recorded domain: set "
                         f"{', '.join(missing)} (docs/deploy.md, \"AWS China regions\"); until the recordal is "
                         "granted, set web_pending: true instead")
    domain = str(s["web_domain"])
    if not DOMAIN.fullmatch(domain) or domain.endswith((".cloudfront.cn", ".amazonaws.com.cn", ".cloudfront.net")):
        raise ValueError(f"{d.stack_id}: web_domain must be the ICP-recorded host name (e.g. cqt.example.cn), "
                         f"lower case, without scheme or path, not {domain!r}")
    cert = str(s["web_certificate"])
    if cert.startswith("arn:"):
        raise ValueError(f"{d.stack_id}: CloudFront in China does not take ACM certificates: upload the certificate "
                         "to IAM (aws iam upload-server-certificate --path /cloudfront/ …) and set web_certificate to "
                         f"its ServerCertificateId (ASCA…), not {cert!r}")
    if not IAM_CERTIFICATE_ID.fullmatch(cert):
        raise ValueError(f"{d.stack_id}: web_certificate must be an IAM ServerCertificateId (ASCA…), not {cert!r}")
    if not ICP_PATTERN.fullmatch(str(s["icp_recordal"])):
        raise ValueError(f"{d.stack_id}: icp_recordal must be the domain's ICP recordal number as MIIT issued it, "
                         f"e.g. 浙ICP备12345678号-1, not {s['icp_recordal']!r}")


def site(d: Deployment) -> dict:
    """What the web app knows about the site itself, served as /site.json next to it (docs/deploy.md, "Deploy a
    stage"): the cell it is (cells.py), the cells' directory the app reads to send a county's link to its cell
    (`directory_url`, docs/deploy.md "Cells"), and in China the ICP recordal number, linked to the MIIT's site, in the
    sign-in pages' footer. All public."""
    from .cells import cell_id

    out: dict = {"cell": cell_id(d)}
    if d.get("directory_url"):
        out["directory"] = d.get("directory_url")
    icp = d.get("icp_recordal")
    if icp:
        out.update(icp_recordal=icp, icp_url=ICP_URL)
    return out


def directory_origin(d: Deployment) -> str:
    """The cells' directory's origin, " https://host" (space first), for the web app's Content-Security-Policy
    connect-src: the app fetches it from the browser. "" without one."""
    url = d.get("directory_url")
    return " https://" + url.split("/")[2] if url else ""


def validate_directory_url(d: Deployment) -> None:
    """`directory_url`: the cells' directory of the stage's partition (the DirectoryStack's `DirectoryUrl` output,
    https://…/directory.json), which the web app fetches from the browser; null until the directory is deployed."""
    url = d.settings.get("directory_url")
    if url is None:
        return
    m = re.fullmatch(r"https://([^/?#:]+)(/[^?#\s]*\.json)", url) if isinstance(url, str) else None
    if not m or not DOMAIN.fullmatch(m.group(1)):
        raise ValueError(f"{d.stack_id}: directory_url must be the directory's https URL, the DirectoryUrl output of "
                         f"its stack (https://d111111abcdef8.cloudfront.net/directory.json), not {url!r}")
    other = ".cloudfront.net" if d.china else ".cloudfront.cn"
    if m.group(1).endswith(other):
        raise ValueError(f"{d.stack_id}: directory_url is the directory of the other partition ({url!r}): a cell "
                         f"reads its own partition's (cqt-{d.stage}-directory-{d.partition})")


def _strings(value: Any, path: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def validate_china_residency(d: Deployment) -> None:
    """Mainland personal data stays in mainland regions (PIPL art. 38-40): a China region's settings name no ARN of
    another partition and no region outside China (alarm topics, trusted principals, web ACLs, …)."""
    for key, value in _strings(d.settings):
        if re.search(r"arn:(?!aws-cn:)[\w-]*:", value):
            raise ValueError(f"{d.stack_id}: {key} names an ARN outside AWS China ({value!r}): a China region's "
                             "resources and principals are all arn:aws-cn:…")
        m = NON_CN_REGION.search(value)
        if m:
            raise ValueError(f"{d.stack_id}: {key} names region {m.group(0)} outside China ({value!r}): mainland "
                             "personal data stays in cn-north-1 / cn-northwest-1")


def validate_sms(d: Deployment) -> None:
    """sms_sender=domestic needs the Tencent Cloud SMS application, signature, region and an approved template for
    each of ours (docs/operations.md, "SMS"). A region whose account or templates are still being approved says so
    with `sms_pending: true`: the synthesis warns, and the app answers sign-in with 503 until they are set."""
    s = d.settings
    if s["sms_sender"] != "domestic":
        return
    from chalicelib.core.sms_templates import TEMPLATES

    missing = [k for k in ("sms_app_id", "sms_templates") if not s.get(k)]
    if s.get("sms_pending"):
        if not missing:
            raise ValueError(f"{d.stack_id}: sms_app_id and sms_templates are set: remove sms_pending")
        warnings.warn(f"{d.stack_id}: sms_pending: no SMS provider settings ({', '.join(missing)}), so nobody can "
                      "sign in there until they are set (docs/operations.md, \"SMS\")", stacklevel=2)
        return
    if missing:
        raise ValueError(f"{d.stack_id}: sms_sender=domestic sends through Tencent Cloud SMS and needs "
                         f"{' and '.join(missing)} (docs/deploy.md, docs/operations.md \"SMS\"); while the account "
                         "and templates are being approved, set sms_pending: true instead")
    if not re.fullmatch(r"14\d{8}", str(s["sms_app_id"])):
        raise ValueError(f"{d.stack_id}: sms_app_id is the SMS application's SdkAppId, 10 digits from 14…, "
                         f"not {s['sms_app_id']!r}")
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]{2,12}", str(s.get("sms_sign_name") or "")):
        raise ValueError(f"{d.stack_id}: sms_sign_name is the approved signature: 2 to 12 Chinese characters, "
                         "letters or digits, without 【】")
    if s.get("sms_region") not in SMS_REGIONS:
        raise ValueError(f"{d.stack_id}: sms_region must be one of {SMS_REGIONS}")
    ids = s["sms_templates"]
    if not isinstance(ids, dict):
        raise ValueError(f"{d.stack_id}: sms_templates maps our template names to the approved template ids")
    absent, unknown = sorted(set(TEMPLATES) - set(ids)), sorted(set(ids) - set(TEMPLATES))
    if absent or unknown:
        raise ValueError(f"{d.stack_id}: sms_templates must name each template of chalicelib/core/sms_templates.py "
                         f"once: missing {absent}, unknown {unknown}")
    bad = sorted(k for k, v in ids.items() if not re.fullmatch(r"\d{1,10}", str(v)))
    if bad:
        raise ValueError(f"{d.stack_id}: sms_templates: the provider's template ids are numbers: {bad}")
