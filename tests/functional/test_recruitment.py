"""智慧招聘: employers' accounts, jobs, seekers' profiles, applications and their statuses, interviews, alerts."""

from __future__ import annotations

import random
import uuid

import pytest

from tests.conftest import new_phone

LICENCE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def licence() -> str:
    from chalicelib.recruitment.schemas import licence_check_char

    first = "913308" + "".join(random.choice(LICENCE_CHARS) for _ in range(11))
    return first + licence_check_char(first)


def employer_body(**kw) -> dict:
    return {"company": "龙游测试食品有限公司", "licence_no": licence(), "contact_name": "钱经理",
            "address": "龙游县工业园区1号", "intro": "食品加工", **kw}


def job_body(county, **kw) -> dict:
    return {"title": "包装工", "category": "普工", "pay_min": 3500, "pay_max": 5000, "township": county.township,
            "place": "园区3号厂房", "shifts": "8:00–17:00", "requirements": "身体健康", "openings": 3, **kw}


def idem() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def seeker(client, county, name: str = "求职者", profile: bool = True) -> dict:
    """A villager of the county (a household's member who linked their phone): session + phone."""
    hh = county.household(members=1)
    phone, s = county.villager(hh["id"])
    s = dict(s, phone=phone)
    if profile:
        r = client.put("/recruitment/profile", {"name": name, "skills": ["叉车"], "experience": "在厂里干过三年",
                                                "townships": [county.township], "phone": phone},
                       token=s["access_token"])
        assert r.status_code == 200, r.json
    return s


def employer(client, county) -> dict:
    """A villager who applied for an employer account and was verified; the token refreshed carries the role."""
    s = seeker(client, county, "钱企业", profile=False)
    r = client.post("/recruitment/employers", employer_body(), token=s["access_token"], headers=idem())
    assert r.status_code == 201, r.json
    d = client.post(f"/recruitment/employers/{r.json['id']}/decision", {"decision": "verify"},
                    token=county.tokens["county_admin"])
    assert d.status_code == 200, d.json
    ref = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert ref.status_code == 200, ref.json
    return dict(ref.json, phone=s["phone"], eid=r.json["id"])


def post_job(client, county, emp, **kw) -> dict:
    r = client.post("/recruitment/jobs", job_body(county, **kw), token=emp["access_token"], headers=idem())
    assert r.status_code == 201, r.json
    return r.json


def apply(client, jid, s):
    return client.post(f"/recruitment/jobs/{jid}/applications", token=s["access_token"], headers=idem())


def inbox_titles(client, token) -> list[str]:
    r = client.get("/inbox", token=token)
    assert r.status_code == 200, r.json
    return [m["title"] for m in r.json["items"]]


# --- employers ---

def test_licence_check_character():
    from chalicelib.recruitment.schemas import valid_licence

    assert valid_licence("91350100M000100Y43")  # a published example
    assert not valid_licence("91350100M000100Y44")
    assert not valid_licence("91350100M000100Y4")
    assert not valid_licence("91350100I000100Y43")  # I is not a code character


def test_employer_apply_verify_and_me_has_the_role(client, county):
    s = seeker(client, county, profile=False)
    tok, admin = s["access_token"], county.tokens["county_admin"]
    assert client.get("/recruitment/employers/mine", token=tok).json == {"employer": None}
    bad = client.post("/recruitment/employers", employer_body(licence_no="91350100M000100Y44"), token=tok)
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "licence_no", bad.json
    body = employer_body()
    r = client.post("/recruitment/employers", body, token=tok, headers=idem())
    assert r.status_code == 201 and r.json["status"] == "pending", r.json
    eid = r.json["id"]
    again = client.post("/recruitment/employers", employer_body(), token=tok, headers=idem())
    assert again.status_code == 409 and again.json["error"]["code"] == "employer_exists"
    # The same licence by someone else: 409.
    other = seeker(client, county, profile=False)
    dup = client.post("/recruitment/employers", employer_body(licence_no=body["licence_no"]),
                      token=other["access_token"], headers=idem())
    assert dup.status_code == 409 and dup.json["error"]["code"] == "licence_taken", dup.json
    # Not yet verified: no posting (the role is not held: 403).
    assert client.post("/recruitment/jobs", job_body(county), token=tok).status_code == 403
    # A villager cannot verify; the county lists and verifies.
    assert client.get("/recruitment/employers", token=tok).status_code == 403
    pending = client.get("/recruitment/employers?status=pending", token=admin)
    assert pending.status_code == 200 and eid in [e["id"] for e in pending.json["items"]]
    assert client.post(f"/recruitment/employers/{eid}/decision", {"decision": "refuse"},
                       token=admin).status_code == 422  # a refusal needs a reason
    d = client.post(f"/recruitment/employers/{eid}/decision", {"decision": "verify"}, token=admin)
    assert d.status_code == 200 and d.json["status"] == "verified", d.json
    assert client.post(f"/recruitment/employers/{eid}/decision", {"decision": "verify"},
                       token=admin).status_code == 409
    verified = client.get("/recruitment/employers?status=verified", token=admin).json["items"]
    assert eid in [e["id"] for e in verified]
    assert eid not in [e["id"] for e in client.get("/recruitment/employers", token=admin).json["items"]]
    new = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]}).json
    me = client.get("/me", token=new["access_token"]).json
    assert ("employer", county.code) in [(g["role"], g["place"]) for g in me["grants"]], me["grants"]
    assert client.get("/recruitment/employers/mine", token=new["access_token"]).json["employer"]["status"] == \
        "verified"
    assert "企业认证已通过" in inbox_titles(client, new["access_token"])


def test_refused_employer_is_told_and_the_licence_is_free_again(client, county):
    s = seeker(client, county, profile=False)
    body = employer_body()
    r = client.post("/recruitment/employers", body, token=s["access_token"], headers=idem())
    d = client.post(f"/recruitment/employers/{r.json['id']}/decision", {"decision": "refuse", "reason": "执照已注销"},
                    token=county.tokens["county_admin"])
    assert d.status_code == 200 and d.json["status"] == "refused" and d.json["reason"] == "执照已注销", d.json
    mine = client.get("/recruitment/employers/mine", token=s["access_token"]).json["employer"]
    assert mine["status"] == "refused" and mine["status_name"] == "未通过"
    again = client.post("/recruitment/employers", body, token=s["access_token"], headers=idem())
    assert again.status_code == 201, again.json


def test_a_staff_employer_without_a_verified_account_cannot_post(client, county):
    tok = county.add_staff("employer", county.code)
    r = client.post("/recruitment/jobs", job_body(county), token=tok)
    assert r.status_code == 403 and r.json["error"]["code"] == "employer_not_verified", r.json


# --- jobs ---

def test_post_list_filter_edit_close_jobs(client, county):
    emp = employer(client, county)
    tok = emp["access_token"]
    a = post_job(client, county, emp, title="包装工")
    b = post_job(client, county, emp, title="电焊工", category="技工", township=None)
    assert a["status"] == "open" and a["openings_left"] == 3 and a["mine"] and a["township_name"] == "测试街道"
    s = seeker(client, county)
    t = s["access_token"]

    def ids(q=""):
        r = client.get(f"/recruitment/jobs{q}", token=t)
        assert r.status_code == 200, r.json
        return [j["id"] for j in r.json["items"]]

    assert ids()[:2] == [b["id"], a["id"]]  # newest first
    assert ids("?category=普工") == [a["id"]]
    assert ids("?category=技工") == [b["id"]]
    assert ids(f"?township={county.township}") == [a["id"]]
    assert ids(f"?township={county.code}") == [b["id"]]  # county-wide
    assert ids(f"?category=技工&township={county.township}") == []
    assert client.get("/recruitment/jobs?category=木工", token=t).status_code == 422
    # Bad input.
    for bad in ({"pay_min": 6000, "pay_max": 5000}, {"openings": 0}, {"openings": 501}, {"category": "木工"},
                {"township": county.code + "999"}):
        r = client.post("/recruitment/jobs", job_body(county, **bad), token=tok)
        assert r.status_code == 422, (bad, r.json)
    # Edit (with the rev read), then a stale edit.
    e = client.put(f"/recruitment/jobs/{a['id']}", {**job_body(county, title="包装工（长期）", category="服务"),
                                                    "rev": a["rev"]}, token=tok)
    assert e.status_code == 200 and e.json["title"] == "包装工（长期）" and e.json["rev"] == 2, e.json
    assert client.put(f"/recruitment/jobs/{a['id']}", {**job_body(county), "rev": 1}, token=tok).status_code == 409
    assert ids("?category=普工") == [] and ids("?category=服务") == [a["id"]]
    # Another employer cannot edit or close it; a seeker cannot.
    other = employer(client, county)
    assert client.post(f"/recruitment/jobs/{a['id']}/close", token=other["access_token"]).status_code == 403
    assert client.post(f"/recruitment/jobs/{a['id']}/close", token=t).status_code == 403
    mine = client.get("/recruitment/jobs/mine", token=tok).json["items"]
    assert [j["id"] for j in mine] == [b["id"], a["id"]]
    c = client.post(f"/recruitment/jobs/{a['id']}/close", token=tok)
    assert c.status_code == 200 and c.json["status"] == "closed"
    assert a["id"] not in ids()
    assert client.get(f"/recruitment/jobs/{a['id']}", token=t).status_code == 404
    assert apply(client, a["id"], s).status_code == 404 or apply(client, a["id"], s).status_code == 409


def test_post_job_is_idempotent(client, county):
    emp = employer(client, county)
    h = idem()
    r1 = client.post("/recruitment/jobs", job_body(county), token=emp["access_token"], headers=h)
    r2 = client.post("/recruitment/jobs", job_body(county), token=emp["access_token"], headers=h)
    assert r1.status_code == r2.status_code == 201 and r1.json["id"] == r2.json["id"]
    assert len(client.get("/recruitment/jobs/mine", token=emp["access_token"]).json["items"]) == 1


# --- applications ---

def test_apply_once_statuses_interview_offer_accept(client, county):
    emp = employer(client, county)
    tok = emp["access_token"]
    job = post_job(client, county, emp, openings=1)
    s = seeker(client, county, "李四")
    no_profile = seeker(client, county, profile=False)
    assert apply(client, job["id"], no_profile).status_code == 422
    h = idem()
    r = client.post(f"/recruitment/jobs/{job['id']}/applications", token=s["access_token"], headers=h)
    assert r.status_code == 201 and r.json["status"] == "submitted" and r.json["status_name"] == "已投递", r.json
    aid = r.json["id"]
    same = client.post(f"/recruitment/jobs/{job['id']}/applications", token=s["access_token"], headers=h)
    assert same.status_code == 201 and same.json["id"] == aid  # a retry: the first answer
    second = apply(client, job["id"], s)
    assert second.status_code == 409 and second.json["error"]["code"] == "already_applied"
    assert client.get(f"/recruitment/jobs/{job['id']}", token=s["access_token"]).json["applied"] == aid
    # A seeker cannot see applicants; another employer cannot either.
    assert client.get(f"/recruitment/jobs/{job['id']}/applicants", token=s["access_token"]).status_code == 403
    other = employer(client, county)
    assert client.get(f"/recruitment/jobs/{job['id']}/applicants", token=other["access_token"]).status_code == 403
    assert client.post(f"/recruitment/applications/{aid}/offer", {}, token=other["access_token"]).status_code == 403
    # The employer views: 已查看, phone masked before an interview invitation.
    lst = client.get(f"/recruitment/jobs/{job['id']}/applicants", token=tok)
    assert lst.status_code == 200, lst.json
    (one,) = lst.json["items"]
    assert one["name"] == "李四" and one["application"]["status"] == "viewed" and "*" in one["phone"], one
    assert "video" in one
    assert client.get("/recruitment/jobs/mine", token=tok).json["items"][0]["applicants"] == 1
    # Interview: past time refused; onsite needs an address.
    assert client.post(f"/recruitment/applications/{aid}/interview", {"at": "2020-01-01T09:00:00+08:00",
                                                                       "mode": "online"}, token=tok).status_code == 422
    assert client.post(f"/recruitment/applications/{aid}/interview", {"at": "2099-01-01T09:00:00+08:00",
                                                                       "mode": "onsite"}, token=tok).status_code == 422
    from chalicelib.core.notify import sms

    iv = client.post(f"/recruitment/applications/{aid}/interview",
                     {"at": "2099-03-08T09:30:00+08:00", "mode": "onsite", "address": "园区3号厂房办公室"}, token=tok)
    assert iv.status_code == 200 and iv.json["status"] == "interview", iv.json
    assert iv.json["interview"]["id"] and iv.json["interview"]["address"] == "园区3号厂房办公室"
    texts = [m["text"] for m in sms().messages(s["phone"])]
    assert any("邀请您参加面试" in t and "3月8日" in t and "09:30" in t for t in texts), texts
    assert "面试邀请" in inbox_titles(client, s["access_token"])
    one = client.get(f"/recruitment/jobs/{job['id']}/applicants", token=tok).json["items"][0]
    assert one["phone"] == s["phone"]  # whole after the invitation
    # Offer, accept: the opening is taken and the job is full.
    o = client.post(f"/recruitment/applications/{aid}/offer", {"note": "下周一报到"}, token=tok)
    assert o.status_code == 200 and o.json["status"] == "offered" and o.json["note"] == "下周一报到"
    assert client.post(f"/recruitment/applications/{aid}/accept", token=tok).status_code == 404  # not the seeker's
    acc = client.post(f"/recruitment/applications/{aid}/accept", token=s["access_token"])
    assert acc.status_code == 200 and acc.json["status"] == "hired" and acc.json["status_name"] == "已录用", acc.json
    j = client.get(f"/recruitment/jobs/{job['id']}", token=tok).json
    assert j["openings_left"] == 0 and j["status"] == "full"
    late = seeker(client, county)
    full = apply(client, job["id"], late)
    assert full.status_code == 409 and full.json["error"]["code"] == "job_full"
    assert job["id"] not in [x["id"] for x in client.get("/recruitment/jobs", token=late["access_token"]).json["items"]]
    mine = client.get("/recruitment/applications/mine", token=s["access_token"]).json["items"]
    assert [(m["id"], m["status"]) for m in mine] == [(aid, "hired")]
    titles = inbox_titles(client, s["access_token"])
    for t in ("投递成功", "简历已被查看", "面试邀请", "录用通知", "已接受录用"):
        assert t in titles, titles


def test_decline_and_reject(client, county):
    emp = employer(client, county)
    tok = emp["access_token"]
    job = post_job(client, county, emp)
    s1, s2 = seeker(client, county), seeker(client, county)
    a1, a2 = apply(client, job["id"], s1).json["id"], apply(client, job["id"], s2).json["id"]
    assert client.post(f"/recruitment/applications/{a1}/decline", token=s1["access_token"]).status_code == 409
    client.post(f"/recruitment/applications/{a1}/offer", {}, token=tok)
    d = client.post(f"/recruitment/applications/{a1}/decline", token=s1["access_token"])
    assert d.status_code == 200 and d.json["status"] == "declined"
    r = client.post(f"/recruitment/applications/{a2}/reject", {"note": "岗位要求持证"}, token=tok)
    assert r.status_code == 200 and r.json["status"] == "rejected" and r.json["status_name"] == "未通过"
    assert client.post(f"/recruitment/applications/{a2}/offer", {}, token=tok).status_code == 409
    assert "投递结果" in inbox_titles(client, s2["access_token"])
    assert client.post("/recruitment/applications/abc/offer", {}, token=tok).status_code == 404
    assert client.get(f"/recruitment/jobs/{job['id']}", token=tok).json["openings_left"] == 3


def test_concurrent_acceptances_never_oversell(client, county):
    """5 openings, 12 offered seekers accepting at once: exactly 5 hired, 7 get 409 job_full."""
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.core.errors import Conflict
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.recruitment import applications, service
    from chalicelib.recruitment.schemas import ProfileIn

    emp = employer(client, county)
    job = post_job(client, county, emp, openings=5)
    ctxs = [TenantContext(county.code, uuid.uuid4().hex[:16], "") for _ in range(12)]
    aids = []
    for ctx in ctxs:
        service.put_profile(ctx, ProfileIn(name="并发求职者"))
        aids.append(applications.apply(ctx, job["id"])["id"])
    for aid in aids:
        assert client.post(f"/recruitment/applications/{aid}/offer", {}, token=emp["access_token"]).status_code == 200

    def accept(i):
        try:
            return applications.accept(ctxs[i], aids[i])["status"]
        except Conflict as e:
            return e.code

    with ThreadPoolExecutor(12) as ex:
        results = list(ex.map(accept, range(12)))
    assert results.count("hired") == 5 and results.count("job_full") == 7, results
    j = client.get(f"/recruitment/jobs/{job['id']}", token=emp["access_token"]).json
    assert j["openings_left"] == 0 and j["status"] == "full"


# --- alerts ---

def test_alerts_reach_matching_subscribers_only(client, county, events):
    from chalicelib.core.notify import sms

    emp = employer(client, county)
    match, other, anyone = seeker(client, county), seeker(client, county), seeker(client, county)
    r = client.put("/recruitment/alerts", {"categories": ["普工"], "townships": [county.township], "sms": True},
                   token=match["access_token"])
    assert r.status_code == 200 and r.json["sms"] is True, r.json
    client.put("/recruitment/alerts", {"categories": ["技工"], "townships": [], "sms": True},
               token=other["access_token"])
    client.put("/recruitment/alerts", {"categories": [], "townships": []}, token=anyone["access_token"])
    assert client.put("/recruitment/alerts", {"categories": ["木工"]}, token=other["access_token"]).status_code == 422
    assert client.get("/recruitment/alerts", token=match["access_token"]).json["categories"] == ["普工"]
    post_job(client, county, emp, title="装卸工", category="普工")
    out = events.run_job("recruitment_alerts")
    assert out[county.code]["delivered"] == 2, out
    assert "新岗位提醒" in inbox_titles(client, match["access_token"])
    assert "新岗位提醒" in inbox_titles(client, anyone["access_token"])
    assert "新岗位提醒" not in inbox_titles(client, other["access_token"])
    assert any("新岗位" in m["text"] for m in sms().messages(match["phone"]))
    assert not any("新岗位" in m["text"] for m in sms().messages(anyone["phone"]))  # no SMS chosen
    # Delivered once: the queue is empty now.
    assert county.code not in events.run_job("recruitment_alerts")
    # Unsubscribed: nothing more.
    client.delete("/recruitment/alerts", token=anyone["access_token"])
    post_job(client, county, emp, title="搬运工", category="普工")
    events.run_job("recruitment_alerts")
    assert inbox_titles(client, anyone["access_token"]).count("新岗位提醒") == 1
    assert inbox_titles(client, match["access_token"]).count("新岗位提醒") == 2


def test_profile_phone_is_masked_and_bad_input_is_4xx(client, county):
    s = seeker(client, county, profile=False)
    tok = s["access_token"]
    empty = client.get("/recruitment/profile", token=tok).json
    assert empty["name"] is None and empty["video"] is None
    # no number of its own: the account's, masked (what an employer gets after an invitation)
    r = client.put("/recruitment/profile", {"name": "王五"}, token=tok)
    assert r.status_code == 200 and r.json["phone"] == s["phone"][:3] + "****" + s["phone"][-4:], (r.json, s["phone"])
    phone = new_phone()
    r = client.put("/recruitment/profile", {"name": "王五", "skills": ["电工", "电工"], "townships": [county.township],
                                            "phone": phone}, token=tok)
    assert r.status_code == 200 and r.json["skills"] == ["电工"] and r.json["phone"] != phone and "*" in r.json["phone"]
    for bad in ({"name": ""}, {"name": "王五", "townships": ["1"]}, {"name": "王五", "phone": "123"},
                {"name": "王五", "townships": [county.code + "999"]}, {"name": "王五", "x": 1}):
        assert client.put("/recruitment/profile", bad, token=tok).status_code == 422, bad


@pytest.mark.parametrize("path", ["/recruitment/jobs/zzz", "/recruitment/jobs/0123456789ab"])
def test_unknown_job_is_404(client, county, path):
    s = seeker(client, county, profile=False)
    assert client.get(path, token=s["access_token"]).status_code == 404


def test_other_county_cannot_see_jobs(client, county, other_county):
    emp = employer(client, county)
    job = post_job(client, county, emp)
    s = seeker(client, other_county)
    assert client.get(f"/recruitment/jobs/{job['id']}", token=s["access_token"]).status_code == 404
    assert job["id"] not in [j["id"] for j in client.get("/recruitment/jobs", token=s["access_token"]).json["items"]]
    assert apply(client, job["id"], s).status_code == 404


def test_a_new_job_is_one_sns_message_that_filter_policies_match(client, county):
    """ONE message per job on the recruitment topic with the attributes tenant, category, township: a subscriber
    whose filter policy names 普工 in the county's township (or county-wide) gets the 普工 job only."""
    import json

    from chalicelib.core import notify
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    emp = employer(client, county)
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=f"recruitment-{county.code}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    notify.subscribe(settings().recruitment_topic, "sqs", arn,
                     {"tenant": [county.code], "category": ["普工"], "township": [county.township, "county"]})
    wanted = post_job(client, county, emp, title="装箱工", category="普工")
    post_job(client, county, emp, title="电工", category="技工")
    got = []
    for _ in range(3):
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                   MessageAttributeNames=["All"]).get("Messages", [])
        got += [json.loads(m["Body"]) for m in msgs]
    assert [json.loads(g["Message"])["id"] for g in got] == [wanted["id"]]
    attrs = {k: v["Value"] for k, v in got[0]["MessageAttributes"].items()}
    assert attrs == {"tenant": county.code, "category": "普工", "township": county.township}


def test_the_job_list_is_one_query_whatever_the_filter(client, county):
    from tests.conftest import dynamodb_calls

    emp = employer(client, county)
    for i in range(3):
        post_job(client, county, emp, title=f"岗位{i}", category=("普工", "技工", "物流")[i])
    s = seeker(client, county, profile=False)
    for q in ("", "?category=技工", f"?township={county.township}", f"?category=普工&township={county.township}",
              f"?township={county.code}"):
        with dynamodb_calls() as calls:
            r = client.get(f"/recruitment/jobs{q}&limit=2" if q else "/recruitment/jobs?limit=2",
                           token=s["access_token"])
        assert r.status_code == 200, r.json
        assert calls.count("Query") == 1 and "Scan" not in calls, (q, calls)
    page1 = client.get("/recruitment/jobs?limit=2", token=s["access_token"]).json
    page2 = client.get(f"/recruitment/jobs?limit=2&cursor={page1['next_cursor']}", token=s["access_token"]).json
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert not {j["id"] for j in page1["items"]} & {j["id"] for j in page2["items"]}
