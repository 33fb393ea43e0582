"""Deterministic demo data for the local 村情通 stack: the county 龙游县 (330825).

All people are fictitious. ID numbers are GB 11643-valid but use a 9xx sequence, phones are random but unique,
and the 1390000xxxx range is reserved for the demo staff accounts in DEMO_ACCOUNTS.
Pure Python, no IO at import time; call build_demo_county() to get the data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

COUNTY_CODE = "330825"
COUNTY_NAME = "龙游县"
REFERENCE_DATE = date(2024, 6, 1)  # fixed "today" so ages/birth dates are deterministic
RESERVED_PHONE_PREFIX = "1390000"

# Real townships/streets of Longyou County, then (village suffix, village name, households, grids) under each.
TOWNSHIPS = [
    ("330825001", "东华街道", [("201", "张王村", 172, 4)]),
    ("330825002", "龙洲街道", [("201", "团石村", None, None), ("202", "下徐村", None, None)]),
    ("330825100", "湖镇镇", [("201", "寺下村", None, None), ("202", "星火村", None, None)]),
    ("330825101", "小南海镇", [("201", "茶圩村", None, None)]),
    ("330825102", "溪口镇", [("201", "灵山村", None, None), ("202", "黄铁村", None, None)]),
]
FOCUS_VILLAGE = "330825001201"  # 张王村
FOCUS_OUTSIDE_SPLIT = [2, 2, 2, 1, 1]  # outside persons per household in 张王村 (5 households, 8 persons)

# Other real county-level prefixes for outside persons, with the place they come from.
OUTSIDE_ORIGINS = [
    ("361102", "江西省上饶市"), ("360302", "江西省萍乡市"), ("340102", "安徽省合肥市"),
    ("522601", "贵州省黔东南州"), ("430102", "湖南省长沙市"),
]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙朱胡郑余叶汪方童邵毛祝")
GIVEN_MALE = ["建国", "志强", "国华", "伟", "军", "海峰", "立新", "明", "俊杰", "浩然", "子涵", "宇轩", "文斌", "永福"]
GIVEN_FEMALE = ["秀英", "桂芳", "丽华", "美玲", "红梅", "静", "敏", "雪梅", "欣怡", "梓萱", "雨桐", "春燕", "慧",
                "玉兰"]

CN_NUMERALS = "零一二三四五六七八九十"  # grids are named the way villages name them: 张王村第一网格

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

_ACCOUNT_SPEC = [  # (role, place, fictitious name, label)
    ("platform_operator", "*", "林平台", "平台运营"),
    ("county_admin", COUNTY_CODE, "吴县管", "县级管理员（大数据局）"),
    ("epidemic_command", COUNTY_CODE, "郑防疫", "县防疫指挥部"),
    ("org_department", COUNTY_CODE, "何组织", "组织部"),
    ("employer", COUNTY_CODE, "钱企业", "企业"),
    ("township_official", "330825001", "邵乡干", "乡镇（街道）干部"),
    ("village_admin", FOCUS_VILLAGE, "祝村管", "村情通管理员"),
    ("grid_leader", FOCUS_VILLAGE + "G01", "毛格长", "网格长"),
    ("grid_worker", FOCUS_VILLAGE + "G01", "汪专网", "专职网格员"),
    ("grid_worker_part", FOCUS_VILLAGE + "G01", "童兼网", "兼职网格员"),
    ("grid_instructor", FOCUS_VILLAGE + "G01", "叶指导", "网格指导员"),
    ("checkpoint_staff", FOCUS_VILLAGE, "方卡口", "卡口值守人员"),
    ("party_member", FOCUS_VILLAGE + "G01", "余党员", "党员"),
    ("villager", FOCUS_VILLAGE + "G01", "黄村民", "村民"),  # of the grid's first household; files the demo cases
]
DEMO_ACCOUNTS: list[dict] = [
    {"role": role, "place": place, "phone": f"{RESERVED_PHONE_PREFIX}{i:04d}", "name": name, "label_zh": label}
    for i, (role, place, name, label) in enumerate(_ACCOUNT_SPEC, start=1)
]


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a GB 11643 ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=False)) % 11]


class _Gen:
    """Holds the RNG and the uniqueness sets shared across the whole county."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, prefix: str, age: int, male: bool) -> str:
        rng = self.rng
        while True:
            born = date(REFERENCE_DATE.year - age, 1, 1) + timedelta(days=rng.randrange(365))
            if born > REFERENCE_DATE:
                continue
            # Sequence 9xx marks the number as fictitious; its last digit is odd for men, even for women.
            seq = f"9{rng.randrange(10)}{rng.choice('13579' if male else '02468')}"
            first17 = f"{prefix}{born:%Y%m%d}{seq}"
            full = first17 + id_check_digit(first17)
            if full not in self.ids:
                self.ids.add(full)
                return full

    def phone(self) -> str:
        while True:
            p = self.rng.choice(["13", "15", "18", "19"]) + f"{self.rng.randrange(10**9):09d}"
            if not p.startswith(RESERVED_PHONE_PREFIX) and p not in self.phones:
                self.phones.add(p)
                return p

    def name(self, male: bool, surname: str | None = None) -> str:
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)

    def person(self, relation: str, age: int, male: bool, surname: str | None = None, *, head: bool = False,
               origin: tuple[str, str] | None = None) -> dict:
        rng = self.rng
        return {
            "name": self.name(male, surname),
            "relation": relation,
            "id_number": self.id_number(origin[0] if origin else COUNTY_CODE, age, male),
            "phone": self.phone() if head or (age >= 16 and rng.random() < 0.4) else None,
            "party_member": age >= 18 and rng.random() < (0.03 if origin else 0.10),
            "outside_person": origin is not None,
            "from_place": origin[1] if origin else None,
        }

    def household(self, local_size: int, outside: int) -> list[dict]:
        """A local family of local_size (head first) plus `outside` outside persons (relation 其他)."""
        rng = self.rng
        head_age, head_male = rng.randint(28, 78), rng.random() < 0.8
        surname = rng.choice(SURNAMES)
        members = [self.person("户主", head_age, head_male, surname, head=True)]
        if local_size >= 2 and rng.random() < 0.85:
            members.append(self.person("配偶", max(20, head_age + rng.randint(-5, 5)), not head_male))
        while len(members) < local_size:
            options = ["子女", "其他"]
            if head_age <= 60:
                options.append("父母")
            if head_age >= 50:
                options.append("孙子女")
            rel = rng.choice(options + ["子女"])  # children are the most common
            male = rng.random() < 0.5
            if rel == "子女":
                age, sn = max(0, head_age - rng.randint(22, 34)), surname if head_male else None
            elif rel == "父母":
                age, sn = min(95, head_age + rng.randint(22, 32)), surname if (male and head_male) else None
            elif rel == "孙子女":
                age, sn = max(0, head_age - rng.randint(46, 62)), surname if head_male else None
            else:
                age, sn = rng.randint(18, 80), None
            members.append(self.person(rel, age, male, sn))
        for _ in range(outside):
            members.append(self.person("其他", rng.randint(20, 55), rng.random() < 0.6,
                                       origin=rng.choice(OUTSIDE_ORIGINS)))
        return members


def build_demo_county(seed: int = 330825) -> dict:
    """Build the demo county 龙游县; deterministic for a given seed."""
    gen = _Gen(seed)
    rng = gen.rng
    townships, villages, grids, households = [], [], [], []
    for t_code, t_name, village_specs in TOWNSHIPS:
        townships.append({"code": t_code, "name": t_name, "level": "township", "parent": COUNTY_CODE})
        for suffix, v_name, n_households, n_grids in village_specs:
            v_code = t_code + suffix
            villages.append({"code": v_code, "name": v_name, "level": "village", "parent": t_code})
            n_households = n_households or rng.randint(8, 15)
            n_grids = n_grids or rng.randint(1, 2)
            grid_codes = [f"{v_code}G{g:02d}" for g in range(1, n_grids + 1)]
            grids += [{"code": c, "name": f"{v_name}第{CN_NUMERALS[g]}网格", "level": "grid", "parent": v_code}
                      for g, c in enumerate(grid_codes, start=1)]
            # Which households get outside persons (only in the focus village).
            outside = {}
            if v_code == FOCUS_VILLAGE:
                outside = dict(zip(sorted(rng.sample(range(n_households), len(FOCUS_OUTSIDE_SPLIT))),
                                   FOCUS_OUTSIDE_SPLIT, strict=False))
            for i in range(n_households):
                k = outside.get(i, 0)
                local_size = min(rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 30, 22, 13])[0], 5 - k)
                households.append({
                    "ref": f"{v_code}-{i + 1:04d}",  # the form households.service.auto_ref hands out
                    "grid": grid_codes[i * n_grids // n_households],  # contiguous, even split across grids
                    "address": f"{v_name}{i + 1}号",
                    "members": gen.household(local_size, k),
                })
    return {"code": COUNTY_CODE, "name": COUNTY_NAME, "places": townships + villages + grids,
            "households": households}


# --- the daily report's past days (so the console's 30-day trend has something to show) --------------------------

PAST_DAYS = 29  # the trend's 30 days end today; today is left to the demo's own reports
COUNT_FIELDS = ("reported", "on_time", "proxy", "green", "yellow", "red", "alert_households", "outside_households",
                "outside_persons")


def past_day_counts(county: dict, days: int = PAST_DAYS,
                    seed: int = 330825) -> tuple[list[tuple[int, dict[str, dict]]], list[int | None]]:
    """Simulated daily-report outcomes of the demo county's past `days` days, summed per grid:
    ([(days_ago, {grid: {field: n for field in COUNT_FIELDS}})] oldest first, [days_ago of each household's last
    report, or None]). Deterministic for a given county and seed (days are counted back from whatever today is, so
    the shape is the same every start).

    Each household reports or not each day (about 97% do; a few days dip — rain, a market day — and one village
    has a bad day of its own), before the cut-off or not, itself or through its grid worker (代报); each member's
    code is green with rare yellows and reds; members who are outside persons are declared when their household
    reports. The sums are what the stream handler would have counted from the same reports."""
    rng = random.Random(f"{seed}:past-days")
    dips = {d: rng.uniform(0.84, 0.92) for d in rng.sample(range(1, days + 1), 3)}
    village_codes = sorted({h["grid"][:12] for h in county["households"]})
    village_dip = (rng.choice(village_codes), rng.randrange(1, days + 1))
    out = []
    last: list[int | None] = [None] * len(county["households"])
    for ago in range(days, 0, -1):
        base = dips.get(ago, rng.uniform(0.955, 0.995))
        on_time_p = 0.78 if ago in dips else rng.uniform(0.86, 0.94)
        grids: dict[str, dict] = {}
        for i, hh in enumerate(county["households"]):
            p = base * (0.72 if (hh["grid"][:12], ago) == village_dip else 1.0)
            counts = grids.setdefault(hh["grid"], dict.fromkeys(COUNT_FIELDS, 0))
            if rng.random() >= p:
                continue
            last[i] = ago
            colours = ["red" if (x := rng.random()) < 0.0001 else "yellow" if x < 0.0011 else "green"
                       for _ in hh["members"]]
            outside = sum(1 for m in hh["members"] if m["outside_person"])
            counts["reported"] += 1
            counts["on_time"] += rng.random() < on_time_p
            counts["proxy"] += rng.random() < 0.06
            for c in ("green", "yellow", "red"):
                counts[c] += colours.count(c)
            counts["alert_households"] += any(c != "green" for c in colours)
            counts["outside_households"] += outside > 0
            counts["outside_persons"] += outside
        out.append((ago, grids))
    return out, last


if __name__ == "__main__":
    from collections import Counter

    county = build_demo_county()
    assert county == build_demo_county(), "not deterministic"
    places, hhs = county["places"], county["households"]
    members = [m for h in hhs for m in h["members"]]
    level_counts = Counter(p["level"] for p in places)
    print("places per level:", dict(level_counts))
    print("households:", len(hhs), "members:", len(members))
    print("party members:", sum(m["party_member"] for m in members))

    # Places: parents before children, codes extend their parent's code.
    seen = {COUNTY_CODE}
    for p in places:
        assert p["parent"] in seen and p["code"].startswith(p["parent"]), p
        seen.add(p["code"])
    grid_codes = {p["code"] for p in places if p["level"] == "grid"}
    assert all(h["grid"] in grid_codes for h in hhs)

    zw = [h for h in hhs if h["ref"].startswith(f"{FOCUS_VILLAGE}-")]
    zw_outside = [h for h in zw if any(m["outside_person"] for m in h["members"])]
    n_outside = sum(m["outside_person"] for h in zw for m in h["members"])
    print("张王村 households:", len(zw), "per grid:", dict(Counter(h["grid"] for h in zw)))
    print("张王村 outside households:", len(zw_outside), "outside persons:", n_outside)
    assert len(zw) == 172 and len(zw_outside) == 5 and n_outside == 8
    assert sum(m["outside_person"] for m in members) == 8
    assert all(v == 43 for v in Counter(h["grid"] for h in zw).values())

    for h in hhs:
        assert 1 <= len(h["members"]) <= 5 and h["members"][0]["relation"] == "户主" and h["members"][0]["phone"]
        assert sum(m["relation"] == "户主" for m in h["members"]) == 1
    ids = [m["id_number"] for m in members]
    phones = [m["phone"] for m in members if m["phone"]]
    assert len(ids) == len(set(ids)), "duplicate id numbers"
    assert len(phones) == len(set(phones)), "duplicate phones"
    for m in members:
        n = m["id_number"]
        assert len(n) == 18 and n[17] == id_check_digit(n[:17]) and n[14] == "9", n
        assert n.startswith(COUNTY_CODE) != m["outside_person"], m
    for p in phones:
        assert len(p) == 11 and p[:2] in ("13", "15", "18", "19") and not p.startswith(RESERVED_PHONE_PREFIX)
    assert [a["phone"] for a in DEMO_ACCOUNTS] == [f"139000000{i:02d}" for i in range(1, 15)]
    past, last = past_day_counts(county)
    assert (past, last) == past_day_counts(build_demo_county()), "past days not deterministic"
    assert len(last) == len(hhs) and all(a is not None and 1 <= a <= PAST_DAYS for a in last)
    assert [ago for ago, _ in past] == list(range(PAST_DAYS, 0, -1))
    rates = [sum(g["reported"] for g in grids.values()) / len(hhs) for _, grids in past]
    for _, grids in past:
        for g in grids.values():
            assert g["on_time"] <= g["reported"] and g["proxy"] <= g["reported"]
            assert g["alert_households"] <= g["reported"] and g["outside_persons"] <= 8
    print("past days' completion:", " ".join(f"{r:.0%}" for r in rates))
    assert 0.8 < min(rates) < 0.93 and max(rates) > 0.97 and sorted(rates)[len(rates) // 2] > 0.95
    print("demo accounts:", len(DEMO_ACCOUNTS), "— all checks passed")
