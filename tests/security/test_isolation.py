"""The isolation matrix: every route in the app's route table, checked against every way in that must fail.

A route is public only if `chalicelib.core.http.endpoint(..., public=True)` says so (plus /openapi.json); PUBLIC
below must equal that list, so making a route public fails here until someone looks. Every other route must have
a Case in CASES: a builder that makes a request its owner may make (a real household, member, staff member or
county), the role that owns it, and the out-of-scope checks that apply. A route without a case fails here, naming
the route. For every case:

(a) no token, a garbage token, a non-bearer scheme, a forged / tampered / unsigned token and an expired token of
    the owner are 401;
(b) people of another county (its county admin and grid worker), the platform operator (outside /counties*) and a
    signed-in person of no county are refused (403/404, the error envelope only, nothing of the first county) —
    except routes that act on the caller's own county or identity ("own") and the invite code ("invite", a bearer
    capability: redeeming it makes the person a villager of that household and nothing more);
(c) people of the same county out of scope — another grid, a grid whose code *extends* another grid's code, another
    village, a villager of another household, a villager of the very household (writes), a county-wide read-only
    role (writes), a grid worker (office routes), the county admin (platform routes) — are refused;
(d) then the owner's request succeeds, so the refusals above were about the caller, not about a missing object.

The first county's "grid 1" is a 3-digit grid (village + G011) whose code starts with another grid's (G01, where
the county's original grid worker stays as `prefix_worker`), so place checks that are bare string-prefix tests
without a boundary are caught too.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from chalice.test import Client

from tests.conftest import ROOT, Api, County, new_county_code, new_phone, operator_token_for, unique_id_number

# --- what is public -------------------------------------------------------------------------------------------

PUBLIC = frozenset({
    ("POST", "/auth/code"),
    ("POST", "/auth/token"),
    ("POST", "/auth/refresh"),
    ("POST", "/auth/signout"),
    ("GET", "/health"),
    ("GET", "/modules"),
    ("GET", "/openapi.json"),  # a plain bp.route (the API description); the only route outside endpoint()
    # Open311 GeoReport v2 (chalicelib/open311/api.py): public reads of public case types; filing takes the client's
    # api_key in the form body, not a token (tests/functional/test_open311.py checks the key, the county and the
    # public fields)
    ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services.xml"),
    ("GET", "/open311/v2/services/{service}"),
    ("GET", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests.xml"),
    ("GET", "/open311/v2/requests/{request_id}"),
    ("GET", "/open311/v2/tokens/{token}"),
    ("POST", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.xml"),
    # 专题授课's HLS playlists (chalicelib/lectures/hls.py): players fetch them without our bearer token; the path's
    # signed token names the county and the video (tests/functional/test_lectures_hls.py: forged, expired, elsewhere)
    ("GET", "/lectures/hls/{token}/{rendition}"),
})

DENIED = (403, 404)
# A body that names a place or file of another county is refused as invalid input for the caller's own county
# ("编码不属于本县" / "地点不属于本县" / "文件不存在"), and an import whose rows lie outside the caller's places is
# rejected row by row (import_rejected): that reveals nothing the caller did not send, so 422 is a refusal there.
DENIED_OR_INVALID = (403, 404, 422)
OPERATOR_ONLY = (403,)


@dataclass(frozen=True)
class Case:
    build: Callable[[County], tuple[str, dict | None]]  # county -> (concrete path, JSON body or None)
    owner: str  # who may make the request: a role in county.tokens, "operator" or "newcomer"
    scope: tuple[str, ...] = ()  # out-of-scope callers of the same county (keys of county.tokens, see below)
    cross: str = "deny"  # "deny" | "own" (answers about the caller's own county) | "invite" (bearer capability)
    denied: tuple[int, ...] = DENIED  # the statuses that count as a refusal


# --- builders: each returns a request the owner may make against real objects of the county -------------------

_grid_seq = itertools.count(50)


def _hid(c: County, members: int = 2) -> str:
    return c.household(members=members)["id"]


def _member(c: County, relation: str = "子女") -> dict:
    return {"name": "新成员", "relation": relation, "id_number": unique_id_number(c.code)}


def _county_body() -> dict:
    return {"code": new_county_code(), "name": "隔离测试县", "admin_phone": new_phone(), "admin_name": "新管理员"}


def _spare_county(c: County, disabled: bool = False) -> str:
    """A county of its own for the operator routes that change a county's state (never the county under test)."""
    body = _county_body()
    r = c.api.post("/counties", body, token=c.operator_token)
    assert r.status_code == 201, r.json
    if disabled:
        r = c.api.post(f"/counties/{body['code']}/disable", token=c.operator_token)
        assert r.status_code == 200, r.json
    return body["code"]


def b_switch(c):
    return "/auth/switch", {"tenant": c.code}


def b_me(c):
    return "/me", None


def b_home(c):
    return "/home", None


def b_create_household(c):
    return "/households", {"grid": c.grid, "address": "隔离测试1号",
                           "members": [{**_member(c, "户主"), "name": "新户主", "phone": new_phone()}]}


def b_list_households(c):
    return f"/households?place={c.grid}", None


def b_get_household(c):
    return f"/households/{_hid(c)}", None


def b_update_household(c):
    return f"/households/{_hid(c)}", {"address": "隔离测试2号"}


def b_add_member(c):
    return f"/households/{_hid(c)}/members", _member(c)


def b_remove_member(c):
    hh = c.household(members=2)
    mid = next(m["id"] for m in hh["members"] if m["relation"] != "户主")
    return f"/households/{hh['id']}/members/{mid}", None


def b_update_member(c):
    hh = c.household(members=2)
    mid = next(m["id"] for m in hh["members"] if m["relation"] != "户主")
    return f"/households/{hh['id']}/members/{mid}", {**_member(c), "name": "改名成员"}


def b_inbox(c):
    return "/inbox", None


def b_read_inbox(c):
    r = c.api.get("/inbox", token=c.tokens["grid_worker"])
    assert r.status_code == 200 and r.json["items"], r.json  # staff are told of their new post
    return f"/inbox/{r.json['items'][0]['id']}/read", None


def b_household_invite(c):
    return f"/households/{_hid(c)}/invites", {}


def b_link(c):
    r = c.api.post(f"/households/{_hid(c)}/invites", {}, token=c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    return "/links", {"code": r.json["code"]}


def b_coverage(c):
    return f"/coverage?place={c.grid}", None


def b_upload_form(c):
    return "/imports/uploads", {"kind": "households", "filename": "村民名单.csv"}


def b_run_import(c):
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    r = c.api.post("/imports/uploads", {"kind": "households", "filename": "村民名单.csv"},
                   token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    key = r.json["key"]
    ref = f"ISO{next(_grid_seq)}"
    csv = ("户编号,网格编码,地址,姓名,与户主关系,身份证号\n"
           f"{ref},{c.grid},导入1号,导入户主,户主,{unique_id_number(c.code)}\n"
           f"{ref},{c.grid},导入1号,导入成员,子女,{unique_id_number(c.code)}\n")
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=csv.encode("utf-8"),
                            ContentType="text/csv")
    return "/imports", {"kind": "households", "key": key}


def b_preview_import(c):
    _, body = b_run_import(c)
    return "/imports/preview", body


def b_find_people(c):
    from urllib.parse import quote

    c.household()
    return f"/members?q={quote('户主甲')}&place={c.grid}", None


def b_create_place(c):
    return "/places", {"code": f"{c.village}G{next(_grid_seq)}", "name": "新网格"}


def b_list_places(c):
    return f"/places?under={c.grid}", None


def b_townships(c):
    return "/places/townships", None


def b_get_place(c):
    return f"/places/{c.grid}", None


def b_invite_staff(c):
    return "/staff", {"phone": new_phone(), "name": "新网格员", "role": "grid_worker", "place": c.grid}


def b_list_staff(c):
    return f"/staff?place={c.grid}", None


def b_remove_staff(c):
    r = c.api.post("/staff", {"phone": new_phone(), "name": "待移除网格员", "role": "grid_worker", "place": c.grid},
                   token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    listed = c.api.get(f"/staff?place={c.grid}&limit=100", token=c.tokens["county_admin"])
    assert listed.status_code == 200, listed.json
    uid = next(s["id"] for s in listed.json["items"] if s["id"] == r.json["id"])
    return f"/staff/{uid}", None


def b_onboard(c):
    return "/counties", _county_body()


def b_list_counties(c):
    return "/counties", None


def b_get_county(c):
    return f"/counties/{c.code}", None


def b_edit_county(c):
    return f"/counties/{_spare_county(c)}", {"contact": "县大数据局 0570-7000000"}


def b_disable(c):
    return f"/counties/{_spare_county(c)}/disable", None


def b_enable(c):
    return f"/counties/{_spare_county(c, disabled=True)}/enable", None


def b_modules(c):
    return f"/counties/{_spare_county(c)}/modules", {"modules": ["daily_report", "tipoffs"]}


def _report_body(c, hh: dict, colour: str = "green") -> dict:
    return {"household": hh["id"], "members": [{"member": m["id"], "colour": colour} for m in hh["members"]]}


def b_submit_report(c):
    return "/reports", _report_body(c, c.household(members=2))


def b_today_report(c):
    return f"/reports/today?household={_hid(c)}", None


def b_report_form(c):
    return f"/reports/form?household={_hid(c)}", None


def b_report_history(c):
    return f"/reports?household={_hid(c)}", None


def b_completion(c):
    return f"/reports/completion?place={c.grid}&children=true", None


def b_trend(c):
    return f"/reports/trend?place={c.grid}&days=7", None


def b_unreported(c):
    return f"/reports/unreported?grid={c.grid}", None


def b_get_report_settings(c):
    return "/reports/settings", None


def b_put_report_settings(c):
    return "/reports/settings", {"cutoff": "10:00", "party_reminder_at": "09:00", "grid_reminder_at": "11:00"}


def b_list_alerts(c):
    return "/alerts?status=open", None


def _alert(c) -> str:
    r = c.api.post("/reports", _report_body(c, c.household(members=1), "red"), token=c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    return r.json["id"]  # the alert of a report has the report's id


def b_ack_alert(c):
    return f"/alerts/{_alert(c)}/ack", None


def b_close_alert(c):
    return f"/alerts/{_alert(c)}/close", {"note": "已处置"}


def b_subscribe_alerts(c):
    from chalicelib.core.aws import client

    sqs = client("sqs")
    url = sqs.create_queue(QueueName=f"iso-alerts-{next(_grid_seq)}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return "/alerts/subscriptions", {"protocol": "sqs", "endpoint": arn}


def _party_member(c) -> str:
    token = c.add_staff("party_member", c.grid)
    return c.api.get("/me", token=token).json["user_id"]


def b_link_party(c):
    return "/party-links", {"member": _party_member(c), "households": [_hid(c)]}


def _linked(c) -> tuple[str, str]:
    pm, hid = _party_member(c), _hid(c)
    r = c.api.post("/party-links", {"member": pm, "households": [hid]}, token=c.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    return pm, hid


def b_party_households(c):
    return f"/party-links?member={_linked(c)[0]}", None


def b_party_members(c):
    _party_member(c)
    return f"/party-links/members?place={c.grid}", None


def b_unlink_party(c):
    return f"/party-links/{_linked(c)[1]}", None


def b_remind(c):
    return "/reports/reminders", {"household": _hid(c)}


def _pass(c) -> dict:
    hh = c.household(members=1)
    r = c.api.post("/passes", {"household": hh["id"], "member": hh["members"][0]["id"]},
                   token=c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    return r.json


def _checkpoint(c) -> None:
    if "checkpoint_staff" not in c.tokens:
        c.add_staff("checkpoint_staff", c.village)


def b_issue_pass(c):
    hh = c.household(members=1)
    return "/passes", {"household": hh["id"], "member": hh["members"][0]["id"]}


def b_revoke_pass(c):
    return f"/passes/{_pass(c)['id']}/revoke", None


def b_pass_status(c):
    return f"/passes/{_pass(c)['id']}/status", None


def b_scan_pass(c):
    _checkpoint(c)
    return "/passes/scan", {"code": _pass(c)["code"]}


def b_scan_log(c):
    _checkpoint(c)
    return f"/passes/scans?checkpoint={c.village}", None


def _tipoff(c) -> str:
    """A tip-off of a villager of c's village (a new villager every 8, under the limit of 10 a day per person)."""
    used = c.__dict__.setdefault("_tipoffs", itertools.count())
    if next(used) % 8 == 0 or "tipster" not in c.tokens:
        c.tokens["tipster"] = c.villager(c.household(token=c.tokens["grid_worker"])["id"])[1]["access_token"]
    r = c.api.post("/tipoffs", {"category": "gathering", "description": "隔离测试举报"}, token=c.tokens["tipster"])
    assert r.status_code == 201, r.json
    return r.json["id"]


def b_create_tipoff(c):
    return "/tipoffs", {"category": "returnee", "description": "隔离测试：有人返乡未登记", "anonymous": True}


def b_my_tipoffs(c):
    return "/tipoffs/mine", None


def b_list_tipoffs(c):
    return f"/tipoffs?village={c.village}", None


def b_tipoff_stats(c):
    return f"/tipoffs/stats?place={c.village}", None


def b_get_tipoff(c):
    return f"/tipoffs/{_tipoff(c)}", None


def b_handle_tipoff(c):
    return f"/tipoffs/{_tipoff(c)}", {"status": "closed", "disposition": "unfounded", "note": "核实不属实"}


def _tipoff_ref(c) -> str:
    return _tipoff(c)  # a tip-off is a case: its id is the case's public reference


def b_case_inbox(c):
    return f"/cases?place={c.village}", None


def b_my_cases(c):
    return "/cases/mine", None


def b_case_types(c):
    return "/cases/types", None


def b_case_stats(c):
    return f"/cases/stats?type=tipoff&place={c.village}", None


def b_get_case(c):
    return f"/cases/{_tipoff_ref(c)}", None


def b_act_on_case(c):
    return f"/cases/{_tipoff_ref(c)}/actions", {"action": "accept", "note": "已派人核实"}


def _upload(c, token: str) -> str:
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    r = c.api.post("/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * 500)
    return r.json["key"]


def b_photo_upload(c):
    return "/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}


def b_file_snap(c):
    photo = _upload(c, c.tokens["villager"])  # the villager files (the owner), with their own upload
    return "/snaps", {"category": "sanitation", "text": "隔离测试：村口垃圾", "photos": [photo]}


def b_similar_snaps(c):
    return f"/snaps/similar?grid={c.grid}&category=sanitation", None


def b_snap_board(c):
    return f"/snaps/board?village={c.village}", None


def b_case_categories(c):
    road = {"code": "road", "name": "道路设施", "fields": [
        {"code": "facility", "name": "设施类型", "datatype": "singlevaluelist", "required": True,
         "values": [{"key": "road", "name": "道路"}]}]}
    cats = [{"code": "sanitation", "name": "环境卫生", "sla_hours": 48}, road, {"code": "safety", "name": "安全隐患"},
            {"code": "dispute", "name": "邻里纠纷"}, {"code": "other", "name": "其他"}]
    return "/cases/types/snap/categories", {"categories": cats}


def b_my_settings(c):
    return "/me/settings", {"sms_updates": False}


def b_write_letter(c):
    return "/letters", {"to": "village", "category": "suggestion", "text": "隔离测试：建议修路灯"}


def b_list_open311_keys(c):
    return "/open311/keys", None


def b_issue_open311_key(c):
    return "/open311/keys", {"name": "隔离测试客户端"}


def b_revoke_open311_key(c):
    r = c.api.post("/open311/keys", {"name": "待删除客户端"}, token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return f"/open311/keys/{r.json['id']}", None


def b_get_workdays(c):
    return "/workdays/2026", None


def b_put_workday(c):
    return "/workdays/2026/2026-10-09", {"kind": "off"}


_errand_seq = itertools.count(1)


def _errand_body(c) -> dict:
    return {"name": f"生育登记{next(_errand_seq)}", "department": "县卫生健康局", "delivery": ["pickup", "courier"],
            "materials": [{"name": "身份证", "original_required": True}],
            "fields": [{"key": "f1", "label": "出生日期", "type": "date", "required": True}]}


def _errand(c) -> dict:
    r = c.api.post("/errands/items", _errand_body(c), token=c.tokens["county_admin"],
                   headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return r.json


def b_errand_items(c):
    return "/errands/items", None


def b_errand_item(c):
    return f"/errands/items/{_errand(c)['id']}", None


def b_create_errand_item(c):
    return "/errands/items", _errand_body(c)


def b_update_errand_item(c):
    item = _errand(c)
    return f"/errands/items/{item['id']}", {**_errand_body(c), "version": item["version"], "promised_days": 1}


def b_import_errands(c):
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    r = c.api.post("/imports/uploads", {"kind": "errands", "filename": "事项目录.csv"}, token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    csv = f"事项名称,实施部门,送达方式\n老年优待证办理{next(_errand_seq)},县民政局,快递\n"
    client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=csv.encode("utf-8"),
                            ContentType="text/csv")
    return "/errands/import", {"key": r.json["key"]}


def _upload_for(c, token: str, type_: str) -> str:
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    r = c.api.post("/cases/uploads", {"type": type_, "content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * 500)
    return r.json["key"]


def _application_body(c, tok: str | None = None) -> dict:
    tok = tok or c.tokens["villager"]
    hid = c.api.get("/me", token=tok).json["grants"][0]["household"]
    item = _errand(c)
    return {"item": item["id"], "household": hid, "values": {"f1": "2026-11-20"},
            "materials": [[_upload_for(c, tok, "errand")]], "delivery": "pickup"}


def b_apply_errand(c):
    return "/errands/applications", _application_body(c)


def b_errand_consent(c):
    return "/errands/consents", {"household": c.household(members=1)["id"]}


def b_household_errands(c):
    hid = c.api.get("/me", token=c.tokens["villager"]).json["grants"][0]["household"]
    return f"/errands/applications?household={hid}", None


def _month() -> str:
    from chalicelib.core import clock

    return clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")


def b_errand_stats(c):
    return f"/errands/stats?place={c.township}&month={_month()}", None


def b_export_errand_stats(c):
    return "/errands/stats/export", {"place": c.township, "month": _month()}


def b_errand_step(c):
    path, _ = b_errand_application(c)
    return f"{path}/actions", {"action": "forward"}


def b_errand_application(c):
    # filed by another household of grid 1: the matrix's villager is a neighbour, not the applicant
    tok = c.villager(c.household(members=1)["id"])[1]["access_token"]
    r = c.api.post("/errands/applications", _application_body(c, tok), token=tok,
                   headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return f"/errands/applications/{r.json['case']['ref']}", None


# 红黑榜: inspectors score households of their grid, cadres of the village publish and decide appeals, the
# household appeals its own score, the village's people read the published board
def _board_photo(c, token: str) -> str:
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    r = c.api.post("/boards/uploads", {"content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * 500)
    return r.json["key"]


def _board_inspection_body(c, hid: str | None = None) -> dict:
    return {"household": hid or c.household(members=1)["id"], "scores": {"courtyard": 8, "sorting": 7, "frontage": 9},
            "photos": [_board_photo(c, c.tokens["grid_worker"])], "note": "隔离测试：院内整洁"}


def _board_inspection(c, hid: str | None = None) -> dict:
    r = c.api.post("/boards/inspections", _board_inspection_body(c, hid), token=c.tokens["grid_worker"],
                   headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return r.json


def _villager_hid(c) -> str:
    return c.api.get("/me", token=c.tokens["villager"]).json["grants"][0]["household"]


def _appealed(c) -> str:
    iid = _board_inspection(c, _villager_hid(c))["id"]
    r = c.api.post(f"/boards/inspections/{iid}/appeal", {"reason": "隔离测试：那天在翻修"}, token=c.tokens["villager"],
                   headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return iid


def b_board_criteria(c):
    return "/boards/criteria", None


def b_set_board_criteria(c):
    return "/boards/criteria", {"criteria": [{"key": "courtyard", "name": "庭院卫生", "weight": 50, "max_score": 10},
                                             {"key": "sorting", "name": "垃圾分类", "weight": 30, "max_score": 10},
                                             {"key": "frontage", "name": "门前三包", "weight": 20, "max_score": 10}]}


def b_board_upload(c):
    return "/boards/uploads", {"content_type": "image/jpeg"}


def b_inspect_household(c):
    return "/boards/inspections", _board_inspection_body(c)


def b_board_history(c):
    hid = _board_inspection(c)["household"]
    return f"/boards/households/{hid}/history", None


def b_appeal_board_score(c):
    iid = _board_inspection(c, _villager_hid(c))["id"]
    return f"/boards/inspections/{iid}/appeal", {"reason": "隔离测试：打分有误"}


def b_decide_board_appeal(c):
    return f"/boards/inspections/{_appealed(c)}/decision", {"outcome": "uphold", "note": "隔离测试：维持原评分"}


def b_board_appeals(c):
    return f"/boards/villages/{c.village}/appeals", None


def b_board_settings(c):
    return f"/boards/villages/{c.village}/settings", None


def b_set_board_settings(c):
    return f"/boards/villages/{c.village}/settings", {"red_count": 5, "red_min": 85, "black_count": 5,
                                                      "black_below": 60, "black_names": "masked"}


def b_board_draft(c):
    _board_inspection(c)
    return f"/boards/villages/{c.village}/{_month()}/draft", None


def b_publish_board(c):
    _board_inspection(c)  # the board changes: publishing it makes a new version
    return f"/boards/villages/{c.village}/{_month()}/publish", {"note": "隔离测试：本月红黑榜"}


def b_published_board(c):
    path, body = b_publish_board(c)
    r = c.api.post(path, body, token=c.tokens["village_admin"])
    assert r.status_code == 200, r.json
    return path.rsplit("/publish", 1)[0], None


# 通知公告: offices publish from their place (a village admin from the village); a notice to grid 1 is read by its
# villagers; receipts per place for the offices and the grid's workers
def _notice(c, **over) -> dict:
    body = {"place": c.village, "title": "隔离测试通知", "body": "请各户注意。", "targets": [c.grid], **over}
    r = c.api.post("/notices", body, token=c.tokens["village_admin"], headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return r.json


def _scheduled_notice(c) -> dict:
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    return _notice(c, publish_at=at)


def b_notice_upload(c):
    return "/notices/uploads", {"content_type": "application/pdf", "name": "通知.pdf"}


_notice_seq = itertools.count(1)


def b_publish_notice(c):
    return "/notices", {"place": c.village, "title": f"隔离测试通知{next(_notice_seq)}", "body": "请各户注意。"}


def b_my_notices(c):
    return "/notices", None


def b_urgent_notices(c):
    return "/notices/urgent", None


def b_sent_notices(c):
    return f"/notices/sent?place={c.village}", None


def b_notice(c):
    return f"/notices/{_notice(c)['id']}", None


def b_update_notice(c):
    n = _scheduled_notice(c)
    return f"/notices/{n['id']}", {"title": "隔离测试通知（更正）", "body": "改期。", "targets": [c.grid],
                                   "publish_at": n["publish_at"], "version": n["version"]}


def b_withdraw_notice(c):
    return f"/notices/{_notice(c)['id']}/withdraw", None


def b_read_notice(c):
    return f"/notices/{_notice(c)['id']}/read", None


def b_notice_receipts(c):
    return f"/notices/{_notice(c)['id']}/receipts?place={c.grid}", None


# --- 党员先锋 (chalicelib/vanguard) ---

def _vg_member(c) -> tuple[str, str]:
    """A party member of the county's (or the view's) village, at its grid 1, made once per village and replaced
    after 20 deeds (the per-day limit is 30); c.tokens["party_member"] is them (the owner of their routes)."""
    held = getattr(c, "_vg_pm", None)
    if held is None or held[0] != c.village or held[3] >= 20:
        token = c.add_staff("party_member", c.grid)
        held = [c.village, token, c.api.get("/me", token=token).json["user_id"], 0]
        c._vg_pm = held
    c.tokens["party_member"] = held[1]
    return held[1], held[2]


def _vg_photo(c, token: str) -> str:
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    r = c.api.post("/vanguard/uploads", {"content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * 500)
    return r.json["key"]


def _vg_body(c) -> dict:
    token, _ = _vg_member(c)
    c._vg_pm[3] += 1
    return {"text": "隔离测试：帮助独居老人打扫庭院", "photos": [_vg_photo(c, token)]}


def _vg_deed(c, approved: bool = True) -> str:
    token, _ = _vg_member(c)
    r = c.api.post("/vanguard/deeds", _vg_body(c), token=token)
    assert r.status_code == 201, r.json
    if approved:
        ok = c.api.post(f"/vanguard/deeds/{r.json['id']}/decision", {"action": "approve"},
                        token=c.tokens["village_admin"])
        assert ok.status_code == 200, ok.json
    return r.json["id"]


def b_vg_upload(c):
    _vg_member(c)
    return "/vanguard/uploads", {"content_type": "image/jpeg"}


def b_vg_post(c):
    return "/vanguard/deeds", _vg_body(c)


def b_vg_feed(c):
    _vg_deed(c)
    return f"/vanguard/deeds?place={c.village}", None


def b_vg_queue(c):
    _vg_deed(c, approved=False)
    return f"/vanguard/deeds/pending?village={c.village}", None


def b_vg_mine(c):
    _vg_deed(c, approved=False)
    return "/vanguard/deeds/mine", None


def b_vg_deed(c):
    return f"/vanguard/deeds/{_vg_deed(c)}", None


def b_vg_decide(c):
    return f"/vanguard/deeds/{_vg_deed(c, approved=False)}/decision", {"action": "approve"}


def b_vg_like(c):
    return f"/vanguard/deeds/{_vg_deed(c)}/like", None


def b_vg_comment(c):
    return f"/vanguard/deeds/{_vg_deed(c)}/comments", {"text": "隔离测试：为党员点赞"}


def b_vg_comments(c):
    return f"/vanguard/deeds/{_vg_deed(c)}/comments", None


def b_vg_comment_queue(c):
    return f"/vanguard/comments/pending?village={c.village}", None


def b_vg_moderate(c):
    did = _vg_deed(c)
    r = c.api.post(f"/vanguard/deeds/{did}/comments", {"text": "隔离测试：点赞"}, token=c.tokens["villager"])
    assert r.status_code == 201, r.json
    return f"/vanguard/deeds/{did}/comments/{r.json['id']}/decision", {"action": "approve"}


def b_vg_rules(c):
    return "/vanguard/rules", None


def b_vg_set_rules(c):
    version = c.api.get("/vanguard/rules", token=c.tokens["county_admin"]).json["version"]
    return "/vanguard/rules", {"rules": {"like": {"points": 1, "monthly_cap": 30}}, "version": version}


def b_vg_award(c):
    return "/vanguard/points/awards", {"member": _vg_member(c)[1], "source": "study",
                                       "ref": f"iso-{next(_grid_seq)}-{new_phone()}", "note": "隔离测试党课"}


def b_vg_correct(c):
    return "/vanguard/points/corrections", {"member": _vg_member(c)[1], "points": 1, "reason": "隔离测试补记"}


def b_vg_points(c):
    return f"/vanguard/points/{_vg_member(c)[1]}", None


def b_vg_index(c):
    from chalicelib.core import clock

    return f"/vanguard/index?place={c.village}&period={clock.now().astimezone(clock.SHANGHAI):%Y-%m}", None


# 紧急招募令 (volunteers): residents opt in and sign up; the village's office (or above) posts and organises

def _vcall_body(c) -> dict:
    from chalicelib.core import clock

    at = clock.now()
    return {"place": c.village, "title": f"隔离测试招募{next(_grid_seq)}", "description": "送村医下乡",
            "address": "村委会门口", "starts_at": (at + dt.timedelta(hours=24)).isoformat(),
            "ends_at": (at + dt.timedelta(hours=30)).isoformat(), "slots": 5}


def _vcall(c) -> dict:
    r = c.api.post("/volunteers/calls", _vcall_body(c), token=c.tokens["village_admin"],
                   headers={"Idempotency-Key": f"iso-vcall-{new_phone()}"})
    assert r.status_code == 201, r.json
    return r.json


def _vsignup(c, cid: str) -> dict:
    r = c.api.post(f"/volunteers/calls/{cid}/signups", token=c.tokens["villager"])
    assert r.status_code == 200 and r.json["mine"]["status"] == "confirmed", r.json
    return r.json["mine"]


def b_vol_me(c):
    return "/volunteers/me", None


def b_vol_opt_in(c):
    return "/volunteers/me", {"skills": ["驾驶"], "sms": False}


def b_vol_post(c):
    return "/volunteers/calls", _vcall_body(c)


def b_vol_calls(c):
    return f"/volunteers/calls?place={c.village}", None


def b_vol_call(c):
    return f"/volunteers/calls/{_vcall(c)['id']}", None


def b_vol_update(c):
    call = _vcall(c)
    return f"/volunteers/calls/{call['id']}", {**_vcall_body(c), "slots": 6, "version": call["version"]}


def b_vol_cancel(c):
    return f"/volunteers/calls/{_vcall(c)['id']}/cancel", None


def b_vol_signup(c):
    return f"/volunteers/calls/{_vcall(c)['id']}/signups", None


def b_vol_signup_cancel(c):
    cid = _vcall(c)["id"]
    _vsignup(c, cid)
    return f"/volunteers/calls/{cid}/signups/mine", None


def b_vol_roster(c):
    return f"/volunteers/calls/{_vcall(c)['id']}/roster?reveal=true", None


def b_vol_roster_export(c):
    return f"/volunteers/calls/{_vcall(c)['id']}/roster.xlsx", None


def b_vol_checkin(c):
    cid = _vcall(c)["id"]
    return f"/volunteers/calls/{cid}/checkins", {"code": _vsignup(c, cid)["code"]}


def b_vol_checkout(c):
    cid = _vcall(c)["id"]
    code = _vsignup(c, cid)["code"]
    r = c.api.post(f"/volunteers/calls/{cid}/checkins", {"code": code}, token=c.tokens["village_admin"])
    assert r.status_code == 200, r.json
    return f"/volunteers/calls/{cid}/checkouts", {"code": code}


def b_vol_hours(c):
    cid = _vcall(c)["id"]
    return f"/volunteers/calls/{cid}/hours", {"signup": _vsignup(c, cid)["id"], "hours": 2}


# 专题授课 (lectures): the county's office makes courses and uploads videos; a 党员学习 course is watched and
# commented on by party members (a villager who is not one is refused)

def _lc_course(c, audience: str = "all", publish: bool = True) -> tuple[str, str]:
    """A course of the county with one small video: (course id, video id)."""
    admin = c.tokens["county_admin"]
    r = c.api.post("/lectures/courses", {"title": "隔离测试课程", "audience": audience}, token=admin)
    assert r.status_code == 201, r.json
    cid = r.json["id"]
    up = _lc_upload(c, cid)
    etag = _put_part(up["parts"][0]["url"], b"v" * 100)
    r = c.api.post(f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}/complete",
                   {"parts": [{"number": 1, "etag": etag}]}, token=admin)
    assert r.status_code == 200, r.json
    vid = r.json["id"]
    if publish:
        cur = c.api.get(f"/lectures/courses/{cid}", token=admin).json
        r = c.api.put(f"/lectures/courses/{cid}", {"title": cur["title"], "audience": audience,
                                                   "status": "published", "videos": [vid],
                                                   "version": cur["version"]}, token=admin)
        assert r.status_code == 200, r.json
    return cid, vid


def _lc_upload(c, cid: str) -> dict:
    r = c.api.post(f"/lectures/courses/{cid}/videos/uploads",
                   {"title": "第一讲", "content_type": "video/mp4", "size": 100, "duration_s": 60},
                   token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return r.json


def _lc_party_video(c) -> str:
    _vg_member(c)
    return _lc_course(c, audience="party")[1]


def b_lc_courses(c):
    return "/lectures/courses", None


def b_lc_create(c):
    return "/lectures/courses", {"title": "隔离测试课程", "place": c.code}


def b_lc_course(c):
    _vg_member(c)
    return f"/lectures/courses/{_lc_course(c, audience='party')[0]}", None


def b_lc_update(c):
    cid, vid = _lc_course(c, publish=False)
    cur = c.api.get(f"/lectures/courses/{cid}", token=c.tokens["county_admin"]).json
    return f"/lectures/courses/{cid}", {"title": "隔离测试课程（改）", "audience": "all", "status": "published",
                                        "videos": [vid], "version": cur["version"]}


def b_lc_start_upload(c):
    cid, _ = _lc_course(c, publish=False)
    return f"/lectures/courses/{cid}/videos/uploads", {"title": "第二讲", "content_type": "video/webm", "size": 100,
                                                       "duration_s": 60}


def b_lc_upload(c):
    cid, _ = _lc_course(c, publish=False)
    return f"/lectures/courses/{cid}/videos/uploads/{_lc_upload(c, cid)['upload_id']}", None


def b_lc_complete(c):
    cid, _ = _lc_course(c, publish=False)
    up = _lc_upload(c, cid)
    body = {"parts": [{"number": 1, "etag": _put_part(up["parts"][0]["url"], b"w" * 100)}]}
    return f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}/complete", body


def b_lc_stats(c):
    return f"/lectures/courses/{_lc_course(c)[0]}/stats?place={c.code}", None


def b_lc_video(c):
    return f"/lectures/videos/{_lc_party_video(c)}", None


def b_lc_progress(c):
    return f"/lectures/videos/{_lc_party_video(c)}/progress", {"position_s": 1, "ranges": [[0, 1]]}


def b_lc_comments(c):
    return f"/lectures/videos/{_lc_party_video(c)}/comments", None


def b_lc_comment(c):
    return f"/lectures/videos/{_lc_party_video(c)}/comments", {"text": "隔离测试：学习了"}


def _lc_comment(c) -> str:
    vid = _lc_party_video(c)
    r = c.api.post(f"/lectures/videos/{vid}/comments", {"text": "隔离测试：待审核"}, token=c.tokens["party_member"])
    assert r.status_code == 201, r.json
    return r.json["id"]


def b_lc_queue(c):
    _lc_comment(c)
    return f"/lectures/comments/pending?place={c.code}", None


def b_lc_moderate(c):
    return f"/lectures/comments/{_lc_comment(c)}/decision", {"action": "approve"}


# 视频简历 (recruitment/video_api.py): a resident's own upload in parts; 视频面试 (interviews): a room's two parties

def _video_upload(c, size: int = 100) -> dict:
    r = c.api.post("/recruitment/profile/video/uploads", {"content_type": "video/webm", "size": size, "seconds": 30},
                   token=c.tokens["villager"], headers={"Idempotency-Key": f"iso-video-{new_phone()}"})
    assert r.status_code == 201, r.json
    return r.json


def _put_part(url: str, data: bytes) -> str:
    import urllib.request

    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "video/webm"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers["ETag"]


def _video_parts(c) -> tuple[str, dict]:
    up = _video_upload(c)
    return up["upload_id"], {"parts": [{"number": 1, "etag": _put_part(up["parts"][0]["url"], b"v" * 100)}]}


def b_start_video_upload(c):
    return "/recruitment/profile/video/uploads", {"content_type": "video/mp4", "size": 1000, "seconds": 60}


def b_video_upload(c):
    return f"/recruitment/profile/video/uploads/{_video_upload(c)['upload_id']}", None


def b_complete_video_upload(c):
    uid, body = _video_parts(c)
    return f"/recruitment/profile/video/uploads/{uid}/complete", body


def b_my_video(c):
    return "/recruitment/profile/video", None


def b_delete_my_video(c):
    uid, body = _video_parts(c)
    r = c.api.post(f"/recruitment/profile/video/uploads/{uid}/complete", body, token=c.tokens["villager"])
    assert r.status_code == 200, r.json
    return "/recruitment/profile/video", None


def _room(c, **delta) -> str:
    """An online interview open now, hosted by c's villager (the guest is someone else)."""
    from chalicelib.interviews import service

    host = c.api.get("/me", token=c.tokens["villager"]).json["user_id"]
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(**(delta or {"minutes": 5}))).strftime("%Y-%m-%dT%H:%M:%SZ")
    return service.create(c.code, kind="isolation", ref=new_phone(), host_uid=host, guest_uid=f"guest-{new_phone()}",
                          at=at, mode="online", title="隔离测试面试")["id"]


def b_my_interviews(c):
    return "/interviews/mine", None


def b_interview(c):
    return f"/interviews/{_room(c)}", None


def b_admit_interview_guest(c):
    from chalicelib.core import clock
    from chalicelib.interviews import service

    rid = _room(c)
    return f"/interviews/{rid}/admit", {"code": service.make_code(c.code, rid, clock.epoch() + 3600)}


def b_post_interview_signal(c):
    return f"/interviews/{_room(c)}/signals", {"type": "offer", "data": {"type": "offer", "sdp": "v=0"}}


def b_interview_signals(c):
    return f"/interviews/{_room(c)}/signals?after=0000000000000000000", None


# 智慧招聘: a verified employer (and a second one), a seeker with a profile, made in the county the builder is given
def _rc_licence() -> str:
    import random

    from chalicelib.recruitment.schemas import LICENCE_CHARS, licence_check_char

    first = "913308" + "".join(random.choice(LICENCE_CHARS) for _ in range(11))
    return first + licence_check_char(first)


def _rc_people(c) -> None:
    """c.tokens["employer"], ["employer2"] (verified employers: villagers who applied, refreshed after the county's
    verification) and ["seeker"] (a villager with a profile)."""
    for key in ("employer", "employer2"):
        if key in c.tokens:
            continue
        s = c.villager(c.household(members=1)["id"])[1]
        r = c.api.post("/recruitment/employers", {"company": f"隔离测试{key}公司", "licence_no": _rc_licence(),
                                                  "contact_name": "钱经理", "address": "工业园区1号"},
                       token=s["access_token"])
        assert r.status_code == 201, r.json
        d = c.api.post(f"/recruitment/employers/{r.json['id']}/decision", {"decision": "verify"},
                       token=c.tokens["county_admin"])
        assert d.status_code == 200, d.json
        c.tokens[key] = c.api.post("/auth/refresh", {"refresh_token": s["refresh_token"]}).json["access_token"]
    if "seeker" not in c.tokens:
        tok = c.villager(c.household(members=1)["id"])[1]["access_token"]
        r = c.api.put("/recruitment/profile", {"name": "隔离求职者", "skills": ["电工"]}, token=tok)
        assert r.status_code == 200, r.json
        c.tokens["seeker"] = tok


def _rc_job_body(c) -> dict:
    return {"title": "隔离测试岗位", "category": "普工", "pay_min": 3000, "pay_max": 4000, "township": c.township,
            "place": "园区", "openings": 3}


def _rc_job(c) -> str:
    _rc_people(c)
    r = c.api.post("/recruitment/jobs", _rc_job_body(c), token=c.tokens["employer"])
    assert r.status_code == 201, r.json
    return r.json["id"]


def _rc_application(c, offered: bool = False) -> str:
    jid = _rc_job(c)
    r = c.api.post(f"/recruitment/jobs/{jid}/applications", token=c.tokens["seeker"])
    assert r.status_code == 201, r.json
    if offered:
        o = c.api.post(f"/recruitment/applications/{r.json['id']}/offer", {}, token=c.tokens["employer"])
        assert o.status_code == 200, o.json
    return r.json["id"]


def b_rc_apply_employer(c):
    c.tokens["applicant"] = c.villager(c.household(members=1)["id"])[1]["access_token"]
    return "/recruitment/employers", {"company": "隔离测试申请公司", "licence_no": _rc_licence(),
                                      "contact_name": "钱经理", "address": "工业园区2号"}


def b_rc_employer_decision(c):
    tok = c.villager(c.household(members=1)["id"])[1]["access_token"]
    path, body = b_rc_apply_employer(c)
    r = c.api.post(path, body, token=tok)
    assert r.status_code == 201, r.json
    return f"/recruitment/employers/{r.json['id']}/decision", {"decision": "refuse", "reason": "隔离测试"}


def b_rc_jobs_mine(c):
    _rc_people(c)
    return "/recruitment/jobs/mine", None


def b_rc_post_job(c):
    _rc_people(c)
    return "/recruitment/jobs", _rc_job_body(c)


def b_rc_update_job(c):
    return f"/recruitment/jobs/{_rc_job(c)}", {**_rc_job_body(c), "rev": 1}


def b_rc_close_job(c):
    return f"/recruitment/jobs/{_rc_job(c)}/close", None


def b_rc_job(c):
    return f"/recruitment/jobs/{_rc_job(c)}", None


def b_rc_applicants(c):
    return f"/recruitment/jobs/{_rc_application(c)[:12]}/applicants", None


def b_rc_apply(c):
    return f"/recruitment/jobs/{_rc_job(c)}/applications", {"note": "隔离测试：有叉车证"}


def b_rc_interview(c):
    return f"/recruitment/applications/{_rc_application(c)}/interview", {"at": "2099-01-01T09:00:00+08:00",
                                                                          "mode": "online"}


def b_rc_offer(c):
    return f"/recruitment/applications/{_rc_application(c)}/offer", {"note": "隔离测试"}


def b_rc_reject(c):
    return f"/recruitment/applications/{_rc_application(c)}/reject", {"note": "隔离测试"}


def b_rc_accept(c):
    return f"/recruitment/applications/{_rc_application(c, offered=True)}/accept", None


def b_rc_decline(c):
    return f"/recruitment/applications/{_rc_application(c, offered=True)}/decline", None


def b_rc_own(path: str, body=None):
    return lambda c: (path, body)


# 县级后台 (backoffice): the county's offices read the quality page (a township official their township); the county
# admin and the organisation department make the quarterly report, made by its job (run here in-process).

def _bo_period(quarter: bool = False) -> str:
    d = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}" if quarter else d.strftime("%Y-%m")


def _bo_report(c: County, done: bool = False) -> str:
    """One report of the county (made once per county and kept), its job run when `done`."""
    rid = getattr(c, "_bo_report", None)
    if rid is None:
        r = c.api.post("/backoffice/reports", {"quarter": _bo_period(True)}, token=c.tokens["county_admin"],
                       headers={"Idempotency-Key": f"iso-bo-{new_phone()}"})
        assert r.status_code == 201, r.json
        rid = c._bo_report = r.json["id"]
    if done:
        from chalicelib.core import jobs

        jobs.run({"job": "quarterly_report", "county": c.code, "township": rid,
                  "at": dt.datetime.now(dt.UTC).isoformat(), "id": f"iso-{rid}"})
    return rid


def b_bo_quality(c):
    return f"/backoffice/quality?period={_bo_period()}", None


def b_bo_quality_export(c):
    return f"/backoffice/quality/export?period={_bo_period()}", None


def b_bo_report_create(c):
    return "/backoffice/reports", {"quarter": _bo_period(True)}


def b_bo_reports(c):
    return "/backoffice/reports", None


def b_bo_report(c):
    return f"/backoffice/reports/{_bo_report(c)}", None


def b_bo_report_print(c):
    return f"/backoffice/reports/{_bo_report(c, done=True)}/print", None


# Out-of-scope callers of the first county (c):
#   grid2_worker      grid worker of a sibling grid (G02)
#   prefix_worker     grid worker of G01, whose code is a prefix of grid 1's code (G011)
#   village2_admin    village admin of a sibling village
#   villager          villager of another household in grid 1
#   household_villager  villager linked to the very household of the request (may read it, never change it)
#   epidemic_command  county-wide role that may read households but not write anything
#   grid_worker       grid 1's own worker, on office routes (right place, wrong role)
#   county_admin      the county's own admin, on platform-operator routes
# 问题分析 (insights): the county's offices read aggregates of the county; a township official their township
def b_insight(path):
    def build(c):
        return f"{path}?place={c.township}", None
    return build


def b_insight_export(c):
    return "/insights/export", {"table": "cases", "place": c.township, "weeks": 4}


def b_place_location(c):
    return f"/places/{c.village}/location", {"lng": 119.17, "lat": 29.03}


# 数据权利 (datarights): the county admin only
def _dr_export(c) -> str:
    """An export item of the county, made directly (no job runs in the matrix)."""
    import secrets as _secrets

    from chalicelib.core import clock as _clock
    from chalicelib.datarights.models import CountyExport

    eid = f"{_clock.epoch() * 1000:013d}{_secrets.token_hex(3)}"
    CountyExport(*CountyExport.keys(c.code, eid), eid=eid, requested_by="x", created_at=_clock.iso(),
                 status="failed").save()
    return eid


def b_dr_export_post(c):
    from chalicelib.datarights.models import CountyExport

    for e in CountyExport.query(CountyExport.keys(c.code, "")[0]):  # one at a time: earlier ones of the matrix end
        if e.status in ("queued", "running"):
            e.update(actions=[CountyExport.status.set("failed")])
    return "/datarights/exports", {}


def b_dr_exports(c):
    return "/datarights/exports", None


def b_dr_export(c):
    return f"/datarights/exports/{_dr_export(c)}", None


def b_dr_retention(c):
    return "/datarights/retention", None


def b_dr_set_retention(c):
    return "/datarights/retention", {"health_days": 90, "photo_days": 730}


def b_dr_audit(c):
    return "/datarights/audit?what=county_export", None


IN_GRID = ("grid2_worker", "prefix_worker", "village2_admin", "villager")
INS_OUT = ("village_admin", "grid_worker", "villager")
DR_OUT = ("township_official", "epidemic_command", "village_admin", "grid_worker", "villager")
HH_WRITE = IN_GRID + ("household_villager", "epidemic_command")
OFFICE = ("grid_worker", "villager", "epidemic_command")
PLATFORM = ("county_admin", "villager")
COMMAND = ("grid_worker", "villager", "village_admin", "township_official")  # county epidemic command's routes
COUNTY_OFFICE = ("township_official", "village_admin", "grid_worker", "epidemic_command")  # the county admin's own
RC_HIRE = ("employer2", "seeker", "villager", "county_admin")  # 智慧招聘: another employer, seekers, the county

CASES: dict[tuple[str, str], Case] = {
    ("POST", "/auth/switch"): Case(b_switch, "county_admin"),
    ("GET", "/me"): Case(b_me, "county_admin", cross="own"),
    ("GET", "/home"): Case(b_home, "villager", cross="own"),
    ("POST", "/households"): Case(b_create_household, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("GET", "/households"): Case(b_list_households, "grid_worker", IN_GRID),
    ("GET", "/households/{hid}"): Case(b_get_household, "grid_worker", IN_GRID),
    ("PUT", "/households/{hid}"): Case(b_update_household, "grid_worker", HH_WRITE),
    ("POST", "/households/{hid}/members"): Case(b_add_member, "grid_worker", HH_WRITE),
    ("DELETE", "/households/{hid}/members/{mid}"): Case(b_remove_member, "grid_worker", HH_WRITE),
    ("PUT", "/households/{hid}/members/{mid}"): Case(b_update_member, "grid_worker", HH_WRITE),
    ("GET", "/inbox"): Case(b_inbox, "grid_worker", cross="own"),
    ("POST", "/inbox/{message}/read"): Case(b_read_inbox, "grid_worker", IN_GRID),
    ("POST", "/households/{hid}/invites"): Case(b_household_invite, "grid_worker", HH_WRITE),
    ("POST", "/links"): Case(b_link, "newcomer", cross="invite"),
    ("GET", "/coverage"): Case(b_coverage, "grid_worker", IN_GRID),
    ("POST", "/imports/uploads"): Case(b_upload_form, "county_admin", OFFICE, cross="own"),
    ("POST", "/imports"): Case(b_run_import, "county_admin", OFFICE + ("village2_admin",),
                               denied=DENIED_OR_INVALID),
    # (another village's admin gets a preview whose rows are all forbidden_scope errors, and nothing of the first
    # village: tests/functional/test_imports.py)
    ("POST", "/imports/preview"): Case(b_preview_import, "county_admin", OFFICE, denied=DENIED_OR_INVALID),
    ("GET", "/members"): Case(b_find_people, "grid_worker", IN_GRID),
    ("POST", "/places"): Case(b_create_place, "county_admin", OFFICE + ("village2_admin",),
                              denied=DENIED_OR_INVALID),
    ("GET", "/places"): Case(b_list_places, "grid_worker", IN_GRID),
    ("GET", "/places/townships"): Case(b_townships, "villager", cross="own"),
    ("GET", "/places/{code}"): Case(b_get_place, "grid_worker", IN_GRID),
    ("PUT", "/places/{code}/location"): Case(b_place_location, "village_admin",
                                               ("grid_worker", "villager", "village2_admin", "epidemic_command")),
    # 问题分析: the county's offices (county admin, read-only county roles), a township official for the township
    ("GET", "/insights/cases"): Case(b_insight("/insights/cases"), "township_official", INS_OUT),
    ("GET", "/insights/hotspots"): Case(b_insight("/insights/hotspots"), "township_official", INS_OUT),
    ("GET", "/insights/words"): Case(b_insight("/insights/words"), "township_official", INS_OUT),
    ("GET", "/insights/anomalies"): Case(b_insight("/insights/anomalies"), "township_official", INS_OUT),
    ("POST", "/insights/export"): Case(b_insight_export, "township_official", INS_OUT),
    # 数据权利: the county admin only
    ("POST", "/datarights/exports"): Case(b_dr_export_post, "county_admin", DR_OUT, cross="own"),
    ("GET", "/datarights/exports"): Case(b_dr_exports, "county_admin", DR_OUT, cross="own"),
    ("GET", "/datarights/exports/{eid}"): Case(b_dr_export, "county_admin", DR_OUT),
    ("GET", "/datarights/retention"): Case(b_dr_retention, "county_admin", DR_OUT, cross="own"),
    ("PUT", "/datarights/retention"): Case(b_dr_set_retention, "county_admin", DR_OUT, cross="own"),
    ("GET", "/datarights/audit"): Case(b_dr_audit, "county_admin", DR_OUT, cross="own"),
    ("POST", "/staff"): Case(b_invite_staff, "county_admin", OFFICE + ("village2_admin",),
                             denied=DENIED_OR_INVALID),
    ("GET", "/staff"): Case(b_list_staff, "county_admin", IN_GRID + ("grid_worker",)),
    ("DELETE", "/staff/{uid}"): Case(b_remove_staff, "county_admin", IN_GRID + OFFICE),
    ("POST", "/counties"): Case(b_onboard, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("GET", "/counties"): Case(b_list_counties, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("GET", "/counties/{code}"): Case(b_get_county, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("PATCH", "/counties/{code}"): Case(b_edit_county, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("POST", "/counties/{code}/disable"): Case(b_disable, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("POST", "/counties/{code}/enable"): Case(b_enable, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("PUT", "/counties/{code}/modules"): Case(b_modules, "operator", PLATFORM, denied=OPERATOR_ONLY),
    ("POST", "/reports"): Case(b_submit_report, "grid_worker", IN_GRID + ("epidemic_command", "village_admin")),
    ("GET", "/reports/today"): Case(b_today_report, "grid_worker", IN_GRID),
    ("GET", "/reports/form"): Case(b_report_form, "grid_worker", IN_GRID),
    ("GET", "/reports"): Case(b_report_history, "grid_worker", IN_GRID),
    ("GET", "/reports/completion"): Case(b_completion, "grid_worker", IN_GRID),
    ("GET", "/reports/trend"): Case(b_trend, "grid_worker", IN_GRID),
    ("GET", "/reports/unreported"): Case(b_unreported, "grid_worker", IN_GRID),
    ("GET", "/reports/settings"): Case(b_get_report_settings, "grid_worker", ("villager",), cross="own"),
    ("PUT", "/reports/settings"): Case(b_put_report_settings, "county_admin", OFFICE[:2] + ("village_admin",),
                                       cross="own"),
    ("GET", "/alerts"): Case(b_list_alerts, "epidemic_command", COMMAND, cross="own"),
    ("POST", "/alerts/{aid}/ack"): Case(b_ack_alert, "epidemic_command", COMMAND + ("county_admin",)),
    ("POST", "/alerts/{aid}/close"): Case(b_close_alert, "epidemic_command", COMMAND + ("county_admin",)),
    ("POST", "/alerts/subscriptions"): Case(b_subscribe_alerts, "epidemic_command", COMMAND, cross="own"),
    # (a villager of the household itself: tests/functional/test_reminders.py)
    ("POST", "/reports/reminders"): Case(b_remind, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("POST", "/party-links"): Case(b_link_party, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("GET", "/party-links"): Case(b_party_households, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("DELETE", "/party-links/{hid}"): Case(b_unlink_party, "grid_worker", HH_WRITE),
    ("GET", "/party-links/members"): Case(b_party_members, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("POST", "/passes"): Case(b_issue_pass, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("POST", "/passes/{pid}/revoke"): Case(b_revoke_pass, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("GET", "/passes/{pid}/status"): Case(b_pass_status, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("POST", "/passes/scan"): Case(b_scan_pass, "checkpoint_staff", ("grid_worker", "villager", "village_admin")),
    ("GET", "/passes/scans"): Case(b_scan_log, "checkpoint_staff", ("grid_worker", "villager", "village2_admin")),
    # anyone, in their own county (a caller with no village of their own must name one: 422)
    ("POST", "/tipoffs"): Case(b_create_tipoff, "villager", cross="own", denied=DENIED_OR_INVALID),
    ("GET", "/tipoffs/mine"): Case(b_my_tipoffs, "villager", cross="own"),
    ("GET", "/tipoffs"): Case(b_list_tipoffs, "village_admin", ("grid_worker", "villager", "village2_admin")),
    ("GET", "/tipoffs/stats"): Case(b_tipoff_stats, "village_admin", ("grid_worker", "villager", "village2_admin")),
    ("GET", "/tipoffs/{tid}"): Case(b_get_tipoff, "village_admin", ("grid_worker", "village2_admin")),
    ("PUT", "/tipoffs/{tid}"): Case(b_handle_tipoff, "village_admin", ("grid_worker", "village2_admin", "villager")),
    # the case workflow: staff of the case's place (the types they may read there); the filer for their own
    ("GET", "/cases"): Case(b_case_inbox, "village_admin", ("grid_worker", "villager", "village2_admin")),
    ("GET", "/cases/mine"): Case(b_my_cases, "villager", cross="own"),
    ("GET", "/cases/types"): Case(b_case_types, "villager", cross="own"),
    ("GET", "/cases/stats"): Case(b_case_stats, "village_admin", ("grid_worker", "villager", "village2_admin")),
    ("GET", "/cases/{ref}"): Case(b_get_case, "village_admin", ("grid_worker", "village2_admin", "villager")),
    ("POST", "/cases/{ref}/actions"): Case(b_act_on_case, "village_admin",
                                           ("grid_worker", "village2_admin", "villager")),
    ("POST", "/cases/uploads"): Case(b_photo_upload, "villager", cross="own", denied=DENIED_OR_INVALID),
    # 随手拍: anyone of the county files (their household's grid), asks for similar ones, reads a village's board
    ("POST", "/snaps"): Case(b_file_snap, "villager", cross="own", denied=DENIED_OR_INVALID),
    ("GET", "/snaps/similar"): Case(b_similar_snaps, "villager", cross="own", denied=DENIED_OR_INVALID),
    ("GET", "/snaps/board"): Case(b_snap_board, "villager", cross="own", denied=DENIED_OR_INVALID),
    ("PUT", "/me/settings"): Case(b_my_settings, "villager", cross="own"),
    ("PUT", "/cases/types/{type}/categories"): Case(b_case_categories, "county_admin", COUNTY_OFFICE, cross="own"),
    # 村民信箱: anyone of a household writes to their own village or township
    ("POST", "/letters"): Case(b_write_letter, "villager", cross="own", denied=DENIED_OR_INVALID),
    # the county's working-day calendar: offices read it, the county admin edits it (their own county's)
    # 网上代办: the catalogue is read by every member of the county, kept by its administrator
    ("GET", "/errands/items"): Case(b_errand_items, "villager", cross="own"),
    ("GET", "/errands/items/{item_id}"): Case(b_errand_item, "villager"),
    ("POST", "/errands/items"): Case(b_create_errand_item, "county_admin", COUNTY_OFFICE, cross="own"),
    ("PUT", "/errands/items/{item_id}"): Case(b_update_errand_item, "county_admin", COUNTY_OFFICE),
    ("POST", "/errands/applications"): Case(b_apply_errand, "villager", denied=DENIED_OR_INVALID),
    ("GET", "/errands/applications/{ref}"): Case(b_errand_application, "village_admin",
                                                 ("grid_worker", "village2_admin", "villager")),
    ("GET", "/errands/stats"): Case(b_errand_stats, "county_admin", ("village_admin", "grid_worker", "villager")),
    ("POST", "/errands/stats/export"): Case(b_export_errand_stats, "county_admin",
                                            ("village_admin", "grid_worker", "villager")),
    ("POST", "/errands/consents"): Case(b_errand_consent, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("GET", "/errands/applications"): Case(b_household_errands, "villager", ("grid2_worker",)),
    ("POST", "/errands/applications/{ref}/actions"): Case(b_errand_step, "village_admin",
                                                         ("grid_worker", "village2_admin", "villager")),
    ("POST", "/errands/import"): Case(b_import_errands, "county_admin", COUNTY_OFFICE, cross="own",
                                      denied=DENIED_OR_INVALID),
    # 红黑榜: criteria read by everyone and kept by the county admin; inspections by the grid's inspectors; the
    # village's cadres see the draft, publish and decide appeals; the household appeals; the village reads the board
    ("GET", "/boards/criteria"): Case(b_board_criteria, "villager", cross="own"),
    ("PUT", "/boards/criteria"): Case(b_set_board_criteria, "county_admin", COUNTY_OFFICE, cross="own"),
    ("POST", "/boards/uploads"): Case(b_board_upload, "grid_worker", ("villager", "epidemic_command"), cross="own"),
    ("POST", "/boards/inspections"): Case(b_inspect_household, "grid_worker", IN_GRID + ("epidemic_command",),
                                          denied=DENIED_OR_INVALID),
    ("GET", "/boards/households/{hid}/history"): Case(b_board_history, "grid_worker", IN_GRID + ("epidemic_command",)),
    ("POST", "/boards/inspections/{iid}/appeal"): Case(b_appeal_board_score, "villager",
                                                       ("grid_worker", "village2_admin", "epidemic_command")),
    ("POST", "/boards/inspections/{iid}/decision"): Case(b_decide_board_appeal, "village_admin",
                                                         ("grid_worker", "village2_admin", "villager")),
    ("GET", "/boards/villages/{village}/appeals"): Case(b_board_appeals, "village_admin",
                                                        ("grid_worker", "village2_admin", "villager")),
    ("GET", "/boards/villages/{village}/settings"): Case(b_board_settings, "village_admin",
                                                         ("village2_admin", "villager", "epidemic_command")),
    ("PUT", "/boards/villages/{village}/settings"): Case(b_set_board_settings, "village_admin",
                                                         ("grid_worker", "village2_admin", "villager")),
    ("GET", "/boards/villages/{village}/{month}/draft"): Case(b_board_draft, "village_admin",
                                                              ("village2_admin", "villager", "epidemic_command")),
    ("POST", "/boards/villages/{village}/{month}/publish"): Case(b_publish_board, "village_admin",
                                                                 ("grid_worker", "village2_admin", "villager")),
    ("GET", "/boards/villages/{village}/{month}"): Case(b_published_board, "villager",
                                                        ("village2_admin", "epidemic_command")),
    ("GET", "/workdays/{year}"): Case(b_get_workdays, "village_admin", ("grid_worker", "villager"), cross="own"),
    ("PUT", "/workdays/{year}/{date}"): Case(b_put_workday, "county_admin",
                                             ("township_official", "village_admin", "grid_worker",
                                              "epidemic_command"), cross="own"),
    # 通知公告: publishing and managing are the offices' at their place; a notice is read by those it is addressed to
    ("POST", "/notices/uploads"): Case(b_notice_upload, "village_admin",
                                       ("grid_worker", "villager", "epidemic_command"), cross="own"),
    ("POST", "/notices"): Case(b_publish_notice, "village_admin",
                               ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("GET", "/notices"): Case(b_my_notices, "villager", cross="own"),
    ("GET", "/notices/urgent"): Case(b_urgent_notices, "villager", cross="own"),
    ("GET", "/notices/sent"): Case(b_sent_notices, "village_admin",
                                   ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("GET", "/notices/{notice}"): Case(b_notice, "villager", ("grid2_worker", "prefix_worker", "village2_admin")),
    ("PUT", "/notices/{notice}"): Case(b_update_notice, "village_admin",
                                       ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("POST", "/notices/{notice}/withdraw"): Case(b_withdraw_notice, "village_admin",
                                                 ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("POST", "/notices/{notice}/read"): Case(b_read_notice, "villager",
                                             ("grid2_worker", "prefix_worker", "village2_admin")),
    ("GET", "/notices/{notice}/receipts"): Case(b_notice_receipts, "grid_worker",
                                                ("grid2_worker", "prefix_worker", "village2_admin", "villager",
                                                 "epidemic_command")),
    # 紧急招募令: residents opt in and sign up for the calls covering their village; the offices post and organise
    ("GET", "/volunteers/me"): Case(b_vol_me, "villager", ("grid_worker", "village_admin"), cross="own"),
    ("PUT", "/volunteers/me"): Case(b_vol_opt_in, "villager", ("grid_worker", "village_admin"), cross="own"),
    ("DELETE", "/volunteers/me"): Case(b_vol_me, "villager", ("grid_worker", "village_admin"), cross="own"),
    ("POST", "/volunteers/calls"): Case(b_vol_post, "village_admin",
                                        ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("GET", "/volunteers/calls"): Case(b_vol_calls, "villager", ("grid2_worker", "village2_admin")),
    ("GET", "/volunteers/calls/{cid}"): Case(b_vol_call, "villager", ("grid2_worker", "village2_admin")),
    ("PUT", "/volunteers/calls/{cid}"): Case(b_vol_update, "village_admin",
                                             ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("POST", "/volunteers/calls/{cid}/cancel"): Case(b_vol_cancel, "village_admin",
                                                     ("grid_worker", "village2_admin", "villager",
                                                      "epidemic_command")),
    ("POST", "/volunteers/calls/{cid}/signups"): Case(b_vol_signup, "villager", ("grid2_worker", "village2_admin")),
    ("DELETE", "/volunteers/calls/{cid}/signups/mine"): Case(b_vol_signup_cancel, "villager",
                                                             ("grid2_worker", "village2_admin")),
    ("GET", "/volunteers/calls/{cid}/roster"): Case(b_vol_roster, "village_admin",
                                                    ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    ("GET", "/volunteers/calls/{cid}/roster.xlsx"): Case(b_vol_roster_export, "village_admin",
                                                         ("grid_worker", "village2_admin", "villager",
                                                          "epidemic_command")),
    ("POST", "/volunteers/calls/{cid}/checkins"): Case(b_vol_checkin, "village_admin",
                                                       ("grid_worker", "village2_admin", "villager",
                                                        "epidemic_command")),
    ("POST", "/volunteers/calls/{cid}/checkouts"): Case(b_vol_checkout, "village_admin",
                                                        ("grid_worker", "village2_admin", "villager",
                                                         "epidemic_command")),
    ("POST", "/volunteers/calls/{cid}/hours"): Case(b_vol_hours, "village_admin",
                                                    ("grid_worker", "village2_admin", "villager", "epidemic_command")),
    # 专题授课: the county's office (not a township's, a village's or the grid) edits its courses and reads their
    # numbers; a 党员学习 course's videos are party members' (and staff's), not other villagers'
    ("GET", "/lectures/courses"): Case(b_lc_courses, "villager", cross="own"),
    ("POST", "/lectures/courses"): Case(b_lc_create, "county_admin", COUNTY_OFFICE),
    ("GET", "/lectures/courses/{cid}"): Case(b_lc_course, "party_member", ("villager",)),
    ("PUT", "/lectures/courses/{cid}"): Case(b_lc_update, "county_admin", COUNTY_OFFICE),
    ("POST", "/lectures/courses/{cid}/videos/uploads"): Case(b_lc_start_upload, "county_admin", COUNTY_OFFICE),
    ("GET", "/lectures/courses/{cid}/videos/uploads/{upload_id}"): Case(b_lc_upload, "county_admin", COUNTY_OFFICE),
    ("DELETE", "/lectures/courses/{cid}/videos/uploads/{upload_id}"): Case(b_lc_upload, "county_admin",
                                                                          COUNTY_OFFICE),
    ("POST", "/lectures/courses/{cid}/videos/uploads/{upload_id}/complete"): Case(b_lc_complete, "county_admin",
                                                                                 COUNTY_OFFICE),
    ("GET", "/lectures/courses/{cid}/stats"): Case(b_lc_stats, "county_admin", COUNTY_OFFICE),
    ("GET", "/lectures/videos/{vid}"): Case(b_lc_video, "party_member", ("villager",)),
    ("PUT", "/lectures/videos/{vid}/progress"): Case(b_lc_progress, "party_member", ("villager",)),
    ("GET", "/lectures/videos/{vid}/comments"): Case(b_lc_comments, "party_member", ("villager",)),
    ("POST", "/lectures/videos/{vid}/comments"): Case(b_lc_comment, "party_member", ("villager",)),
    ("GET", "/lectures/comments/pending"): Case(b_lc_queue, "county_admin", COUNTY_OFFICE),
    ("POST", "/lectures/comments/{cmid}/decision"): Case(b_lc_moderate, "county_admin", COUNTY_OFFICE),
    # 县级后台: county-wide numbers of the caller's own county (a township official: their township); reports are the
    # county admin's and the organisation department's
    ("GET", "/backoffice/quality"): Case(b_bo_quality, "county_admin", ("village_admin", "grid_worker", "villager"),
                                         cross="own"),
    ("GET", "/backoffice/quality/export"): Case(b_bo_quality_export, "county_admin",
                                                ("village_admin", "grid_worker", "villager"), cross="own"),
    ("POST", "/backoffice/reports"): Case(b_bo_report_create, "county_admin", COUNTY_OFFICE + ("villager",),
                                          cross="own"),
    ("GET", "/backoffice/reports"): Case(b_bo_reports, "county_admin", COUNTY_OFFICE + ("villager",), cross="own"),
    ("GET", "/backoffice/reports/{rid}"): Case(b_bo_report, "county_admin", COUNTY_OFFICE + ("villager",)),
    ("GET", "/backoffice/reports/{rid}/print"): Case(b_bo_report_print, "county_admin",
                                                     COUNTY_OFFICE + ("villager",)),
    # 党员先锋: party members post, the village's office (or above) approves and moderates, the village's people see,
    # like and comment; the points rules, awards and corrections are the county's (org department / county admin)
    ("POST", "/vanguard/uploads"): Case(b_vg_upload, "party_member", ("villager", "grid_worker", "village_admin"),
                                        cross="own"),
    ("POST", "/vanguard/deeds"): Case(b_vg_post, "party_member", ("villager", "grid_worker", "village_admin"),
                                      denied=DENIED_OR_INVALID),
    ("GET", "/vanguard/deeds"): Case(b_vg_feed, "villager", ("village2_admin",)),
    ("GET", "/vanguard/deeds/pending"): Case(b_vg_queue, "village_admin",
                                             ("village2_admin", "grid_worker", "villager", "epidemic_command")),
    ("GET", "/vanguard/deeds/mine"): Case(b_vg_mine, "party_member", ("villager", "grid_worker"), cross="own"),
    ("GET", "/vanguard/deeds/{did}"): Case(b_vg_deed, "villager", ("village2_admin",)),
    ("POST", "/vanguard/deeds/{did}/decision"): Case(b_vg_decide, "village_admin",
                                                     ("village2_admin", "grid_worker", "villager",
                                                      "epidemic_command")),
    ("PUT", "/vanguard/deeds/{did}/like"): Case(b_vg_like, "villager", ("village2_admin",)),
    ("DELETE", "/vanguard/deeds/{did}/like"): Case(b_vg_like, "villager", ("village2_admin",)),
    ("POST", "/vanguard/deeds/{did}/comments"): Case(b_vg_comment, "villager", ("village2_admin",)),
    ("GET", "/vanguard/deeds/{did}/comments"): Case(b_vg_comments, "villager", ("village2_admin",)),
    ("GET", "/vanguard/comments/pending"): Case(b_vg_comment_queue, "village_admin",
                                                ("village2_admin", "grid_worker", "villager", "epidemic_command")),
    ("POST", "/vanguard/deeds/{did}/comments/{cid}/decision"): Case(b_vg_moderate, "village_admin",
                                                                    ("village2_admin", "grid_worker", "villager",
                                                                     "epidemic_command")),
    ("GET", "/vanguard/rules"): Case(b_vg_rules, "villager", cross="own"),
    ("PUT", "/vanguard/rules"): Case(b_vg_set_rules, "county_admin", COUNTY_OFFICE, cross="own"),
    ("POST", "/vanguard/points/awards"): Case(b_vg_award, "county_admin", COUNTY_OFFICE),
    ("POST", "/vanguard/points/corrections"): Case(b_vg_correct, "county_admin", COUNTY_OFFICE),
    ("GET", "/vanguard/points/{uid}"): Case(b_vg_points, "village_admin",
                                            ("village2_admin", "grid_worker", "villager", "epidemic_command")),
    ("GET", "/vanguard/index"): Case(b_vg_index, "villager"),  # public in the county
    # Open311 client API keys: the county admin's, of their own county (another county's admin manages theirs)
    ("GET", "/open311/keys"): Case(b_list_open311_keys, "county_admin", COUNTY_OFFICE, cross="own"),
    ("POST", "/open311/keys"): Case(b_issue_open311_key, "county_admin", COUNTY_OFFICE, cross="own"),
    ("DELETE", "/open311/keys/{kid}"): Case(b_revoke_open311_key, "county_admin", COUNTY_OFFICE),
    # 智慧招聘: the county verifies employers; a verified employer manages only its own jobs and their applicants;
    # a seeker only their own applications; profiles, alerts and the job list are the caller's own county's
    # (another county's people apply in their own county, where the same licence number is then taken: 409)
    ("POST", "/recruitment/employers"): Case(b_rc_apply_employer, "applicant", cross="own", denied=DENIED + (409,)),
    ("GET", "/recruitment/employers/mine"): Case(b_rc_own("/recruitment/employers/mine"), "villager", cross="own"),
    ("GET", "/recruitment/employers"): Case(b_rc_own("/recruitment/employers?status=pending"), "county_admin",
                                            COUNTY_OFFICE + ("villager",), cross="own"),
    ("POST", "/recruitment/employers/{eid}/decision"): Case(b_rc_employer_decision, "county_admin",
                                                            COUNTY_OFFICE + ("villager",)),
    ("POST", "/recruitment/jobs"): Case(b_rc_post_job, "employer", ("villager", "seeker", "county_admin")),
    ("GET", "/recruitment/jobs"): Case(b_rc_own("/recruitment/jobs"), "villager", cross="own"),
    ("GET", "/recruitment/jobs/mine"): Case(b_rc_jobs_mine, "employer", ("villager", "seeker", "county_admin"),
                                            cross="own"),
    ("GET", "/recruitment/jobs/{jid}"): Case(b_rc_job, "seeker"),
    ("PUT", "/recruitment/jobs/{jid}"): Case(b_rc_update_job, "employer", RC_HIRE),
    ("POST", "/recruitment/jobs/{jid}/close"): Case(b_rc_close_job, "employer", RC_HIRE),
    ("GET", "/recruitment/jobs/{jid}/applicants"): Case(b_rc_applicants, "employer", RC_HIRE),
    ("POST", "/recruitment/jobs/{jid}/applications"): Case(b_rc_apply, "seeker", ("employer",)),
    ("GET", "/recruitment/profile"): Case(b_rc_own("/recruitment/profile"), "villager", cross="own"),
    ("PUT", "/recruitment/profile"): Case(b_rc_own("/recruitment/profile", {"name": "隔离村民"}), "villager",
                                          cross="own"),
    ("GET", "/recruitment/applications/mine"): Case(b_rc_own("/recruitment/applications/mine"), "villager",
                                                    cross="own"),
    ("POST", "/recruitment/applications/{aid}/interview"): Case(b_rc_interview, "employer", RC_HIRE),
    ("POST", "/recruitment/applications/{aid}/offer"): Case(b_rc_offer, "employer", RC_HIRE),
    ("POST", "/recruitment/applications/{aid}/reject"): Case(b_rc_reject, "employer", RC_HIRE),
    ("POST", "/recruitment/applications/{aid}/accept"): Case(b_rc_accept, "seeker", ("villager", "employer")),
    ("POST", "/recruitment/applications/{aid}/decline"): Case(b_rc_decline, "seeker", ("villager", "employer")),
    ("GET", "/recruitment/alerts"): Case(b_rc_own("/recruitment/alerts"), "villager", cross="own"),
    ("PUT", "/recruitment/alerts"): Case(b_rc_own("/recruitment/alerts", {"categories": ["普工"]}), "villager",
                                         cross="own"),
    ("DELETE", "/recruitment/alerts"): Case(b_rc_own("/recruitment/alerts"), "villager", cross="own"),
    # 视频简历: a resident's own (staff hold no recruitment.seek); an upload is its owner's only (404 to others)
    ("POST", "/recruitment/profile/video/uploads"): Case(b_start_video_upload, "villager",
                                                         ("grid_worker", "epidemic_command"), cross="own"),
    ("GET", "/recruitment/profile/video/uploads/{upload_id}"): Case(b_video_upload, "villager",
                                                                    ("grid_worker", "epidemic_command")),
    ("DELETE", "/recruitment/profile/video/uploads/{upload_id}"): Case(b_video_upload, "villager",
                                                                       ("grid_worker", "epidemic_command")),
    ("POST", "/recruitment/profile/video/uploads/{upload_id}/complete"): Case(b_complete_video_upload, "villager",
                                                                              ("grid_worker", "epidemic_command")),
    ("GET", "/recruitment/profile/video"): Case(b_my_video, "villager", ("grid_worker",), cross="own"),
    ("DELETE", "/recruitment/profile/video"): Case(b_delete_my_video, "villager", ("grid_worker",), cross="own"),
    # 视频面试: a room is its host's and guest's only (anyone else, staff included: 404)
    ("GET", "/interviews/mine"): Case(b_my_interviews, "villager", cross="own"),
    ("GET", "/interviews/{room_id}"): Case(b_interview, "villager",
                                           ("grid_worker", "county_admin", "epidemic_command")),
    ("POST", "/interviews/{room_id}/admit"): Case(b_admit_interview_guest, "villager",
                                                  ("grid_worker", "county_admin", "village_admin")),
    ("POST", "/interviews/{room_id}/signals"): Case(b_post_interview_signal, "villager",
                                                    ("grid_worker", "county_admin", "village_admin")),
    ("GET", "/interviews/{room_id}/signals"): Case(b_interview_signals, "villager",
                                                   ("grid_worker", "county_admin", "village_admin")),
}

ROUTE_IDS = [f"{m} {p}" for m, p in sorted(CASES)]


# --- the two counties, once per module ------------------------------------------------------------------------

class World:
    def __init__(self, api: Api, operator_token: str):
        self.api = api
        self.operator_token = operator_token
        self.a = a = County(api, operator_token)  # the county under test
        self.b = County(api, operator_token)  # the other county
        a.operator_token = operator_token
        admin = a.tokens["county_admin"]
        keep = {"prefix_worker": a.tokens["grid_worker"], "village_admin": a.tokens["village_admin"]}
        a.first_grid = a.grid
        a.grid = a.village + "G011"  # grid 1 of the matrix: its code extends G01's
        a.village2 = a.township + "202"
        for code, name in ((a.grid, "第十一网格"), (a.village2, "隔壁村")):
            r = api.post("/places", {"code": code, "name": name}, token=admin)
            assert r.status_code == 201, r.json
        keep["grid2_worker"] = a.add_staff("grid_worker", a.grid2)
        keep["village2_admin"] = a.add_staff("village_admin", a.village2)
        a.add_staff("grid_worker", a.grid)  # county.tokens["grid_worker"]: grid 1's worker, the owner
        a.tokens.update(keep)
        home = a.household()  # the villager's own household, in grid 1
        _, session = a.villager(home["id"])
        a.tokens["villager"] = session["access_token"]
        b_home = self.b.household()  # the other county's villager (its tip-off builders need one)
        self.b.tokens["villager"] = self.b.villager(b_home["id"])[1]["access_token"]
        self.newcomer = api.sign_in(new_phone())["access_token"]  # signed in, in no county
        self._views: dict[str, County] = {}
        self.b_secrets = {b_home["id"]} | {m["id"] for m in b_home["members"]} | {
            m[k] for m in b_home["members"] for k in ("id_number", "phone") if m.get(k)}
        # What of county a must never appear in an answer to someone refused.
        self.secrets = {home["id"]} | {m["id"] for m in home["members"]} | {
            m[k] for m in home["members"] for k in ("id_number", "phone") if m.get(k)}

    def view(self, level: str) -> County:
        """County a seen from its other grid ("grid") or its other village ("village"): the builders then make
        objects there, with that place's own staff and villager, for the object-level checks."""
        if level in self._views:
            return self._views[level]
        a = self.a
        v = copy.copy(a)
        v.tokens = {k: t for k, t in a.tokens.items() if k not in ("checkpoint_staff", "tipster")}
        v.__dict__.pop("_tipoffs", None)  # the view's tip-offs come from villagers of its own place
        v.phones = dict(a.phones)
        if level == "grid":
            v.grid, v.tokens["grid_worker"] = a.grid2, a.tokens["grid2_worker"]
        else:
            v.village, v.grid = a.village2, a.village2 + "G01"
            r = self.api.post("/places", {"code": v.grid, "name": "隔壁村第一网格"}, token=a.tokens["county_admin"])
            assert r.status_code == 201, r.json
            v.add_staff("grid_worker", v.grid)  # into the view's own tokens
            v.tokens["village_admin"] = a.tokens["village2_admin"]
        home = v.household(token=v.tokens["grid_worker"])
        v.tokens["villager"] = v.villager(home["id"])[1]["access_token"]
        self._views[level] = v
        return v

    def token(self, who: str) -> str:
        if who == "operator":
            return self.operator_token
        if who == "newcomer":
            return self.api.sign_in(new_phone())["access_token"]
        return self.a.tokens[who]

    def outsiders(self, case: Case) -> dict[str, str]:
        out = {"other county's county_admin": self.b.tokens["county_admin"],
               "other county's grid_worker": self.b.tokens["grid_worker"],
               "signed-in person of no county": self.newcomer}
        if case.owner != "operator":
            out["platform operator"] = self.operator_token
        return out

    def fresh_outsiders(self) -> dict[str, str]:
        """New people of the other county (redeeming an invite makes them members of the first county)."""
        out = {}
        for role, place in (("county_admin", self.b.code), ("grid_worker", self.b.grid)):
            phone = new_phone()
            r = self.api.post("/staff", {"phone": phone, "name": f"新{role}", "role": role, "place": place},
                              token=self.b.tokens["county_admin"])
            assert r.status_code == 201, r.json
            out[f"other county's {role}"] = self.api.sign_in(phone, self.b.code)["access_token"]
        return out

    def scoped(self, check: str, params: dict[str, str]) -> str:
        if check == "household_villager":
            _, session = self.a.villager(params["hid"])
            return session["access_token"]
        return self.a.tokens[check]


@pytest.fixture(scope="module")
def world(app, operator):
    with Client(app) as c:
        api = Api(c)
        yield World(api, operator_token_for(api))


# --- helpers ----------------------------------------------------------------------------------------------------

def _params(template: str, path: str) -> dict[str, str]:
    rx = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/?]+)", re.escape(template)) + "$"
    m = re.match(rx, path.split("?")[0])
    assert m, f"the builder's path {path!r} is not a request to {template!r}"
    return m.groupdict()


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _claims(token: str) -> dict:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})


def _expired_like(token: str) -> str:
    """The same person's token, properly signed, issued long enough ago to have expired."""
    from chalicelib.core import clock
    from chalicelib.core.auth import tokens
    from chalicelib.core.config import settings
    from chalicelib.core.tenancy import grants_from_json

    c = _claims(token)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings().access_token_ttl + 120)
    clock.set_clock(clock.FrozenClock(past))
    try:
        expired, _ = tokens.issue_access(c["ten"], c["sub"], c["idn"], grants_from_json(c["g"]))
    finally:
        clock.set_clock(clock.Clock())
    assert _claims(expired)["exp"] < dt.datetime.now(dt.UTC).timestamp()
    return expired


def _bad_credentials(owner_token: str, other_tenant: str) -> dict[str, str | None]:
    import jwt

    claims = _claims(owner_token)
    header, _, signature = owner_token.split(".")
    escalated = {**claims, "ten": other_tenant, "g": [{"role": "county_admin", "place": other_tenant}]}
    return {
        "no Authorization header": None,
        "garbage bearer token": "Bearer garbage",
        "empty bearer": "Bearer ",
        "owner's token without the Bearer scheme": owner_token,
        "owner's token under the Basic scheme": f"Basic {owner_token}",
        "forged (owner's claims, another key)": "Bearer " + jwt.encode(claims, "not-the-signing-key-" * 3,
                                                                      algorithm="HS256"),
        "tampered (claims changed, owner's signature)": f"Bearer {header}.{_b64(escalated)}.{signature}",
        "unsigned (alg none)": f"Bearer {_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "expired (owner's, properly signed)": "Bearer " + _expired_like(owner_token),
    }


def _show(r) -> str:
    return r.body.decode("utf-8", "replace")[:300]


def _send(world: World, method: str, path: str, body, token: str | None = None, auth: str | None = None):
    headers = {"authorization": auth} if auth else None
    return world.api.request(method, path, body, token=token, headers=headers)


def _refusal_problems(r, allowed: tuple[int, ...], secrets: set[str], sent: str) -> list[str]:
    out = []
    if r.status_code not in allowed:
        out.append(f"status {r.status_code}, expected one of {allowed}; body: {_show(r)}")
        return out
    if not isinstance(r.json, dict) or set(r.json) != {"error"}:
        out.append(f"a refusal must be the error envelope only, got {_show(r)}")
    text = r.body.decode("utf-8", "replace")
    leaked = [s for s in secrets if s not in sent and s in text]
    if leaked:
        out.append(f"the refusal carries identifiers of the county under test: {leaked}")
    return out


def _own_answer_problems(r, world: World, caller_token: str) -> list[str]:
    """A 2xx on an "own" route must be about the caller's own county, never the county under test."""
    mine = _claims(caller_token).get("ten") or None
    body = r.json if isinstance(r.json, dict) else {}
    out = []
    if "tenant" in body and body["tenant"] != mine:
        out.append(f"answered for tenant {body['tenant']!r}, the caller is in {mine!r}")
    if "key" in body and not (mine and body["key"].startswith(f"{mine}/")):
        out.append(f"an upload key outside the caller's county: {body['key']!r}")
    text = r.body.decode("utf-8", "replace")
    if world.a.code in text or any(s in text for s in world.secrets):
        out.append(f"the answer mentions the county under test: {_show(r)}")
    return out


def _invite_problems(r, world: World) -> list[str]:
    """Redeeming another county's invite code: a session in that county as a villager of that household only."""
    if r.status_code != 200:
        return [f"status {r.status_code}, expected 200 (an invite code is a bearer capability); {_show(r)}"]
    out = []
    if r.json.get("tenant") != world.a.code or r.json.get("roles") != ["villager"]:
        out.append(f"expected a villager session in {world.a.code}, got tenant={r.json.get('tenant')!r} "
                   f"roles={r.json.get('roles')!r}")
    grants = _claims(r.json["access_token"]).get("g", [])
    if not grants or any(g.get("role") != "villager" or g.get("place") != world.a.grid or not g.get("household")
                         for g in grants):
        out.append(f"the new session carries more than the household's villager grant: {grants}")
    return out


# --- the tests ----------------------------------------------------------------------------------------------------

def _route_table(app) -> dict[tuple[str, str], object]:
    return {(method, path): entry for path, methods in app.routes.items() for method, entry in methods.items()}


def test_public_routes_are_exactly_those_declared_public(app):
    from chalicelib.core.http import ROUTES

    declared = {(s.method, s.path) for s in ROUTES if s.public} | {("GET", "/openapi.json")}
    assert declared == PUBLIC, (f"made public without updating PUBLIC: {sorted(declared - PUBLIC)}; "
                                f"no longer public: {sorted(PUBLIC - declared)}")
    table = _route_table(app)
    assert set(table) >= PUBLIC, f"public routes missing from the app: {sorted(PUBLIC - set(table))}"
    wrong = [(m, p) for (m, p), e in table.items()
             if ((m, p) in PUBLIC) != (e.authorizer is None)
             or (e.authorizer is not None and e.authorizer.name != "token_authorizer")]
    assert not wrong, f"routes whose authorizer does not match PUBLIC (public ⇔ no token_authorizer): {wrong}"
    outside = {(m, p) for m, p in table} - {(s.method, s.path) for s in ROUTES}
    assert outside <= PUBLIC, f"routes registered outside endpoint(): {sorted(outside - PUBLIC)}"


def test_every_protected_route_has_a_case(app):
    protected = set(_route_table(app)) - PUBLIC
    missing = sorted(protected - set(CASES))
    assert not missing, ("routes without a case in tests/security/test_isolation.py CASES (add a builder and its "
                         f"checks): {missing}")
    stale = sorted(set(CASES) - protected)
    assert not stale, f"CASES lists routes the app does not have (or that are public): {stale}"


@pytest.mark.parametrize("route", sorted(CASES), ids=ROUTE_IDS)
def test_a_valid_token_is_required(world, route):
    method, template = route
    case = CASES[route]
    path, body = case.build(world.a)
    _params(template, path)
    problems = []
    for label, auth in _bad_credentials(world.token(case.owner), world.b.code).items():
        r = _send(world, method, path, body, auth=auth)
        if r.status_code != 401:
            problems.append(f"{label}: status {r.status_code}, expected 401; body: {_show(r)}")
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("route", sorted(CASES), ids=ROUTE_IDS)
def test_tenant_and_scope_isolation(world, route):
    method, template = route
    case = CASES[route]
    path, body = case.build(world.a)
    params = _params(template, path)
    sent = path + json.dumps(body or {}, ensure_ascii=False)
    problems = []

    # (b) another county, the platform, nobody's county.
    outsiders = world.fresh_outsiders() if case.cross == "invite" else world.outsiders(case)
    for who, token in outsiders.items():
        r = _send(world, method, path, body, token=token)
        if case.cross == "invite":
            found = _invite_problems(r, world)
        elif case.cross == "own" and 200 <= r.status_code < 300:
            found = _own_answer_problems(r, world, token)
        else:
            found = _refusal_problems(r, case.denied, world.secrets, sent)
        problems += [f"(b) {who}: {p}" for p in found]

    # (c) the same county, out of scope.
    for check in case.scope:
        r = _send(world, method, path, body, token=world.scoped(check, params))
        problems += [f"(c) {check}: {p}" for p in _refusal_problems(r, case.denied, world.secrets, sent)]

    # (d) the owner: the object exists and the request is valid, so the refusals above were real.
    r = _send(world, method, path, body, token=world.token(case.owner))
    if not 200 <= r.status_code < 300:
        hint = " (a caller above was let through with this very request)" if problems else ""
        problems.append(f"(d) owner {case.owner}: status {r.status_code}{hint}; body: {_show(r)}")
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


# --- object level (OWASP API1 BOLA), fields (API3) and functions (API5) --------------------------------------------

# A route whose owner legitimately reaches objects of other places of the county (and why).
OBJECT_SCOPE_EXEMPT = {
    ("POST", "/passes/scan"): "a checkpoint checks whoever comes through, from any village of the county",
}
# The owner roles whose reach ends at their grid / their village.
PLACE_SCOPED = {"grid": ("grid_worker",), "village": ("grid_worker", "village_admin", "checkpoint_staff")}
OBJECT_ROUTES = sorted(r for r, c in CASES.items() if c.cross == "deny" and c.owner != "operator")
PLACE_ROUTES = [(r, level) for level, owners in PLACE_SCOPED.items() for r in OBJECT_ROUTES
                if CASES[r].owner in owners and r not in OBJECT_SCOPE_EXEMPT]


def _owner_token(world: World, owner: str) -> str:
    if owner == "checkpoint_staff":
        _checkpoint(world.a)
    if owner == "party_member":
        _vg_member(world.a)
    if owner in ("employer", "seeker"):
        _rc_people(world.a)
    return world.token(owner)


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[f"{m} {p}" for m, p in OBJECT_ROUTES])
def test_ids_of_another_county_are_refused_to_the_owner(world, route):
    """API1: the owner's own valid token with the ids and places of the other county's objects. Ids are unique,
    so a lookup by id alone would find them; every key starts with the caller's tenant, so nothing may."""
    method, template = route
    case = CASES[route]
    path, body = case.build(world.b)
    _params(template, path)
    sent = path + json.dumps(body or {}, ensure_ascii=False)
    r = _send(world, method, path, body, token=_owner_token(world, case.owner))
    problems = [f"county a's {case.owner}: {p}" for p in
                _refusal_problems(r, DENIED_OR_INVALID, world.b_secrets | {world.b.code}, sent)]
    r = _send(world, method, path, body, token=world.b.tokens[case.owner])  # the objects exist, for their owner
    if not 200 <= r.status_code < 300:
        problems.append(f"the other county's own {case.owner}: status {r.status_code}; body: {_show(r)}")
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(("route", "level"), PLACE_ROUTES, ids=[f"{lv}: {m} {p}" for (m, p), lv in PLACE_ROUTES])
def test_ids_of_another_grid_or_village_are_refused_to_the_owner(world, route, level):
    """API1 inside one county: grid 1's worker (or village 1's staff) with the ids of objects of grid 2 (or
    village 2), made there by that place's own staff and villager."""
    method, template = route
    case = CASES[route]
    there = world.view(level)
    path, body = case.build(there)
    _params(template, path)
    sent = path + json.dumps(body or {}, ensure_ascii=False)
    r = _send(world, method, path, body, token=_owner_token(world, case.owner))
    problems = [f"{case.owner} of the first {level}: {p}" for p in
                _refusal_problems(r, DENIED_OR_INVALID, set(), sent)]
    r = _send(world, method, path, body, token=there.tokens[case.owner])
    if not 200 <= r.status_code < 300:
        problems.append(f"the {level}'s own {case.owner}: status {r.status_code}; body: {_show(r)}")
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


# Fields no request body may carry: who owns a record, its identity, bookkeeping and grants come from the token
# and the server, never from the caller.
SERVER_FIELDS = {"tenant": "330000", "id": "forged-id", "version": 99, "created_by": "someone-else",
                 "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
                 "grants": [{"role": "county_admin", "place": "330000"}], "owner": "someone-else",
                 "proxy": True, "reporter": "someone-else", "deleted": True}


def _body_fields() -> dict[tuple[str, str], set[str]]:
    """The request-body properties of every operation, from the OpenAPI document (kept in step with the code by
    tests/functional/test_api_hygiene.py)."""
    doc = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
    out = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ref = ((op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema", {})
                   .get("$ref"))
            if ref:
                schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
                out[(method.upper(), path.removeprefix("/api"))] = set(schema.get("properties", {}))
    return out


BODY_FIELDS = _body_fields()
BODY_ROUTES = sorted(r for r in CASES if r in BODY_FIELDS)


@pytest.mark.parametrize("route", BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
def test_fields_a_caller_may_not_set_are_refused(world, route):
    """API3 (mass assignment): the owner's valid request plus a field the server owns is a 422 naming the field."""
    method, template = route
    case = CASES[route]
    accepted = BODY_FIELDS[route]
    problems = []
    for field, value in SERVER_FIELDS.items():
        if field in accepted:
            continue
        path, body = case.build(world.a)
        r = _send(world, method, path, {**(body or {}), field: value}, token=world.token(case.owner))
        named = r.status_code == 422 and any(d.get("field") == field for d in (r.json or {}).get("error", {}).get(
            "details") or [] if isinstance(d, dict))
        if not named:
            problems.append(f"{field}: status {r.status_code}, expected 422 naming the field; body: {_show(r)}")
    assert not problems, f"{method} {template}:\n  " + "\n  ".join(problems)


def test_staff_cannot_grant_more_than_they_hold(world):
    """API3: an office may invite staff below itself only, never a role above its own or the platform's."""
    a = world.a
    problems = []
    for inviter, role, place in (("village_admin", "county_admin", a.code),
                                 ("village_admin", "township_official", a.township),
                                 ("village_admin", "platform_operator", "*"),
                                 ("county_admin", "platform_operator", "*")):
        r = world.api.post("/staff", {"phone": new_phone(), "name": "越权", "role": role, "place": place},
                           token=a.tokens[inviter])
        if r.status_code not in DENIED_OR_INVALID:
            problems.append(f"{inviter} inviting a {role}: status {r.status_code}; body: {_show(r)}")
    assert not problems, "\n".join(problems)


# What a villager may call (their own identity, household, reports, passes and tip-offs). Every other protected
# route is an office or platform function: a villager is refused it even on their own household (API5).
VILLAGER_ROUTES = frozenset({
    ("POST", "/auth/switch"), ("GET", "/me"), ("GET", "/home"), ("GET", "/places/townships"), ("GET", "/inbox"),
    ("POST", "/inbox/{message}/read"),
    ("POST", "/links"), ("GET", "/households/{hid}"),
    ("POST", "/reports"), ("GET", "/reports/today"), ("GET", "/reports/form"), ("GET", "/reports"),
    ("POST", "/reports/reminders"),
    ("POST", "/passes"), ("POST", "/passes/{pid}/revoke"), ("GET", "/passes/{pid}/status"),
    ("POST", "/tipoffs"), ("GET", "/tipoffs/mine"),
    ("GET", "/cases/mine"), ("GET", "/cases/types"), ("POST", "/cases/uploads"),
    ("POST", "/snaps"), ("GET", "/snaps/similar"), ("GET", "/snaps/board"), ("POST", "/letters"),
    ("PUT", "/me/settings"), ("GET", "/errands/items"), ("GET", "/errands/items/{item_id}"),
    ("POST", "/errands/applications"), ("GET", "/errands/applications/{ref}"),
    ("POST", "/errands/applications/{ref}/actions"), ("GET", "/errands/applications"),
    ("GET", "/boards/criteria"), ("GET", "/boards/households/{hid}/history"),
    ("POST", "/boards/inspections/{iid}/appeal"), ("GET", "/boards/villages/{village}/{month}"),
    ("GET", "/notices"), ("GET", "/notices/urgent"), ("GET", "/notices/{notice}"), ("POST", "/notices/{notice}/read"),
    ("GET", "/vanguard/deeds"), ("GET", "/vanguard/deeds/{did}"), ("PUT", "/vanguard/deeds/{did}/like"),
    ("DELETE", "/vanguard/deeds/{did}/like"), ("POST", "/vanguard/deeds/{did}/comments"),
    ("GET", "/vanguard/deeds/{did}/comments"), ("GET", "/vanguard/rules"), ("GET", "/vanguard/index"),
    # 智慧招聘: anyone of the county may apply for an employer account, seek work, apply, accept or decline
    ("POST", "/recruitment/employers"), ("GET", "/recruitment/employers/mine"), ("GET", "/recruitment/jobs"),
    ("GET", "/recruitment/jobs/{jid}"), ("POST", "/recruitment/jobs/{jid}/applications"),
    ("GET", "/recruitment/profile"), ("PUT", "/recruitment/profile"), ("GET", "/recruitment/applications/mine"),
    ("POST", "/recruitment/applications/{aid}/accept"), ("POST", "/recruitment/applications/{aid}/decline"),
    ("GET", "/recruitment/alerts"), ("PUT", "/recruitment/alerts"), ("DELETE", "/recruitment/alerts"),
    ("POST", "/recruitment/profile/video/uploads"), ("GET", "/recruitment/profile/video/uploads/{upload_id}"),
    ("DELETE", "/recruitment/profile/video/uploads/{upload_id}"),
    ("POST", "/recruitment/profile/video/uploads/{upload_id}/complete"), ("GET", "/recruitment/profile/video"),
    ("DELETE", "/recruitment/profile/video"), ("GET", "/interviews/mine"), ("GET", "/interviews/{room_id}"),
    ("POST", "/interviews/{room_id}/admit"), ("POST", "/interviews/{room_id}/signals"),
    ("GET", "/interviews/{room_id}/signals"),
    # 紧急招募令: residents opt in, list and sign up
    ("GET", "/volunteers/me"), ("PUT", "/volunteers/me"), ("DELETE", "/volunteers/me"), ("GET", "/volunteers/calls"),
    ("GET", "/volunteers/calls/{cid}"), ("POST", "/volunteers/calls/{cid}/signups"),
    ("DELETE", "/volunteers/calls/{cid}/signups/mine"),
    # 专题授课: everyone watches, resumes and comments
    ("GET", "/lectures/courses"), ("GET", "/lectures/courses/{cid}"), ("GET", "/lectures/videos/{vid}"),
    ("PUT", "/lectures/videos/{vid}/progress"), ("GET", "/lectures/videos/{vid}/comments"),
    ("POST", "/lectures/videos/{vid}/comments"),
})
OFFICE_ROUTES = sorted(set(CASES) - VILLAGER_ROUTES)


@pytest.mark.parametrize("route", OFFICE_ROUTES, ids=[f"{m} {p}" for m, p in OFFICE_ROUTES])
def test_office_functions_are_refused_to_villagers(world, route):
    """API5: a villager — linked to the very household the request is about, where there is one — is refused."""
    method, template = route
    case = CASES[route]
    path, body = case.build(world.a)
    params = _params(template, path)
    who = "household_villager" if "hid" in params else "villager"
    r = _send(world, method, path, body, token=world.scoped(who, params))
    sent = path + json.dumps(body or {}, ensure_ascii=False)
    problems = _refusal_problems(r, DENIED_OR_INVALID, world.secrets, sent)
    assert not problems, f"{method} {path} as {who}:\n  " + "\n  ".join(problems)


def test_a_grid_listing_holds_only_that_grid(world):
    """G01 and G011 are different grids: listing G01 must not bring G011's households, staff or place."""
    a, api = world.a, world.api
    problems = []
    r = api.get(f"/households?place={a.first_grid}&limit=100", token=a.tokens["prefix_worker"])
    assert r.status_code == 200, r.json
    foreign = sorted({h["grid"] for h in r.json["items"]} - {a.first_grid})
    if foreign:
        problems.append(f"GET /households?place={a.first_grid} (its own grid worker) lists households of {foreign}")
    r = api.get(f"/staff?place={a.first_grid}&limit=100", token=a.tokens["county_admin"])
    assert r.status_code == 200, r.json
    foreign = sorted({g["place"] for s in r.json["items"] for g in s["grants"]} - {a.first_grid})
    if foreign:
        problems.append(f"GET /staff?place={a.first_grid} lists staff placed at {foreign}")
    r = api.get(f"/places?under={a.first_grid}", token=a.tokens["prefix_worker"])
    assert r.status_code == 200, r.json
    foreign = sorted({p["code"] for p in r.json["items"]} - {a.first_grid})
    if foreign:
        problems.append(f"GET /places?under={a.first_grid} (its own grid worker) lists {foreign}")
    assert not problems, "\n".join(problems)


# --- module switches: a module switched off is off on the server -----------------------------------------------

def _module_routes() -> list[tuple[tuple[str, str], str]]:
    import app as _app  # noqa: F401  (its wiring registers the modules)
    from chalicelib.core import modules
    from chalicelib.core.http import ROUTES

    # A public route of a module checks the switch itself (lectures' HLS playlists: test_lectures_hls.py).
    return sorted(((s.method, s.path), modules.owner(s.package)) for s in ROUTES
                  if modules.owner(s.package) and not s.public)


MODULE_ROUTES = _module_routes()


def test_every_built_module_owns_routes():
    from chalicelib.core import modules

    owners = {m for _, m in MODULE_ROUTES}
    assert owners == modules.ids(), f"modules without routes: {sorted(modules.ids() - owners)}"
    missing = [route for route, _ in MODULE_ROUTES if route not in CASES]
    assert not missing, f"module routes without a case in CASES: {missing}"


@pytest.mark.parametrize(("route", "module"), MODULE_ROUTES, ids=[f"{mod}: {m} {p}" for (m, p), mod in MODULE_ROUTES])
def test_a_module_switched_off_refuses_every_route_of_it(world, route, module):
    """The owner's valid request is 403 module_disabled while the county has the module off, and succeeds again
    once it is back on: the switch is enforced by the server, for every route of the module."""
    method, _ = route
    case = CASES[route]
    a, op = world.a, world.operator_token
    path, body = case.build(a)
    token = _owner_token(world, case.owner)
    before = world.api.get(f"/counties/{a.code}", token=op).json["modules"]
    assert module in before
    r = world.api.put(f"/counties/{a.code}/modules", {"modules": [m for m in before if m != module]}, token=op)
    assert r.status_code == 200, r.json
    try:
        r = _send(world, method, path, body, token=token)
        problems = _refusal_problems(r, (403,), world.secrets, path + json.dumps(body or {}, ensure_ascii=False))
        if not problems and (r.json["error"]["code"] != "module_disabled"
                             or r.json["error"]["details"] != {"module": module}):
            problems.append(f"expected module_disabled for {module}, got {_show(r)}")
    finally:
        r = world.api.put(f"/counties/{a.code}/modules", {"modules": before}, token=op)
        assert r.status_code == 200, r.json
    r = _send(world, method, path, body, token=token)
    if not 200 <= r.status_code < 300:
        problems.append(f"switched back on, the owner gets {r.status_code}: {_show(r)}")
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)
