"""The fuzzing suite: schemathesis against the running local stack (tests/e2e/stack.py), signed in as demo staff.

The stack, the sessions of each role and the real objects the fuzzer aims at live in `FuzzWorld`, built once per
session (sessions are refreshed before their access tokens expire, for deep runs). Profiles: `CQT_FUZZ_EXAMPLES`
sets how many examples Hypothesis draws for each operation (default 4, derandomized: the CI profile, about half a
minute); e.g. `CQT_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/fuzz` goes deep (about 4 minutes).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request

import pytest
import requests

from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS, FOCUS_VILLAGE
from tests.conftest import new_county_code, new_phone, unique_id_number
from tests.e2e.stack import Stack

GRID = FOCUS_VILLAGE + "G01"  # the demo grid of the demo grid worker, village admin and party member
# The demo accounts the fuzzer signs in: the owners of operations (see ROLE in test_schemathesis.py) and the party
# member whose households the party-link operations name.
DEMO_ROLES = {"operator", "county_admin", "epidemic_command", "village_admin", "grid_worker", "checkpoint_staff",
              "party_member", "employer"}
REFRESH_AFTER = 600  # seconds; access tokens live 900 s, a deep run lasts longer


class Session:
    def __init__(self, world: FuzzWorld, session: dict):
        self.world = world
        self.update(session)

    def update(self, session: dict) -> None:
        self.access, self.refresh, self.user_id = session["access_token"], session["refresh_token"], session["user_id"]
        self.at = time.monotonic()

    @property
    def token(self) -> str:
        if time.monotonic() - self.at > REFRESH_AFTER:
            status, session = self.world.call("POST", "/api/auth/refresh", {"refresh_token": self.refresh})
            assert status == 200, session
            self.update(session)
        return self.access


class FuzzWorld:
    """The running stack, a session per role and the real objects of the demo county the fuzzer is pointed at."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.sessions: dict[str, Session] = {}
        self._n = 0
        self.link_member, self.links_left = "", 0  # the party member of throwaway links, and room left
        self.codes_left = 150  # sign-in codes the fuzzer may ask for (the stack allows 500 an hour from 127.0.0.1)
        self._application: str | None = None

    # --- HTTP -------------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(self.stack.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else {}

    def ok(self, method: str, path: str, body=None, role: str = "grid_worker") -> dict:
        status, out = self.call(method, path, body, token=self.token(role))
        assert 200 <= status < 300, f"{method} {path} as {role}: {status} {out}"
        return out

    def sign_in(self, phone: str) -> dict:
        status, out = self.call("POST", "/api/auth/code", {"phone": phone})
        assert status == 202, out
        status, session = self.call("POST", "/api/auth/token", {"phone": phone, "code": self.stack.sms_code(phone)})
        assert status == 200, session
        return session

    def token(self, role: str) -> str:
        return self.sessions[role].token

    def seq(self) -> int:
        self._n += 1
        return self._n

    # --- builders of real objects -----------------------------------------------------------------------------

    def household(self, members: int = 2) -> dict:
        for _ in range(5):  # the test ID numbers may meet one of the demo county's (409 duplicate_id_number)
            people = [{"name": "模糊户主", "relation": "户主", "id_number": unique_id_number(COUNTY_CODE),
                       "phone": new_phone()}]
            people += [{"name": f"模糊成员{i}", "relation": "子女", "id_number": unique_id_number(COUNTY_CODE)}
                       for i in range(members - 1)]
            status, out = self.call("POST", "/api/households", {"grid": GRID, "address": f"模糊测试{self.seq()}号",
                                                                "members": people}, token=self.token("grid_worker"))
            if status != 409:
                break
        assert status == 201, f"POST /api/households: {status} {out}"
        return out

    def staff(self, role: str = "grid_worker", place: str = GRID) -> tuple[str, str]:
        phone = new_phone()
        out = self.ok("POST", "/api/staff", {"phone": phone, "name": "模糊网格员", "role": role, "place": place},
                      role="county_admin")
        return out["id"], phone

    def spare_county(self) -> str:
        code = new_county_code()
        self.ok("POST", "/api/counties", {"code": code, "name": "模糊测试县", "admin_phone": new_phone(),
                                          "admin_name": "模糊管理员"}, role="operator")
        return code

    def alert(self) -> str:
        hh = self.household(members=1)
        return self.ok("POST", "/api/reports", {"household": hh["id"], "members": [
            {"member": hh["members"][0]["id"], "colour": "red"}]})["id"]

    def pass_(self) -> dict:
        hh = self.household(members=1)
        return self.ok("POST", "/api/passes", {"household": hh["id"], "member": hh["members"][0]["id"]})

    def invite_code(self) -> str:
        return self.ok("POST", f"/api/households/{self.hh['id']}/invites", {})["code"]

    def tipoff(self) -> str:
        return self.ok("POST", "/api/tipoffs", {"category": "gathering", "description": "模糊测试举报"},
                       role="villager")["id"]

    def linked_household(self) -> str:
        """A new household linked to a party member; a party member looks after at most 30, so new ones come in."""
        if self.links_left <= 0:
            uid, _ = self.staff(role="party_member")
            self.link_member, self.links_left = uid, 25
        self.links_left -= 1
        hid = self.household(members=1)["id"]
        self.ok("POST", "/api/party-links", {"member": self.link_member, "households": [hid]})
        return hid

    def uploaded_import(self) -> str:
        """The key of a households spreadsheet uploaded with the presigned form, as the console does."""
        form = self.ok("POST", "/api/imports/uploads", {"kind": "households", "filename": "村民名单.csv"},
                       role="county_admin")
        ref = f"FUZZ{self.seq()}"
        csv = ("户编号,网格编码,地址,姓名,与户主关系,身份证号\n"
               f"{ref},{GRID},模糊导入1号,导入户主,户主,{unique_id_number(COUNTY_CODE)}\n")
        r = requests.post(form["url"], data=form["fields"], files={"file": ("村民名单.csv", csv.encode())}, timeout=30)
        assert r.status_code in (200, 201, 204), r.text[:300]
        return form["key"]

    def errand_item(self) -> dict:
        """A new 网上代办 item with no form and no materials (an application to it needs nothing but a choice)."""
        return self.ok("POST", "/api/errands/items", {"name": f"模糊测试事项{self.seq()}", "department": "县民政局",
                                                      "delivery": ["pickup", "courier"]}, role="county_admin")

    def errand_application(self) -> str:
        """An application of the world's villager for their household (one: a person files at most 10 a day):
        its reference."""
        if self._application is None:
            out = self.ok("POST", "/api/errands/applications", {
                "item": self.errand_item()["id"], "household": self.hh["id"], "delivery": "pickup"}, role="villager")
            self._application = out["case"]["ref"]
        return self._application

    def board_photo(self) -> str:
        """A 红黑榜 evidence photo of the demo grid worker, uploaded with the presigned form."""
        form = self.ok("POST", "/api/boards/uploads", {"content_type": "image/jpeg"})
        r = requests.post(form["url"], data=form["fields"], files={"file": ("p.jpg", b"\xff\xd8" + b"0" * 500)},
                          timeout=30)
        assert r.status_code in (200, 201, 204), r.text[:300]
        return form["key"]

    def snap_photo(self) -> str:
        """A 随手拍 photo of the demo villager, uploaded with the presigned form (a filing uses its own uploads)."""
        form = self.ok("POST", "/api/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, role="villager")
        r = requests.post(form["url"], data=form["fields"], files={"file": ("p.jpg", b"\xff\xd8" + b"0" * 500)},
                          timeout=30)
        assert r.status_code in (200, 201, 204), r.text[:300]
        return form["key"]

    def board_scores(self) -> dict:
        """A score for every criterion the county uses now (the demo county's four, or what the fuzzer last PUT)."""
        criteria = self.ok("GET", "/api/boards/criteria")["criteria"]
        return {c["key"]: max(0, c["max_score"] - 2) for c in criteria}

    def board_inspection(self, appealed: bool = False) -> str:
        """A new inspection of the world's household (its villager appeals it when asked): its id."""
        iid = self.ok("POST", "/api/boards/inspections", {
            "household": self.hh["id"], "scores": self.board_scores(),
            "photos": [self.board_photo()]})["id"]
        if appealed:
            self.ok("POST", f"/api/boards/inspections/{iid}/appeal", {"reason": "模糊测试申诉"}, role="villager")
        return iid

    def board_month(self) -> str:
        """This month, with a board of the demo village published (once)."""
        from chalicelib.boards.service import month_of

        month = month_of()
        if not getattr(self, "_board_published", False):
            self.board_inspection()
            self.ok("POST", f"/api/boards/villages/{FOCUS_VILLAGE}/{month}/publish", {}, role="village_admin")
            self._board_published = True
        return month

    def notice(self, scheduled: bool = False) -> str:
        """A new 通知公告 of the demo village admin to the demo village (scheduled two hours ahead when asked, so that
        it can still be edited): its id."""
        body = {"place": FOCUS_VILLAGE, "title": f"模糊测试通知{self.seq()}", "body": "模糊测试：请各户注意。"}
        if scheduled:
            body["publish_at"] = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
        return self.ok("POST", "/api/notices", body, role="village_admin")["id"]

    def published_notice(self) -> str:
        """One published notice of the demo village (made once): readers open it, the grid worker reads receipts."""
        if getattr(self, "_notice", None) is None:
            self._notice = self.notice()
        return self._notice

    def vanguard_photo(self, role: str = "party_member", token: str | None = None) -> str:
        """A deed's photo uploaded with the presigned form (by the demo party member, or the token's member)."""
        _, form = self.call("POST", "/api/vanguard/uploads", {"content_type": "image/jpeg"},
                            token=token or self.token(role))
        r = requests.post(form["url"], data=form["fields"], files={"file": ("p.jpg", b"\xff\xd8" + b"0" * 500)},
                          timeout=30)
        assert r.status_code in (200, 201, 204), r.text[:300]
        return form["key"]

    def vanguard_deed(self, approved: bool = True) -> str:
        """党员先锋: the one approved deed of the demo village (made once), or a fresh pending one for a decision,
        posted by a throwaway party member of the demo grid (a member posts at most 30 a day)."""
        if approved and getattr(self, "_vg_deed", None):
            return self._vg_deed
        left = getattr(self, "_vg_left", 0)
        if left <= 0:
            _, phone = self.staff(role="party_member")
            self._vg_token, self._vg_left = self.sign_in(phone)["access_token"], 25
        self._vg_left = getattr(self, "_vg_left", 25) - 1
        status, deed = self.call("POST", "/api/vanguard/deeds", {"text": "模糊测试：帮助独居老人打扫庭院",
                                                                 "photos": [self.vanguard_photo(token=self._vg_token)]},
                                 token=self._vg_token)
        assert status == 201, deed
        if approved:
            self.ok("POST", f"/api/vanguard/deeds/{deed['id']}/decision", {"action": "approve"}, role="village_admin")
            self._vg_deed = deed["id"]
        return deed["id"]

    def vanguard_comment(self, did: str) -> str:
        """A villager's comment on the approved deed (made once; approving it again is no change)."""
        if getattr(self, "_vg_comment", None) is None:
            self._vg_comment = self.ok("POST", f"/api/vanguard/deeds/{did}/comments", {"text": "模糊测试：点赞"},
                                       role="villager")["id"]
        return self._vg_comment

    def uploaded_errands(self) -> str:
        """The key of a catalogue spreadsheet (one new item) uploaded with the presigned form."""
        form = self.ok("POST", "/api/imports/uploads", {"kind": "errands", "filename": "事项目录.csv"},
                       role="county_admin")
        csv = f"事项名称,实施部门,送达方式\n模糊导入事项{self.seq()},县民政局,快递\n"
        r = requests.post(form["url"], data=form["fields"], files={"file": ("事项目录.csv", csv.encode())}, timeout=30)
        assert r.status_code in (200, 201, 204), r.text[:300]
        return form["key"]

    def throwaway_refresh_token(self) -> str:
        """A refresh token of a new session of the county admin (a switch into the same county signs nobody out)."""
        return self.ok("POST", "/api/auth/switch", {"tenant": COUNTY_CODE}, role="county_admin")["refresh_token"]

    def sign_in_code(self) -> tuple[str, str] | None:
        """A phone and the sign-in code just texted to it, while the client's hourly budget of codes lasts."""
        if self.codes_left <= 0:
            return None
        self.codes_left -= 1
        phone = new_phone()
        status, out = self.call("POST", "/api/auth/code", {"phone": phone})
        assert status == 202, out
        return phone, self.stack.sms_code(phone)

    def new_place_code(self) -> str:
        return f"{FOCUS_VILLAGE}G{100 + self.seq() % 900}"

    def open311_kid(self) -> str:
        """The id of an Open311 client key to revoke: a new one, or (at the county's 50 keys) any but the world's."""
        status, out = self.call("POST", "/api/open311/keys", {"name": f"模糊测试待删{self.seq()}"},
                                token=self.token("county_admin"))
        if status == 201:
            return out["id"]
        assert status == 409, f"POST /api/open311/keys: {status} {out}"
        keys = self.ok("GET", "/api/open311/keys", role="county_admin")["items"]
        return next(k["id"] for k in keys if k["id"] != self.open311_key.split(".", 1)[0])

    def open311_file(self) -> str:
        """A 随手拍 case filed by the world's Open311 client (form-encoded, as GeoReport clients do): its reference."""
        r = requests.post(f"{self.stack.url}/api/open311/v2/requests.json", timeout=30, data={
            "api_key": self.open311_key, "jurisdiction_id": COUNTY_CODE, "service_code": "snap.sanitation",
            "address_id": GRID, "description": "模糊测试：村口垃圾没人清"})
        assert r.status_code == 201, r.text[:300]
        return r.json()[0]["service_request_id"]

    # --- set-up -----------------------------------------------------------------------------------------------

    def setup(self) -> None:
        for acct in DEMO_ACCOUNTS:
            role = "operator" if acct["role"] == "platform_operator" else acct["role"]
            if role in DEMO_ROLES:
                self.sessions[role] = Session(self, self.sign_in(acct["phone"]))
        self.party_member = self.sessions["party_member"].user_id
        # Households of the demo grid for the operations that read or change one (each kind its own).
        self.hh = self.household(members=3)  # reads, reports, passes, invites, reminders
        self.hh_write = self.household(members=3)  # PUT /households/{hid}, POST/PUT members
        self.hh_remind = self.household(members=2)  # never reported: reminders
        # A villager (redeemed invite) and a signed-in person of no county.
        villager = self.sign_in(new_phone())
        status, session = self.call("POST", "/api/links", {"code": self.invite_code()}, villager["access_token"])
        assert status == 200, session
        self.sessions["villager"] = Session(self, session)
        self.sessions["newcomer"] = Session(self, self.sign_in(new_phone()))
        # A new grid worker, told of the post in the inbox.
        _, phone = self.staff()
        self.sessions["inbox_worker"] = Session(self, self.sign_in(phone))
        status, inbox = self.call("GET", "/api/inbox", token=self.token("inbox_worker"))
        assert status == 200 and inbox["items"], inbox
        self.message = inbox["items"][0]["id"]
        self.spare = self.spare_county()
        self.tid = self.tipoff()
        # An Open311 client of the demo county (its API key, as the county admin issues it) and a case it filed.
        self.open311_key = self.ok("POST", "/api/open311/keys", {"name": "模糊测试客户端", "per_day": 10_000},
                                   role="county_admin")["api_key"]
        self.open311_ref = self.open311_file()


@pytest.fixture(scope="session")
def fuzz_world(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("fuzz") / "data")
    stack.start()
    try:
        world = FuzzWorld(stack)
        world.setup()
        yield world
    finally:
        stack.stop()


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle
def pytest_collection_modifyitems(items):
    """The check that every operation succeeded runs after the fuzzing it looks at, whatever the order drawn."""
    last = [i for i in items if i.name == "test_every_operation_was_carried_out"]
    items[:] = [i for i in items if i not in last] + last
