"""The demo county's 智慧招聘 (devstack seed_recruitment): 钱企业 is a verified employer with 3 open jobs; the demo
villager has a profile and 2 applications, one of them offered."""

from __future__ import annotations

from tests.conftest import demo_session


def test_the_demo_county_has_an_employer_jobs_and_applications(client, app):
    from devstack import seed
    from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS

    if not seed.is_seeded():
        seed.seed()
    phone = {a["role"]: a["phone"] for a in DEMO_ACCOUNTS}
    boss = demo_session(COUNTY_CODE, phone["employer"])["access_token"]
    assert client.get("/recruitment/employers/mine", token=boss).json["employer"]["status"] == "verified"
    jobs = client.get("/recruitment/jobs/mine", token=boss).json["items"]
    assert sorted(j["title"] for j in jobs) == ["冷链配送员", "叉车司机", "食品包装工"]
    assert {j["status"] for j in jobs} == {"open"} and sum(j["applicants"] for j in jobs) == 2
    villager = demo_session(COUNTY_CODE, phone["villager"])["access_token"]
    assert client.get("/recruitment/profile", token=villager).json["name"] == "黄村民"
    apps = client.get("/recruitment/applications/mine", token=villager).json["items"]
    assert sorted(a["status"] for a in apps) == ["offered", "submitted"]
    listed = client.get("/recruitment/jobs", token=villager).json["items"]
    assert {"冷链配送员", "叉车司机", "食品包装工"} <= {j["title"] for j in listed}
