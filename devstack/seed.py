"""Seed the demo county 龙游县 (330825) through the same services the API uses."""

from __future__ import annotations

import datetime as dt

from chalicelib.core import clock, counties, modules
from chalicelib.core.auth import service as auth
from chalicelib.core.db import PLATFORM
from chalicelib.core.tenancy import (
    COUNTY_ADMIN,
    PARTY_MEMBER,
    PLATFORM_OPERATOR,
    VILLAGER,
    Grant,
    TenantContext,
    grants_from_json,
)
from chalicelib.households import service as households
from chalicelib.households.schemas import MemberIn
from chalicelib.party import service as party
from chalicelib.places import service as places

from .demo_data import (
    COUNT_FIELDS,
    COUNTY_CODE,
    DEMO_ACCOUNTS,
    FOCUS_VILLAGE,
    PAST_DAYS,
    build_demo_county,
    past_day_counts,
)

PARTY_LINKS = 6


def is_seeded() -> bool:
    return counties.get(COUNTY_CODE, fresh=True) is not None


def seed() -> dict:
    import app  # noqa: F401  (its wiring registers the modules: the demo county gets every module that is built)

    data = build_demo_county()
    county = counties.new_county(data["code"], data["name"], [m.id for m in modules.catalogue()],
                                 contact="龙游县大数据发展中心 0570-7012345")
    county.save()
    counties.forget(COUNTY_CODE)  # is_seeded() cached "no such county" a moment ago; the cases below read it
    admin = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                          grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    for p in data["places"]:
        places.create(admin, p["code"], p["name"])
    hids = []
    for hh in data["households"]:
        members = [MemberIn.model_validate(m) for m in hh["members"]]
        hids.append(households.write_household(COUNTY_CODE, hh["grid"], hh["address"], members, hh["ref"]).hid)
    people = {}
    for acct in DEMO_ACCOUNTS:
        tenant = PLATFORM if acct["role"] == PLATFORM_OPERATOR else COUNTY_CODE
        household = None
        if acct["role"] == VILLAGER:  # a villager belongs to a household: the grid's first
            household = households.list_households(admin, acct["place"], False, 1, None)["items"][0].hid
        people[acct["role"]], _ = auth.add_grants(tenant, acct["phone"], acct["name"],
                                                  [Grant(acct["role"], acct["place"], household)], invited_by="seed")
    # 党员联户: the demo party member looks after the first households of their grid.
    pm = next(a for a in DEMO_ACCOUNTS if a["role"] == PARTY_MEMBER)
    grid_households = households.list_households(admin, pm["place"], False, PARTY_LINKS, None)["items"]
    party.link(admin, people[PARTY_MEMBER].uid, [h.hid for h in grid_households])
    past = seed_past_days(data, hids)
    cases = seed_cases(people)
    errand_items = seed_errands(admin, people)
    board_inspections = seed_boards(people)
    notices = seed_notices(people)
    vanguard = seed_vanguard(people)
    recruitment = seed_recruitment(people)
    volunteer_calls = seed_volunteers(people)
    lectures = seed_lectures(people)
    quality_days = seed_backoffice(data, hids, people)
    from .demo_insights import seed_insights

    mapped_villages = seed_insights(data)  # 问题分析: villages on the map, the seeded cases' weeks rolled up
    return {"places": len(data["places"]), "households": len(data["households"]),
            "members": sum(len(h["members"]) for h in data["households"]), "party_links": len(grid_households),
            "past_report_days": past, "cases": cases, "errand_items": errand_items,
            "board_inspections": board_inspections, "notices": notices, "vanguard_deeds": vanguard,
            "volunteer_calls": volunteer_calls, "lectures": lectures, "jobs": recruitment, "quality_days": quality_days,
            "mapped_villages": mapped_villages}


def seed_errands(admin: TenantContext, people: dict) -> int:
    """网上代办: the demo county's catalogue (devstack/demo_errands.py), as its administrator would add it, and two
    applications of the demo villager's household: 老年优待证 waiting at the village service point (待受理), and
    生育登记 forwarded by it to the county's office (部门办理中) — something for each office to handle."""
    from types import SimpleNamespace as Body

    from chalicelib.cases import service as cases
    from chalicelib.core import files
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.errands import applications
    from chalicelib.errands import service as errands
    from chalicelib.errands.schemas import ItemIn

    from .demo_errands import ITEMS
    from .demo_photos import PHOTOS, png

    count = errands.create_many(admin, [ItemIn.model_validate(i) for i in ITEMS])
    user = people[VILLAGER]
    villager = TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))
    clerk_user = people["village_admin"]
    clerk = TenantContext(tenant_id=COUNTY_CODE, user_id=clerk_user.uid, identity="seed",
                          grants=grants_from_json(clerk_user.grants))
    hid = next(iter(villager.households()))
    by_name = {i["name"]: i["id"] for i in errands.catalogue(admin, True)["items"]}

    def photo(name: str) -> str:
        form = files.presigned_upload(COUNTY_CODE, "cases/errand", ".png", "image/png", 300 * 1024,
                                      name=cases.photo_name(user.uid))
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=png(PHOTOS[name]),
                                    ContentType="image/png")
        return form["key"]

    applications.apply(villager, Body(
        item=by_name["老年优待证办理"], household=hid, delivery="pickup", address=None, phone=None,
        consent_code=None, materials=[[photo("id_card"), photo("id_card")], [photo("portrait")]],
        values={"f1": "黄老伯", "f2": "330825195803149010", "f3": [photo("portrait")]}))
    birth_item = errands.get(admin, by_name["生育登记"])
    values = {f["key"]: [photo("portrait")] if f["type"] == "photo" else
              {"date": "2026-11-20", "id_number": "330825199708019005",
               "choice": (f.get("choices") or [""])[0]}.get(f["type"], "李小红")
              for f in birth_item["fields"]}
    birth = applications.apply(villager, Body(
        item=birth_item["id"], household=hid, delivery="courier", address="龙游县张王村1号", phone=None,
        consent_code=None, values=values, materials=[[photo("id_card")] for _ in birth_item["materials"]]))
    applications.act(clerk, birth["case"]["ref"], Body(action="forward", note="材料齐全，转县卫生健康局办理",
                                                       outcome=None, photos=[], values=None, materials=None,
                                                       courier=None, tracking_no=None, rating=None))
    return count


def seed_notices(people: dict) -> int:
    """通知公告: a few notices of the county, the township and 张王村 (one urgent, one to party members only, one
    scheduled for tomorrow morning), published by the demo staff through the module's service."""
    from chalicelib.notices import service as notices
    from chalicelib.notices.schemas import NoticeIn

    def ctx(role: str) -> TenantContext:
        user = people[role]
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    tomorrow = (clock.now().astimezone(clock.SHANGHAI) + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0,
                                                                                        microsecond=0)
    items = [
        ("county_admin", {"title": "关于做好冬季森林防火工作的通知",
                          "body": "各乡镇（街道）、各村：入冬以来气候干燥，森林火险等级持续偏高。请严禁野外用火，"
                                  "上坟祭祖文明祭扫，发现火情立即拨打12119。"}),
        ("township_official", {"title": "冬季征兵报名开始",
                               "body": "年满18至22周岁的适龄青年可在村里报名，详情咨询村委会。"}),
        ("village_admin", {"title": "张王村村民代表大会通知",
                           "body": "本周六上午9点在村文化礼堂召开村民代表大会，讨论村道硬化事宜，"
                                   "请各户代表准时参加。"}),
        ("village_admin", {"title": "党员冬训学习安排", "roles": ["party_member"],
                           "body": "全体党员本月15日下午2点到村党群服务中心参加冬训学习，请带好学习笔记。"}),
        ("village_admin", {"title": "明日停水通知", "publish_at": tomorrow.isoformat(),
                           "body": "因主管道检修，明天上午9点至下午3点停水，请各户提前储水。"}),
        ("county_admin", {"title": "寒潮蓝色预警", "urgent": True,
                          "body": "受强冷空气影响，未来48小时气温将下降8至10℃，请做好防寒保暖，检查大棚和畜禽棚舍，"
                                  "老人和儿童减少外出。"}),
    ]
    for role, body in items:
        notices.publish(ctx(role), NoticeIn.model_validate(body))
    return len(items)


def seed_recruitment(people: dict) -> int:
    """智慧招聘: the demo employer 钱企业 (staff with the employer role) as a verified employer with 3 jobs,
    and the demo villager's profile with 2 applications (one offered)."""
    from chalicelib.recruitment import applications
    from chalicelib.recruitment import service as recruitment
    from chalicelib.recruitment.schemas import DecideIn, EmployerIn, JobIn, ProfileIn, licence_check_char

    def ctx(user) -> TenantContext:
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    boss, seeker, admin = ctx(people["employer"]), ctx(people[VILLAGER]), ctx(people["county_admin"])
    first = "91330825MA2DE7M01"
    account = EmployerIn(company="龙游绿源食品有限公司", licence_no=first + licence_check_char(first),
                         contact_name="钱企业", address="龙游县龙游工业园区兴业路8号",
                         intro="笋干、发糕等龙游特产的加工企业。")
    eid = recruitment.apply_employer(boss, account)["id"]
    recruitment.decide_employer(admin, eid, DecideIn(decision="verify"))
    township = "330825001"
    plant = "龙游工业园区兴业路8号"
    jobs = [recruitment.post_job(boss, JobIn(**body)) for body in (
        {"title": "食品包装工", "category": "普工", "pay_min": 3800, "pay_max": 5200, "township": township,
         "place": plant, "shifts": "两班倒，8:00–20:00 / 20:00–8:00", "requirements": "身体健康，18–55岁",
         "openings": 10},
        {"title": "叉车司机", "category": "技工", "pay_min": 5000, "pay_max": 6500, "township": township,
         "place": plant, "shifts": "长白班 8:00–17:00", "requirements": "持叉车证，一年以上经验",
         "openings": 2},
        {"title": "冷链配送员", "category": "物流", "pay_min": 4500, "pay_max": 6000, "township": None,
         "place": "全县各乡镇配送", "shifts": "早班 6:00–14:00", "requirements": "C1驾照，熟悉本县道路",
         "openings": 3})]
    recruitment.put_profile(seeker, ProfileIn(name="黄村民", skills=["叉车", "电工"],
                                              experience="在县城物流公司开过三年叉车。", townships=[township]))
    applications.apply(seeker, jobs[0]["id"], "可以上夜班")
    offered = applications.apply(seeker, jobs[1]["id"], "有叉车证")
    applications.offer(boss, offered["id"], "请于下周一上午8点到厂办报到，带身份证和叉车证。")
    return len(jobs)


def seed_vanguard(people: dict) -> int:
    """党员先锋: deeds of 张王村's party members (the demo one and two more) approved by the village admin, liked by the
    demo villager and staff, a moderated comment and a study award, so the feed and 党建指数 have something to show
    (the likes' points follow from the stream when the local stack's event runner starts)."""
    from chalicelib.core import files
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.vanguard import points
    from chalicelib.vanguard import service as vanguard

    from .demo_photos import PHOTOS, png

    def ctx(user) -> TenantContext:
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    grid = next(a["place"] for a in DEMO_ACCOUNTS if a["role"] == PARTY_MEMBER)
    members = [people[PARTY_MEMBER]] + [auth.add_grants(COUNTY_CODE, phone, name, [Grant(PARTY_MEMBER, grid)],
                                                        invited_by="seed")[0]
                                        for phone, name in (("13500001501", "王建国"), ("13500001502", "李秀英"))]
    deeds = [(0, "pond", "带领党员志愿者清理村口池塘的淤泥和垃圾，水面又清了。", 5),
             (1, "rubbish_cleared", "帮独居老人张大爷清理了院子里堆了半年的杂物，还修好了门前的路灯。", 3),
             (0, "lamp_fixed", "联系电工修好了村道上三盏坏了的路灯，晚上出行安全多了。", 2),
             (2, "rubbish_cleared", "组织妇女志愿者入户宣传垃圾分类，发放分类垃圾桶20个。", 0)]
    admin = ctx(people["village_admin"])
    likers = [ctx(people[r]) for r in (VILLAGER, "grid_worker", "village_admin", "township_official", "county_admin")]
    for i, (who, photo, text, likes) in enumerate(deeds):
        member = ctx(members[who])
        rand = f"seed{i}"
        form = files.presigned_upload(COUNTY_CODE, "vanguard", ".png", "image/png", vanguard.PHOTO_BYTES,
                                      name=f"{rand}-{vanguard._tag(member.user_id, rand)}")
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=png(PHOTOS[photo]),
                                    ContentType="image/png")
        did = vanguard.post(member, text, [form["key"]])["id"]
        vanguard.decide(admin, did, "approve", None)
        for liker in likers[:likes]:
            vanguard.like(liker, did)
        if i == 0:
            c = vanguard.add_comment(likers[0], did, "党员带头干，村里越来越好！")
            vanguard.moderate(admin, did, c["id"], "approve")
    name, village = vanguard.member_info(COUNTY_CODE, members[2].uid)
    points.award(COUNTY_CODE, members[2].uid, name=name, village=village, source="study", points=5,
                 ref="seed-winter-course", note="党员冬训第一课", by="seed")
    # 王建国 leads this month's board (43 points against the demo party member's 27): a deed approved and liked a
    # few times more lifts the demo member past him, as the browser test shows.
    name, village = vanguard.member_info(COUNTY_CODE, members[1].uid)
    for n, (source, note) in enumerate([("study", "党员冬训第{}课"), ("volunteer", "村道清扫志愿服务第{}次")] * 3):
        points.award(COUNTY_CODE, members[1].uid, name=name, village=village, source=source, points=5,
                     ref=f"seed-{source}-{n}", note=note.format(n // 2 + 1), by="seed")
    return len(deeds)


def seed_volunteers(people: dict) -> int:
    """紧急招募令: volunteers of 张王村 (the demo villager and party member, 王建国 and 李秀英 of seed_vanguard) and one
    open call of the village, "为村医招募驾驶员", with 2 of its 5 slots taken (the demo villager can still sign up)."""
    from chalicelib.volunteers import service as volunteers
    from chalicelib.volunteers.schemas import CallIn, VolunteerIn

    def ctx(user) -> TenantContext:
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    helpers = [auth.find_user_by_phone(COUNTY_CODE, phone) for phone in ("13500001501", "13500001502")]
    people_in = [(people[VILLAGER], ["搬运"], True), (people[PARTY_MEMBER], ["驾驶", "搬运"], True),
                 (helpers[0], ["驾驶"], True), (helpers[1], ["驾驶", "医护"], False)]
    for user, skills, sms in people_in:
        volunteers.put_me(ctx(user), VolunteerIn.model_validate({"skills": skills, "sms": sms}))
    starts = (clock.now().astimezone(clock.SHANGHAI) + dt.timedelta(days=2)).replace(hour=8, minute=0, second=0,
                                                                                      microsecond=0)
    call = volunteers.publish(ctx(people["village_admin"]), CallIn.model_validate({
        "place": FOCUS_VILLAGE, "title": "为村医招募驾驶员",
        "description": "村卫生室的医生每周二、四下乡巡诊，行动不便的老人在家等着。需要有车的志愿者接送医生，"
                       "一次约半天，油费由村里补贴。",
        "address": "张王村卫生室门口", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=4)).isoformat(), "slots": 5,
        "requirements": "持有C1及以上驾照，驾龄满3年，自有车辆", "skills": ["驾驶"]}))
    for user in helpers:
        volunteers.signup(ctx(user), call["id"])
    return 1


def seed_lectures(people: dict) -> int:
    """专题授课: two published courses of the county, each with the 10-second demo video (devstack/demo_lecture.webm,
    made by devstack/make_demo_lecture.py) uploaded in one part through core/multipart.py: 春耕技术讲座 for everyone
    and a 党员学习 course (a party member's completion gives study points)."""
    from pathlib import Path

    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.lectures import service as lectures
    from chalicelib.lectures.schemas import CompleteIn, CourseIn, CourseUpdate, UploadIn

    data = (Path(__file__).parent / "demo_lecture.webm").read_bytes()
    admin = TenantContext(tenant_id=COUNTY_CODE, user_id=people["county_admin"].uid, identity="seed",
                          grants=grants_from_json(people["county_admin"].grants))
    courses = [("春耕技术讲座", "县农业农村局专家讲解水稻育秧、春耕整地和病虫害防治，适合种粮大户和村民收看。", "all",
                "第一讲：水稻育秧"),
               ("党员学习：村务公开与民主决策", "党员冬训专题课，学习“四议两公开”工作法。看完视频计入学习积分。",
                "party", "第一课：四议两公开")]
    for title, description, audience, video_title in courses:
        course = lectures.create(admin, CourseIn.model_validate({"title": title, "description": description,
                                                                  "audience": audience}))
        up = lectures.start_upload(admin, course["id"], UploadIn.model_validate({
            "title": video_title, "content_type": "video/webm", "size": len(data), "duration_s": 10}))
        from chalicelib.core.multipart import Upload

        record = Upload.get(*Upload.keys(COUNTY_CODE, up["upload_id"]))
        etag = aws_client("s3").upload_part(Bucket=settings().media_bucket, Key=record.s3_key,
                                            UploadId=record.s3_upload_id, PartNumber=1, Body=data)["ETag"]
        video = lectures.complete_upload(admin, course["id"], up["upload_id"],
                                         CompleteIn.model_validate({"parts": [{"number": 1, "etag": etag}]}))
        if audience == "all":
            demo_renditions(COUNTY_CODE, course["id"], video["id"])
        lectures.update(admin, course["id"], CourseUpdate.model_validate({
            "title": title, "description": description, "audience": audience, "status": "published",
            "videos": [video["id"]], "version": lectures.detail(admin, course["id"], consistent=True)["version"]}))
    return len(courses)


def demo_renditions(tenant: str, cid: str, vid: str) -> None:
    """What MediaConvert would leave for the demo video in AWS (there is no transcoder locally): the renditions of
    devstack/demo_hls/ (made by devstack/make_demo_hls.py) in the video's HLS folder, and the video marked ready
    with its master playlist and poster, so the local phone player streams it over HLS (hls.js) as phones do in AWS."""
    from pathlib import Path

    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.lectures.models import Video
    from chalicelib.lectures.transcode import hls_prefix

    prefix = hls_prefix(tenant, cid, vid)
    types = {".m3u8": "application/vnd.apple.mpegurl", ".mp4": "video/mp4", ".m4s": "video/iso.segment",
             ".jpg": "image/jpeg"}
    for f in sorted((Path(__file__).parent / "demo_hls").iterdir()):
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=prefix + f.name, Body=f.read_bytes(),
                                    ContentType=types.get(f.suffix, "application/octet-stream"))
    Video(*Video.keys(tenant, vid)).update(actions=[Video.status.set("ready"),
                                                    Video.hls_key.set(prefix + "index.m3u8"),
                                                    Video.poster_key.set(prefix + "poster.0000000.jpg")])


def seed_boards(people: dict) -> int:
    """红黑榜: the county's criteria, last month's inspections of the demo grid of 张王村 by its grid worker (with
    photo evidence) and the board the village admin published; a few inspections of this month (the draft), one of
    them appealed by the demo villager. Through the module's own services, the clock moved for each step."""
    import random
    from types import SimpleNamespace as Body

    from chalicelib.boards import board
    from chalicelib.boards import service as boards
    from chalicelib.boards.schemas import CriteriaIn
    from chalicelib.core import files
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    from .demo_photos import PHOTOS, png

    def ctx(role: str) -> TenantContext:
        user = people[role]
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    worker, admin, villager = ctx("grid_worker"), ctx("village_admin"), ctx(VILLAGER)
    county = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                           grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    boards.set_criteria(county, CriteriaIn.model_validate({"criteria": [
        {"key": "courtyard", "name": "庭院卫生", "weight": 40, "max_score": 10},
        {"key": "sorting", "name": "垃圾分类", "weight": 30, "max_score": 10},
        {"key": "frontage", "name": "门前三包", "weight": 20, "max_score": 10},
        {"key": "indoor", "name": "室内整洁", "weight": 10, "max_score": 10}]}))
    photos = []
    for name in ("rubbish", "rubbish_cleared", "pond"):
        rand = f"seed{name}"
        form = files.presigned_upload(COUNTY_CODE, "boards", ".png", "image/png", boards.PHOTO_BYTES,
                                      name=f"{rand}-{boards._photo_tag(worker.user_id, rand)}")
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=png(PHOTOS[name]),
                                    ContentType="image/png")
        photos.append(form["key"])
    grid = next(a["place"] for a in DEMO_ACCOUNTS if a["role"] == "grid_worker")
    homes = [h.hid for h in households.grid_households(COUNTY_CODE, grid)][:30]
    rng = random.Random(15)
    real = clock.Clock()
    now = real.now()
    first = now.astimezone(clock.SHANGHAI).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    last_month = (first - dt.timedelta(days=1)).replace(day=5)
    n = 0
    try:
        for i, hid in enumerate(homes):
            clock.set_clock(clock.FrozenClock(last_month + dt.timedelta(days=i % 20, minutes=i)))
            base = rng.choice((4, 5, 6, 7, 8, 8, 9, 9, 10))
            scores = {k: max(0, min(10, base + rng.choice((-1, 0, 0, 1)))) for k in
                      ("courtyard", "sorting", "frontage", "indoor")}
            boards.inspect(worker, Body(household=hid, scores=scores, photos=[photos[1] if base >= 7 else photos[0]],
                                        note="院落整洁，分类到位" if base >= 8 else
                                        ("门前有杂物堆放" if base < 6 else None)))
            n += 1
        clock.set_clock(clock.FrozenClock(first + dt.timedelta(hours=1)))
        board.publish(admin, grid[:12], (first - dt.timedelta(days=1)).strftime("%Y-%m"), "上月卫生大检查结果")
        for i, hid in enumerate(homes[:6]):
            clock.set_clock(clock.FrozenClock(now - dt.timedelta(hours=6 - i)))
            scores = {k: rng.choice((3, 5, 7, 9)) for k in ("courtyard", "sorting", "frontage", "indoor")}
            rec = boards.inspect(worker, Body(household=hid, scores=scores, photos=[photos[2]], note=None))
            n += 1
            if hid in villager.households():
                boards.appeal(villager, rec["id"], "检查那天家里在办酒席，平时都很干净")
    finally:
        clock.set_clock(real)
    return n


def seed_cases(people: dict) -> int:
    """A few cases of each type filed by the demo villager over the last days, through the workflow's own services
    (clock moved back for each step): a 随手拍 waiting for the grid worker, one resolved with an after photo and rated
    (on the village board), a safety hazard past its SLA (the escalation schedule moves it up at the next tick), a
    letter answered in a thread, an anonymous letter waiting, and a tip-off."""
    from types import SimpleNamespace as Body

    from chalicelib.cases import service as cases
    from chalicelib.core import files
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.letters import service as letters
    from chalicelib.snaps import service as snaps
    from chalicelib.tipoffs import service as tipoffs

    from .demo_photos import PHOTOS, png

    def ctx(role: str) -> TenantContext:
        user = people[role]
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    def photo(who: str, name: str) -> str:
        form = files.presigned_upload(COUNTY_CODE, "cases/snap", ".png", "image/png", 300 * 1024,
                                      name=cases.photo_name(people[who].uid))
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=png(PHOTOS[name]),
                                    ContentType="image/png")
        return form["key"]

    real = clock.Clock()
    now = real.now()

    def at(hours_ago: float) -> None:
        clock.set_clock(clock.FrozenClock(now - dt.timedelta(hours=hours_ago)))

    villager, worker, admin = ctx(VILLAGER), ctx("grid_worker"), ctx("village_admin")
    try:
        at(50)
        lamp = snaps.file(villager, Body(category="road", text="村口第三根路灯不亮，晚上看不清路", grid=None,
                                         location="村口桥头", extra={"facility": "streetlight"}, lat=29.031,
                                         lng=119.172, photos=[photo(VILLAGER, "lamp")]))
        at(49)
        cases.act(worker, lamp.ref, "accept", note="已联系电工，明天来修")
        at(30)
        cases.act(worker, lamp.ref, "resolve", outcome="fixed", note="已更换灯泡，恢复照明",
                  photos=[photo("grid_worker", "lamp_fixed")])
        at(28)
        cases.act(villager, lamp.ref, "rate", rating=5, note="修得很快，谢谢")
        at(30)
        snaps.file(villager, Body(category="safety", text="水塘边的护栏倒了，孩子常在附近玩", grid=None,
                                  location="祠堂后面的水塘", extra={"urgent": "yes"}, lat=None, lng=None,
                                  photos=[photo(VILLAGER, "pond")]))
        at(3)
        snaps.file(villager, Body(category="sanitation", text="巷子里堆了好几袋垃圾，好几天没人清运", grid=None,
                                  location="东巷", extra={}, lat=None, lng=None,
                                  photos=[photo(VILLAGER, "rubbish")]))
        at(72)
        letter = letters.file(villager, Body(to="village", category="suggestion",
                                             text="建议在文化礼堂旁边增设几张休息长椅，老人晚上乘凉有地方坐。",
                                             anonymous=False, photos=[]))
        at(48)
        cases.act(admin, letter.ref, "note", note="已收到，村两委本周开会商议")
        at(47)
        cases.act(villager, letter.ref, "reply", note="最好放在树荫下面")
        at(20)
        letters.file(villager, Body(to="village", category="complaint",
                                    text="隔壁养鸡场气味很大，夏天尤其严重，希望村里协调一下。", anonymous=True,
                                    photos=[]))
        at(5)
        tipoffs.create(villager, Body(category="gathering", description="祠堂里有人在办酒席，来了很多外地亲戚",
                                      location="祠堂", village=None, anonymous=True))
    finally:
        clock.set_clock(real)
    return 6


def seed_backoffice(data: dict, hids: list[str], people: dict) -> int:
    """县级后台: last month gets something besides its daily reports — a letter of a household in another township's
    village, answered and resolved, and a party member there with a study and a volunteer award (their own village
    and member, so 张王村's boards and the demo villager's cases stay as the browser tests expect) — then the
    nightly roll-up of every seeded day through today (tonight's run settles today), so the quality page of this
    month and the last shows numbers on `make run`."""
    from types import SimpleNamespace as Body

    from chalicelib.backoffice import service as backoffice
    from chalicelib.cases import service as cases
    from chalicelib.letters import service as letters
    from chalicelib.vanguard import points

    # the last household outside the demo township (团石村's first grid, the first of them, is the browser tests')
    other = [h for h in data["households"] if h["grid"][:9] != FOCUS_VILLAGE[:9]][-1]
    hid = hids[data["households"].index(other)]
    writer, _ = auth.add_grants(COUNTY_CODE, "13500001601", "周大姐", [Grant(VILLAGER, other["grid"], hid)],
                                invited_by="seed")
    member, _ = auth.add_grants(COUNTY_CODE, "13500001602", "徐党员", [Grant(PARTY_MEMBER, other["grid"])],
                                invited_by="seed")
    ctx = TenantContext(tenant_id=COUNTY_CODE, user_id=writer.uid, identity="seed",
                        grants=grants_from_json(writer.grants))
    admin = people[COUNTY_ADMIN]
    office = TenantContext(tenant_id=COUNTY_CODE, user_id=admin.uid, identity="seed",
                           grants=grants_from_json(admin.grants))
    real = clock.Clock()
    now = real.now()
    first = now.astimezone(clock.SHANGHAI).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    last_month = (first - dt.timedelta(days=20)).astimezone(dt.UTC)  # the 10th or 11th of last month, 10:00
    try:
        clock.set_clock(clock.FrozenClock(last_month))
        letter = letters.file(ctx, Body(to="village", category="suggestion", anonymous=False, photos=[],
                                        text="村里的公交站台没有遮雨棚，建议加装。"))
        clock.set_clock(clock.FrozenClock(last_month + dt.timedelta(hours=6)))
        cases.act(office, letter.ref, "note", note="已收到，已联系交通部门")
        clock.set_clock(clock.FrozenClock(last_month + dt.timedelta(hours=30)))
        cases.act(office, letter.ref, "resolve", note="遮雨棚已安装")
    finally:
        clock.set_clock(real)
    village = other["grid"][:12]
    for source, note, days in (("study", "党员冬训预备课", 0), ("volunteer", "村道清扫志愿服务", 1)):
        points.award(COUNTY_CODE, member.uid, name="徐党员", village=village, source=source, points=5,
                     ref=f"seed-last-month-{source}", note=note, by="seed",
                     at=clock.iso(last_month + dt.timedelta(days=days)))
    today = clock.today()
    dates = [(today - dt.timedelta(days=ago)).isoformat() for ago in range(PAST_DAYS, -1, -1)]
    backoffice.rollup(COUNTY_CODE, dates)
    return len(dates)


def seed_past_days(data: dict, hids: list[str]) -> int:
    """The daily report's last PAST_DAYS days before today, so the console's 30-day trend is not empty: the
    completion counters of every grid, village, township and county, written directly (BatchWrite, about 30 calls)
    from the deterministic per-household simulation in demo_data.past_day_counts — the same items and sums the
    stream handler writes from real reports — and each household's last report date (what the unreported list
    shows; 3 transactions). No past reports or day statuses are made (writing ~7,000 reports through the service
    would take minutes at every fresh start), so a household's own history starts today.
    Township and county sums go to shard 0; a read adds up all shards."""
    from chalicelib.core.db import transact
    from chalicelib.daily_report.models import Counter
    from chalicelib.daily_report.service import COUNTER_DAYS, expires_in

    today = clock.today()
    days, last = past_day_counts(data)
    sums: dict[tuple[str, str, int | None], dict[str, int]] = {}
    for ago, grids in days:
        date = (today - dt.timedelta(days=ago)).isoformat()
        for grid, counts in grids.items():
            for place, shard in ((grid, None), (grid[:12], None), (grid[:9], 0), (COUNTY_CODE, 0)):
                acc = sums.setdefault((date, place, shard), dict.fromkeys(COUNT_FIELDS, 0))
                for f in COUNT_FIELDS:
                    acc[f] += counts[f]
    expires = expires_in(COUNTER_DAYS)
    with Counter.batch_write() as batch:
        for (date, place, shard), acc in sums.items():
            batch.save(Counter(*Counter.keys(COUNTY_CODE, date, place, shard), expires=expires, **acc))
    reported = [(hid, (today - dt.timedelta(days=ago)).isoformat()) for hid, ago in zip(hids, last, strict=True)
                if ago is not None]
    for i in range(0, len(reported), 100):
        with transact() as tx:
            for hid, date in reported[i:i + 100]:
                households.mark_reported(tx, COUNTY_CODE, hid, date)
    return len(days)


def demo_invite() -> tuple[str, str]:
    """A fresh invite code for the first household of 张王村 (printed at start for the villager demo)."""
    worker = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                           grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    page = households.list_households(worker, FOCUS_VILLAGE, False, 1, None)
    hh = page["items"][0]
    return households.create_invite(worker, hh.hid, head=False)["code"], hh.address
