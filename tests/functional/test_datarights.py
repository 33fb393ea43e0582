"""数据权利 on the embedded AWS: a county's export (a job: segmented Scan filtered to the county, zip in S3, personal
data decrypted, nothing of another county), retention of health reports and case photos (the daily job), and the
search of the audit log of privileged reads."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import requests

from chalicelib.core import clock
from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from tests.conftest import new_phone, unique_id_number

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


def _export(client, c, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else None
    return client.post("/datarights/exports", {}, token=c.tokens["county_admin"], headers=headers)


def test_a_county_exports_all_its_data_and_nothing_of_another(client, county, other_county, events):
    c, o = county, other_county
    my_ids = [unique_id_number(c.code), unique_id_number(c.code)]
    r = client.post("/households", {"grid": c.grid, "address": "导出测试1号", "members": [
        {"name": "导出户主", "relation": "户主", "id_number": my_ids[0], "phone": new_phone()},
        {"name": "导出成员", "relation": "子女", "id_number": my_ids[1]}]}, token=c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    mine, theirs = r.json, o.household(members=2)
    events.deliver()  # nothing queued before
    r = _export(client, c, f"export-one-{c.code}")
    assert r.status_code == 201 and r.json["status"] == "queued" and r.json["url"] is None, r.json
    again = _export(client, c, f"export-one-{c.code}")
    assert again.status_code == 201 and again.json["id"] == r.json["id"]  # a retry: the same export
    busy = _export(client, c, f"export-two-{c.code}")
    assert busy.status_code == 409 and busy.json["error"]["code"] == "export_running"
    ran = [(b["job"], res) for b, res in events.deliver()]
    assert ("county_export", "done") in ran
    done = client.get(f"/datarights/exports/{r.json['id']}", token=c.tokens["county_admin"])
    assert done.status_code == 200 and done.json["status"] == "done" and done.json["progress"] == 100, done.json
    assert done.json["counts"]["households"]["household"] >= 1 and done.json["url_expires_in"] == 300
    data = requests.get(done.json["url"], timeout=30).content
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert {"说明.txt", "数据.xlsx", "media.csv", "households/household.jsonl", "households/member.jsonl"} <= set(names)
    records = [json.loads(line) for n in names if n.endswith(".jsonl") for line in z.read(n).decode().splitlines()]
    assert records and all(rec["pk"].startswith(f"{c.code}#") for rec in records)
    blob = b"".join(z.read(n) for n in names)
    assert o.code.encode() + b"#" not in blob and theirs["id"].encode() not in blob  # nothing of the other county
    members = [rec for rec in records if rec.get("kind") == "member" and rec["pk"].endswith(mine["id"])]
    assert sorted(m.get("idno") or "" for m in members) == sorted(my_ids)  # decrypted for the county
    assert not any(k.endswith("_enc") or "bidx" in k for rec in records for k in rec)
    assert not any(rec.get("kind") in ("otp", "refresh", "datakey", "bidxkey") for rec in records)
    book = openpyxl.load_workbook(io.BytesIO(z.read("数据.xlsx")), read_only=True)
    assert "household" in book.sheetnames
    # a duplicate delivery of the job does nothing; the list shows it without a link
    from chalicelib.datarights import export

    assert export.run(c.code, r.json["id"], clock.now()) == "done"
    listed = client.get("/datarights/exports", token=c.tokens["county_admin"]).json["items"]
    assert listed[0]["id"] == r.json["id"] and listed[0]["url"] is None
    # the request and the download are in the audit log, with the reader's name
    log = client.get("/datarights/audit", token=c.tokens["county_admin"])
    assert log.status_code == 200, log.json
    kinds = [(i["what"], i["subject"], i["name"]) for i in log.json["items"]]
    assert ("county_export_download", r.json["id"], "县管理员") in kinds
    assert ("county_export", r.json["id"], "县管理员") in kinds
    only = client.get("/datarights/audit?what=county_export", token=c.tokens["county_admin"]).json["items"]
    assert only and {i["what"] for i in only} == {"county_export"}
    assert only[0]["role_names"] == ["县级管理员（大数据局）"]
    assert client.get("/datarights/audit?uid=nobody", token=c.tokens["county_admin"]).json["items"] == []
    # the other county sees nothing of it
    assert client.get(f"/datarights/exports/{r.json['id']}", token=o.tokens["county_admin"]).status_code == 404
    assert client.get("/datarights/exports", token=c.tokens["epidemic_command"]).status_code == 403


def test_retention_settings_are_bounded_and_a_shorter_health_period_sweeps_old_reports(client, county, events):
    from chalicelib.daily_report.models import Report

    c = county
    admin = c.tokens["county_admin"]
    r = client.get("/datarights/retention", token=admin)
    assert r.status_code == 200 and (r.json["health_days"], r.json["photo_days"]) == (90, 730), r.json
    assert r.json["bounds"] == {"health_days": [30, 1095], "photo_days": [90, 3650]}
    bad = client.put("/datarights/retention", {"health_days": 10, "photo_days": 5000}, token=admin)
    assert bad.status_code == 422 and {d["field"] for d in bad.json["error"]["details"]} == {"health_days",
                                                                                              "photo_days"}
    assert client.put("/datarights/retention", {"health_days": 30, "photo_days": 90},
                      token=c.tokens["township_official"]).status_code == 403
    hh = c.household(members=1)
    today = clock.today()
    old_day, new_day = (today - dt.timedelta(days=40)).isoformat(), (today - dt.timedelta(days=3)).isoformat()
    for day in (old_day, new_day):
        Report(Report.partition(c.code, hh["id"]), f"H#{day}#r{day}", rid=f"r{day}", hid=hh["id"], date=day,
               grid=c.grid, village=c.village, submitted_at=clock.iso(), by_user="u", by_name="户主甲", level="green",
               detail_enc="x", expires=clock.epoch() + 90 * 86400).save()
    ok = client.put("/datarights/retention", {"health_days": 30, "photo_days": 730}, token=admin)
    assert ok.status_code == 200 and ok.json["health_days"] == 30, ok.json
    assert ok.json["health_sweep_until"] == (today + dt.timedelta(days=90)).isoformat()
    from chalicelib.daily_report import service as daily_report

    assert daily_report.report_days(c.code) == 30  # new reports' TTL
    result = events.run_job("data_retention")[c.code]
    assert result["reports"] == 1
    left = [x.date for x in Report.query(Report.partition(c.code, hh["id"]))]
    assert left == [new_day]
    after = client.get("/datarights/retention", token=admin).json
    assert after["last_result"]["reports"] == 1 and after["last_run"]


def test_case_photos_past_the_period_are_deleted_with_their_references(client, county, events):
    from chalicelib.cases import service as cases

    c = county
    _, session = c.villager(c.household(members=1)["id"])
    token = session["access_token"]
    keys = []
    for _ in range(2):
        form = client.post("/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, token=token).json
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=JPEG,
                                    ContentType="image/jpeg")
        keys.append(form["key"])
    ctx = TenantContext(c.code, session["user_id"], "")
    now = clock.now()
    try:
        clock.set_clock(clock.FrozenClock(now - dt.timedelta(days=800)))
        old = cases.file(ctx, "snap", category="sanitation", text="旧照片", place=c.grid, photos=[keys[0]], per_day=99)
        clock.set_clock(clock.FrozenClock(now - dt.timedelta(days=5)))
        new = cases.file(ctx, "snap", category="sanitation", text="新照片", place=c.grid, photos=[keys[1]], per_day=99)
    finally:
        clock.set_clock(clock.Clock())
    result = events.run_job("data_retention")[c.code]
    assert (result["photo_cases"], result["photos"]) == (1, 1), result
    s3 = aws_client("s3")
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=settings().media_bucket,
                                                   Prefix=f"{c.code}/cases/").get("Contents", [])}
    assert keys[0] not in listed and keys[1] in listed
    assert cases.load(c.code, old.ref).photos == [] and cases.load(c.code, old.ref).photos_expired_at
    assert cases.load(c.code, new.ref).photos == [keys[1]]
    again = events.run_job("data_retention")[c.code]  # the watermark moved on: nothing twice
    assert (again["photo_cases"], again["photos"]) == (0, 0)
