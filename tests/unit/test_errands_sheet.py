"""The county's catalogue spreadsheet (chalicelib/errands/sheet.py): every cell syntax, every error, xlsx and GBK csv,
the demo catalogue's round trip and the console's template."""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.errands import sheet
from chalicelib.imports.sheets import SheetError
from devstack import demo_errands
from tests.conftest import xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
HEADER = sheet.header()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def row(**cells) -> list:
    """A row under HEADER from field=value (unnamed cells empty); name and department filled unless given."""
    cells = {"name": "生育登记", "department": "县卫生健康局", **cells}
    return [cells.get(f, "") for f in sheet.HEADER]


def read(*rows: list, header: list | None = None) -> tuple[list[dict], list[dict]]:
    return sheet.read_catalogue(csv_bytes([header or HEADER, *rows]), "目录.csv")


def one(**cells) -> tuple[dict, list[dict]]:
    items, issues = read(row(**cells))
    assert len(items) == 1
    return items[0], issues


def errors(issues: list[dict]) -> list[tuple]:
    return [(i["row"], i["field"], i["code"]) for i in issues if i["level"] == "error"]


def only_error(**cells) -> dict:
    """The one issue a row with these cells gives: an error, with a Chinese message."""
    _, issues = one(**cells)
    assert len(issues) == 1, issues
    assert issues[0]["level"] == "error" and issues[0]["row"] == 2
    return issues[0]


# --- a whole row -----------------------------------------------------------------------------------------------

def test_a_full_row_in_the_contracts_syntax():
    item, issues = one(
        code="330825-SY-001", summary="生育第一、二、三孩的家庭办理。", conditions="夫妻一方户籍在本县。",
        materials="夫妻双方身份证（原件）：正反面拍照\n户口簿：户主页和本人页",
        fields="孩子姓名*；孩子出生日期（日期）*；孩子身份证号（身份证号）；分娩方式（选项：顺产/剖宫产）；出生医学证明（照片）*",
        fee="不收费", time_limit_days="20个工作日", promised_days="5", delivery="快递送达、网点自取",
        keywords="准生证，二孩、三孩")
    assert issues == []
    assert item == {
        "row": 2, "code": "330825-SY-001", "name": "生育登记", "department": "县卫生健康局",
        "summary": "生育第一、二、三孩的家庭办理。", "conditions": "夫妻一方户籍在本县。",
        "materials": [
            {"name": "夫妻双方身份证", "note": "正反面拍照", "original_required": True, "sample_url": None},
            {"name": "户口簿", "note": "户主页和本人页", "original_required": False, "sample_url": None}],
        "fields": [
            {"key": "f1", "label": "孩子姓名", "type": "text", "required": True},
            {"key": "f2", "label": "孩子出生日期", "type": "date", "required": True},
            {"key": "f3", "label": "孩子身份证号", "type": "id_number", "required": False},
            {"key": "f4", "label": "分娩方式", "type": "choice", "required": False, "choices": ["顺产", "剖宫产"]},
            {"key": "f5", "label": "出生医学证明", "type": "photo", "required": True}],
        "fee": "不收费", "time_limit_days": 20, "promised_days": 5, "delivery": ["pickup", "courier"],
        "keywords": ["准生证", "二孩", "三孩"], "enabled": True}


def test_a_row_with_only_name_and_department_takes_the_defaults():
    item, issues = one()
    assert issues == []
    assert item == {"row": 2, "code": None, "name": "生育登记", "department": "县卫生健康局", "summary": "",
                    "conditions": "", "materials": [], "fields": [], "fee": "", "time_limit_days": None,
                    "promised_days": None, "delivery": ["pickup", "courier"], "keywords": [], "enabled": True}


def test_names_keep_full_width_brackets_and_lose_extra_spaces():
    item, issues = one(name=" 农村村民建房审批（宅基地） ", department="县公安局  （户籍）")
    assert issues == []
    assert (item["name"], item["department"]) == ("农村村民建房审批（宅基地）", "县公安局 （户籍）")


def test_free_text_keeps_its_lines():
    item, _ = one(summary="第一行  \r\n  第二行\n", conditions="\n一、年满60周岁；\n二、本县户籍。")
    assert item["summary"] == "第一行\n第二行"
    assert item["conditions"] == "一、年满60周岁；\n二、本县户籍。"


# --- 申请材料 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,expected", [
    ("户口簿", [("户口簿", "", False)]),
    ("户口簿：户主页和本人页", [("户口簿", "户主页和本人页", False)]),
    ("身份证（原件）", [("身份证", "", True)]),
    ("身份证（须验原件）：正反面", [("身份证", "正反面", True)]),
    ("身份证：正反面拍照（原件）", [("身份证", "正反面拍照", True)]),
    ("身份证(原件):正反面", [("身份证", "正反面", True)]),
    ("身份证；户口簿；结婚证", [("身份证", "", False), ("户口簿", "", False), ("结婚证", "", False)]),
    ("身份证\r\n\n户口簿\n", [("身份证", "", False), ("户口簿", "", False)]),
    ("1.身份证\n2、户口簿\n（3）结婚证\n④ 照片", [("身份证", "", False), ("户口簿", "", False),
                                                ("结婚证", "", False), ("照片", "", False)]),
    ("证明：时间：2024年", [("证明", "时间：2024年", False)]),
])
def test_materials(cell, expected):
    item, issues = one(materials=cell)
    assert issues == []
    assert [(m["name"], m["note"], m["original_required"]) for m in item["materials"]] == expected
    assert all(m["sample_url"] is None for m in item["materials"])


def test_material_errors():
    assert only_error(materials="：只有说明")["code"] == "material_name"
    assert "缺少材料名称" in only_error(materials="：只有说明")["message"]
    dup = only_error(materials="户口簿\n户口簿：又一次")
    assert (dup["field"], dup["code"]) == ("materials", "duplicate_material")
    assert "户口簿" in dup["message"]
    assert only_error(materials="材" * 61)["code"] == "too_long"
    assert only_error(materials="户口簿：" + "说" * 201)["code"] == "too_long"
    assert "最多200个字" in only_error(materials="户口簿：" + "说" * 201)["message"]
    many = only_error(materials="\n".join(f"材料{i}" for i in range(31)))
    assert (many["code"], many["message"]) == ("too_many", "申请材料最多30项（现有31项）")


# --- 表单字段 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,expected", [
    ("孩子姓名", [("孩子姓名", "text", False, None)]),
    ("孩子姓名*", [("孩子姓名", "text", True, None)]),
    ("＊孩子姓名", [("孩子姓名", "text", True, None)]),
    ("孩子姓名（文本）*", [("孩子姓名", "text", True, None)]),
    ("出生日期（日期）*；出生日期2*（日期）", [("出生日期", "date", True, None), ("出生日期2", "date", True, None)]),
    ("身份证号(身份证号)", [("身份证号", "id_number", False, None)]),
    ("照片（照片）", [("照片", "photo", False, None)]),
    ("分娩方式（选项：顺产/剖宫产）", [("分娩方式", "choice", False, ["顺产", "剖宫产"])]),
    ("性别（选项:男／女）*", [("性别", "choice", True, ["男", "女"])]),
    ("等级（选项：一级、二级、 三级 ）", [("等级", "choice", False, ["一级", "二级", "三级"])]),
    ("监护人（父亲）姓名", [("监护人（父亲）姓名", "text", False, None)]),
    ("身份证（正面）（照片）*", [("身份证（正面）", "photo", True, None)]),
    ("甲;乙\n丙", [("甲", "text", False, None), ("乙", "text", False, None), ("丙", "text", False, None)]),
])
def test_fields(cell, expected):
    item, issues = one(fields=cell)
    assert issues == []
    assert [(f["label"], f["type"], f["required"], f.get("choices")) for f in item["fields"]] == expected
    assert [f["key"] for f in item["fields"]] == [f"f{i}" for i in range(1, len(expected) + 1)]
    assert all(("choices" in f) == (f["type"] == "choice") for f in item["fields"])


def test_field_keys_follow_the_kept_fields():
    item, issues = one(fields="甲；乙（颜色）；丙")
    assert [(f["key"], f["label"]) for f in item["fields"]] == [("f1", "甲"), ("f2", "丙")]
    assert errors(issues) == [(2, "fields", "field_type")]


@pytest.mark.parametrize("cell,code,words", [
    ("联系电话（手机）", "field_type", ["联系电话", "手机", "日期"]),
    ("性别（选项：男）", "choices", ["性别", "至少需要两个选项"]),
    ("性别（选项：）", "choices", ["至少需要两个选项"]),
    ("性别（选项：男/女/男）", "choices", ["“男”写了两次"]),
    ("等级（选项：" + "/".join(f"{i}级" for i in range(21)) + "）", "choices", ["最多20个"]),
    ("等级（选项：甲/" + "乙" * 31 + "）", "choices", ["过长"]),
    ("姓名；姓名*", "duplicate_field", ["姓名", "写了两次"]),
    ("*（日期）", "field_label", ["缺少标签"]),
    ("标" * 41, "too_long", ["最多40个字"]),
    ("；".join(f"字段{i}" for i in range(31)), "too_many", ["最多30个"]),
])
def test_field_errors(cell, code, words):
    issue = only_error(fields=cell)
    assert (issue["field"], issue["code"]) == ("fields", code)
    assert all(w in issue["message"] for w in words), issue["message"]


# --- 时限 --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,days", [("20个工作日", 20), ("20", 20), (" 20 个工作日", 20), ("20工作日", 20),
                                       ("即办", 0), ("即办件", 0), ("0", 0), ("", None), ("２０个工作日", 20),
                                       ("365", 365)])
def test_time_limits(cell, days):
    item, issues = one(time_limit_days=cell, promised_days=cell)
    assert issues == []
    assert (item["time_limit_days"], item["promised_days"]) == (days, days)


@pytest.mark.parametrize("cell,words", [("20天", ["法定时限", "“20天”", "工作日"]), ("二十个工作日", ["看不懂"]),
                                        ("-1", ["看不懂"]), ("366", ["最多365个工作日"]), ("5.5", ["看不懂"])])
def test_time_limit_errors(cell, words):
    issue = only_error(time_limit_days=cell)
    assert (issue["field"], issue["code"]) == ("time_limit_days", "days")
    assert all(w in issue["message"] for w in words), issue["message"]
    assert only_error(promised_days=cell)["field"] == "promised_days"


def test_promised_may_not_exceed_the_legal_limit():
    issue = only_error(time_limit_days="5个工作日", promised_days="10")
    assert (issue["field"], issue["code"]) == ("promised_days", "promised_after_legal")
    assert issue["message"] == "承诺时限（10个工作日）不能长于法定时限（5个工作日）"
    assert one(time_limit_days="", promised_days="10")[1] == []


# --- 送达方式, 关键词, 收费 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,expected", [
    ("快递送达、网点自取", ["pickup", "courier"]), ("网点自取、快递送达", ["pickup", "courier"]),
    ("快递", ["courier"]), ("自取", ["pickup"]), ("", ["pickup", "courier"]), ("邮寄，窗口自取", ["pickup", "courier"]),
    ("快递 快递送达", ["courier"]),
])
def test_delivery(cell, expected):
    item, issues = one(delivery=cell)
    assert issues == []
    assert item["delivery"] == expected


def test_delivery_error():
    issue = only_error(delivery="快递、上门")
    assert (issue["field"], issue["code"]) == ("delivery", "delivery")
    assert "“上门”不认识" in issue["message"]


def test_keywords():
    item, issues = one(keywords="准生证，二孩、 三孩 ,准生证")
    assert item["keywords"] == ["准生证", "二孩", "三孩"]
    assert [(i["level"], i["code"]) for i in issues] == [("warning", "duplicate_keyword")]
    assert "准生证" in issues[0]["message"]
    assert only_error(keywords="、".join(f"词{i}" for i in range(11)))["message"] == "关键词最多10个（现有11个）"
    assert only_error(keywords="好" * 21)["code"] == "too_long"


@pytest.mark.parametrize("field,value,limit", [("name", "事" * 61, 60), ("department", "部" * 41, 40),
                                               ("summary", "简" * 501, 500), ("conditions", "条" * 1001, 1000),
                                               ("fee", "元" * 61, 60)])
def test_lengths(field, value, limit):
    issue = only_error(**{field: value})
    assert (issue["field"], issue["code"]) == (field, "too_long")
    assert f"最多{limit}个字" in issue["message"] and sheet.NAMES[field] in issue["message"]


# --- required cells, codes, duplicates, characters -----------------------------------------------------------

def test_name_and_department_are_required():
    items, issues = read(row(name=""), row(department=" "), row(name="低"))
    assert [i["row"] for i in items] == [2, 3, 4]  # every row is returned, so that a preview can list it
    assert errors(issues) == [(2, "name", "required"), (3, "department", "required"), (4, "name", "too_short")]
    assert [i["message"] for i in issues] == ["事项名称必填", "实施部门必填", "事项名称“低”太短（至少2个字）"]


def test_codes():
    assert one(code="LY-WJ-001")[0]["code"] == "LY-WJ-001"
    assert one(code="００１７００３００Y")[0]["code"] == "001700300Y"  # full-width digits folded
    issue = only_error(code="卫健 001")
    assert (issue["field"], issue["code"]) == ("code", "code") and "卫健 001" in issue["message"]
    assert only_error(code="A" * 41)["code"] == "code"


def test_duplicate_codes_are_errors():
    items, issues = read(row(code="X-1", name="生育登记"), row(code="X-1", name="低保申请"),
                         row(code="X-1", name="高龄津贴"))
    assert errors(issues) == [(3, "code", "duplicate_code"), (4, "code", "duplicate_code")]
    assert issues[0]["message"] == "事项编码“X-1”与第2行重复"


def test_duplicate_names_in_a_department_are_errors_unless_both_have_codes():
    _, issues = read(row(), row(), row(department="县民政局"))
    assert errors(issues) == [(3, "name", "duplicate_item")]
    assert "第2行重复" in issues[0]["message"] and "生育登记" in issues[0]["message"]
    assert errors(read(row(code="A-1"), row())[1]) == [(3, "name", "duplicate_item")]
    assert errors(read(row(), row(code="A-1"))[1]) == [(3, "name", "duplicate_item")]
    assert read(row(code="A-1"), row(code="A-2"))[1] == []


@pytest.mark.parametrize("field", ["name", "summary", "materials", "fields", "keywords"])
def test_invisible_characters_are_refused(field):
    value = {"name": "生育\u202e登记", "summary": "简\u202e介", "materials": "户口\u202e簿", "fields": "姓\u202e名",
             "keywords": "准\u202e生证"}[field]
    _, issues = one(**{field: value})
    assert (2, field, "bad_character") in errors(issues)
    assert "U+202E" in next(i["message"] for i in issues if i["code"] == "bad_character")


def test_a_zero_width_space_in_a_name_is_refused():
    assert (2, "name", "bad_character") in errors(one(name="生育\u200b登记")[1])


# --- header and file -------------------------------------------------------------------------------------------

def test_header_synonyms_hints_and_unknown_columns():
    header = ["事项代码", "服务事项（必填）", "实施主体*", "申请条件", "所需材料（每行一项）", "表单", "收费",
              "承诺办结时限", "法定办结时限", "送达", "关键字", "备注"]
    items, issues = read(["A-1", "低保申请", "县民政局", "家庭困难", "户口簿", "姓名*", "不收费", "20", "30", "快递",
                          "低保", "无"], header=header)
    assert [(i["code"], i["field"], i["level"]) for i in issues] == [("unknown_column", "备注", "warning")]
    it = items[0]
    assert (it["code"], it["name"], it["department"], it["conditions"], it["fee"]) == (
        "A-1", "低保申请", "县民政局", "家庭困难", "不收费")
    assert (it["promised_days"], it["time_limit_days"], it["delivery"], it["keywords"]) == (20, 30, ["courier"],
                                                                                            ["低保"])
    assert [m["name"] for m in it["materials"]] == ["户口簿"] and it["fields"][0]["required"] is True


def test_missing_columns_name_the_catalogues_columns():
    items, issues = read(["生育登记"], header=["事项名称"])
    assert [(i["code"], i["message"]) for i in issues] == [("missing_column", "缺少必需的列“实施部门”")]
    assert errors(issues) == [(1, "department", "missing_column")]
    assert items[0]["department"] == ""  # no second error on the row: the header says it all


def test_the_sample_row_is_skipped_and_blank_rows_ignored():
    items, issues = read(["示例：LY-WJ-001", "生育登记", "县卫生健康局"], [""] * 12, row(name="低保申请"))
    assert [(i["row"], i["name"]) for i in items] == [(4, "低保申请")]
    assert [(i["row"], i["code"]) for i in issues] == [(2, "sample_row")]


def test_an_xlsx_built_in_the_test():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["LY-WJ-001", "生育登记", "县卫生健康局", None, None, "身份证（原件）：正反面\n户口簿",
               "姓名*；生日（日期）", "不收费", 20, 0, "快递", "准生证"])
    ws.append([330825001, "低保申请", "县民政局", None, None, None, None, None, 30.0, "即办", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    items, issues = sheet.read_catalogue(buf.getvalue(), "目录.XLSX")
    assert issues == []
    assert [(i["code"], i["time_limit_days"], i["promised_days"]) for i in items] == [
        ("LY-WJ-001", 20, 0), ("330825001", 30, 0)]
    assert [(m["name"], m["original_required"]) for m in items[0]["materials"]] == [("身份证", True), ("户口簿", False)]
    assert [(f["label"], f["type"]) for f in items[0]["fields"]] == [("姓名", "text"), ("生日", "date")]


def test_a_gbk_csv():
    cells = row(materials="户口簿：户主页", fields="性别（选项：男/女）", keywords="准生证、二孩")
    data = csv_bytes([HEADER, cells], "gbk")
    items, issues = sheet.read_catalogue(data, "目录.csv")
    assert issues == []
    assert items[0]["name"] == "生育登记" and items[0]["materials"][0]["note"] == "户主页"
    assert items[0]["fields"][0]["choices"] == ["男", "女"] and items[0]["keywords"] == ["准生证", "二孩"]


@pytest.mark.parametrize("data,name,msg", [(b"", "x.csv", "空"), (b"x", "x.pdf", "xlsx"),
                                           (b"not a zip", "x.xlsx", "Excel"), (b"a,b\n1,2\n", "x.csv", "表头")])
def test_unreadable_files(data, name, msg):
    with pytest.raises(SheetError, match=msg):
        sheet.read_catalogue(data, name)


def test_row_limit():
    with pytest.raises(SheetError, match="最多"):
        sheet.read_catalogue(csv_bytes([HEADER] + [row(name=f"事项{i}") for i in range(6)]), "x.csv", max_rows=5)


def test_every_parsed_item_is_a_valid_item():
    from chalicelib.errands.schemas import ItemIn

    items, issues = sheet.read_catalogue(xlsx_bytes(demo_errands.SHEET_ROWS), "demo.xlsx")
    assert issues == []
    for item in items:
        ItemIn(**{k: v for k, v in item.items() if k != "row"})


# --- the demo catalogue, and writing ---------------------------------------------------------------------------

def test_the_demo_catalogue_round_trips_through_an_xlsx():
    items, issues = sheet.read_catalogue(xlsx_bytes(demo_errands.SHEET_ROWS), "龙游县事项目录.xlsx")
    assert issues == []
    assert [i.pop("row") for i in items] == list(range(2, len(demo_errands.ITEMS) + 2))
    assert items == demo_errands.ITEMS


def test_the_demo_sheet_is_written_in_the_contracts_syntax():
    rows = demo_errands.SHEET_ROWS
    assert rows[0] == ["事项编码", "事项名称*", "实施部门*", "事项简介", "办理条件", "申请材料", "表单字段", "收费标准",
                       "法定时限", "承诺时限", "送达方式", "关键词"]
    first = dict(zip(rows[0], rows[1]))
    assert first["事项名称*"] == "生育登记"
    assert first["申请材料"] == ("夫妻双方居民身份证（原件）：正反面拍照\n户口簿：夫妻双方的户主页和本人页\n"
                             "结婚证：有结婚登记的提供，拍照内页")
    assert first["表单字段"] == ("女方姓名*；女方身份证号（身份证号）*；预产期或孩子出生日期（日期）*；"
                             "本次生育孩次（选项：第一孩/第二孩/第三孩）*；出生医学证明（照片）")
    assert (first["法定时限"], first["承诺时限"], first["送达方式"]) == ("1个工作日", "即办", "网点自取、快递送达")
    id_card = dict(zip(rows[0], next(r for r in rows if r[1] == "居民身份证换领")))
    assert id_card["送达方式"] == "网点自取" and id_card["收费标准"] == "20元（工本费）"


def test_the_demo_catalogue_is_what_a_county_offers():
    items = demo_errands.ITEMS
    assert len(items) == 36
    names = {i["name"] for i in items}
    for must in ("生育登记", "老年优待证办理", "残疾人证换领", "城乡居民医保参保登记", "农村村民建房审批（宅基地）",
                 "居民身份证换领", "户口迁移", "最低生活保障申请", "高龄津贴申领", "临时救助申请", "新生儿入户",
                 "退役军人优待证申领", "个体工商户登记", "灵活就业人员社保登记", "困难残疾人生活补贴申领"):
        assert must in names, must
    assert len({i["code"] for i in items}) == len(items) and len(names) == len(items)
    assert len({i["department"] for i in items}) >= 11
    assert all(2 <= len(i["fields"]) <= 6 for i in items)
    assert {f["type"] for i in items for f in i["fields"]} == {"text", "date", "id_number", "choice", "photo"}
    assert all(i["materials"] and any(m["original_required"] for m in i["materials"]) for i in items)
    assert sum(i["fee"] == "不收费" for i in items) >= 30
    assert all(i["keywords"] and i["time_limit_days"] is not None and i["promised_days"] is not None for i in items)
    assert {tuple(i["delivery"]) for i in items} == {("pickup",), ("courier",), ("pickup", "courier")}
    id_card = next(i for i in items if i["name"] == "居民身份证换领")
    assert id_card["delivery"] == ["pickup"] and "本人" in id_card["summary"]
    keywords = {k for i in items for k in i["keywords"]}
    assert {"准生证", "老年证", "低保", "残疾证", "营业执照"} <= keywords


def test_writing_an_item_without_the_optional_parts():
    bare = {"code": None, "name": "临时救助申请", "department": "县民政局", "summary": "", "conditions": "",
            "materials": [], "fields": [], "fee": "", "time_limit_days": None, "promised_days": None,
            "delivery": ["courier"], "keywords": [], "enabled": True}
    assert sheet.catalogue_row(bare) == ["", "临时救助申请", "县民政局", "", "", "", "", "", "", "", "快递送达", ""]
    items, issues = sheet.read_catalogue(xlsx_bytes(sheet.catalogue_rows([bare])), "x.xlsx")
    assert issues == [] and items == [{"row": 2, **bare}]


# --- the console's template -----------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to render the console's template")
def test_the_consoles_template_reads_back_as_the_demos_first_item():
    script = ("import { templateCsv } from './console/src/imports/templates.js';"
              "process.stdout.write(templateCsv('errands'))")
    out = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT / "web", capture_output=True,
                         check=True, timeout=60).stdout
    items, issues = sheet.read_catalogue(out, "网上代办事项导入模板.csv")
    assert items == [] and [(i["row"], i["code"]) for i in issues] == [(2, "sample_row")]  # every header known
    header, sample = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert sample[0].startswith("示例：")
    items, issues = sheet.read_catalogue(csv_bytes([header, [sample[0].removeprefix("示例："), *sample[1:]]]), "t.csv")
    assert issues == []
    assert [{k: v for k, v in i.items() if k != "row"} for i in items] == [demo_errands.ITEMS[0]]
