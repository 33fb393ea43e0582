"""Reading a county's catalogue of 网上代办 items from its spreadsheet (.xlsx or .csv, UTF-8 or GBK), and writing it.

One row per item; the file and its header are read by imports.sheets (synonyms, hints in brackets, the 示例 row).
The cells with a syntax of their own:

- 申请材料: one material per line (or "；"-separated); "（原件）" or "（须验原件）" anywhere marks that the
  original must be seen; text after the first "：" is the note. A leading
  "1." / "1、" / "（1）" / "①" numbering is dropped.
    夫妻双方身份证（原件）：正反面拍照
    户口簿：户主页和本人页
- 表单字段: "；"-separated (or one per line), each `标签`, `标签*` (required) with an optional type in brackets at its
  end: 文本 (the default) / 日期 / 身份证号 / 照片 / 选项：a/b/c.
    孩子姓名*；孩子出生日期（日期）*；分娩方式（选项：顺产/剖宫产）；出生医学证明（照片）*
- 法定时限 / 承诺时限: "20个工作日", "20" or "即办" (0); empty: not stated.
- 送达方式: "快递送达、网点自取", "快递", "自取"; empty: both.
- 关键词: "，" or "、" separated.

read_catalogue gives one item per non-blank row (what could be read of it, so that a preview can name every row) and
the issues [{row, field, code, message, level}]: a row with an "error" issue must not be written. Limits are those of
errands.schemas.ItemIn. catalogue_rows is the inverse: reading what it writes gives the items back.
"""

from __future__ import annotations

import re

from ..core import text
from ..imports import sheets

MAX_ROWS = 1000  # service.MAX_ITEMS

COLUMNS = {
    "事项编码": "code", "编码": "code", "事项代码": "code", "基本编码": "code", "实施编码": "code", "code": "code",
    "事项名称": "name", "名称": "name", "事项": "name", "服务事项": "name", "name": "name",
    "实施部门": "department", "实施主体": "department", "办理部门": "department", "受理部门": "department",
    "部门": "department", "department": "department",
    "事项简介": "summary", "简介": "summary", "事项说明": "summary", "说明": "summary", "summary": "summary",
    "办理条件": "conditions", "申请条件": "conditions", "受理条件": "conditions", "conditions": "conditions",
    "申请材料": "materials", "材料": "materials", "所需材料": "materials", "申报材料": "materials",
    "材料清单": "materials", "materials": "materials",
    "表单字段": "fields", "表单": "fields", "填报内容": "fields", "申请表字段": "fields", "fields": "fields",
    "收费标准": "fee", "收费": "fee", "是否收费": "fee", "收费情况": "fee", "fee": "fee",
    "法定时限": "time_limit_days", "法定办结时限": "time_limit_days", "time_limit_days": "time_limit_days",
    "承诺时限": "promised_days", "承诺办结时限": "promised_days", "promised_days": "promised_days",
    "送达方式": "delivery", "结果送达方式": "delivery", "送达": "delivery", "delivery": "delivery",
    "关键词": "keywords", "关键字": "keywords", "搜索关键词": "keywords", "别名": "keywords", "keywords": "keywords",
}
# The template's column of each field, in its order ("*": required).
HEADER = {"code": "事项编码", "name": "事项名称*", "department": "实施部门*", "summary": "事项简介",
          "conditions": "办理条件", "materials": "申请材料", "fields": "表单字段", "fee": "收费标准",
          "time_limit_days": "法定时限", "promised_days": "承诺时限", "delivery": "送达方式", "keywords": "关键词"}
NAMES = {f: h.rstrip("*") for f, h in HEADER.items()}
REQUIRED = ("name", "department")

# Limits: errands.schemas.ItemIn.
NAME_LEN, DEPARTMENT_LEN, CODE_LEN, SUMMARY_LEN, CONDITIONS_LEN, FEE_LEN = 60, 40, 40, 500, 1000, 60
MATERIALS_MAX, MATERIAL_LEN, NOTE_LEN = 30, 60, 200
FIELDS_MAX, LABEL_LEN, CHOICES_MAX, CHOICE_LEN = 30, 40, 20, 30
KEYWORDS_MAX, KEYWORD_LEN, DAYS_MAX = 10, 20, 365

TYPES = {"文本": "text", "日期": "date", "身份证号": "id_number", "照片": "photo"}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
DELIVERY = {"快递": "courier", "快递送达": "courier", "快递到家": "courier", "邮寄": "courier", "寄送": "courier",
            "自取": "pickup", "网点自取": "pickup", "窗口自取": "pickup", "现场领取": "pickup", "窗口领取": "pickup"}
DELIVERY_NAMES = {"pickup": "网点自取", "courier": "快递送达"}
INSTANT = ("即办", "即办件")

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")
_ORIGINAL_RE = re.compile(r"[（(](?:须验原件|原件)[）)]")
_NUMBERING_RE = re.compile(r"^(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[）)]|[\u2460-\u2473])\s*")
_FIELD_RE = re.compile(r"^(?P<s0>[*＊]?)\s*(?P<label>.*?)\s*(?P<s1>[*＊]?)\s*"
                       r"(?:[（(](?P<type>[^（）()]*)[）)])?\s*(?P<s2>[*＊]?)$")
_DAYS_RE = re.compile(r"^(\d{1,4})\s*(?:个)?\s*(?:工作日)?$")
_SPLIT_LINES = re.compile(r"[\n；;]")
_SPLIT_CHOICES = re.compile(r"[/／、]")
_SPLIT_LIST = re.compile(r"[，、,；;\s]+")


class _Row:
    """One row's issues, collected under its number."""

    def __init__(self, n: int, issues: list[dict]):
        self.n, self.issues = n, issues

    def error(self, field: str, code: str, message: str) -> None:
        self.issues.append({"row": self.n, "field": field, "code": code, "message": message, "level": "error"})

    def warning(self, field: str, code: str, message: str) -> None:
        self.issues.append({"row": self.n, "field": field, "code": code, "message": message, "level": "warning"})


def _bad(row: _Row, field: str, value: str, *, name: bool = False) -> bool:
    ch = text.bad_character(value, name=name)
    if ch is None:
        return False
    row.error(field, "bad_character", f"{NAMES[field]}含有不允许的不可见字符（{text.describe(ch)}），请删除后重试")
    return True


def _one_line(v: str) -> str:
    """A name on one line: runs of spaces (and line breaks) collapsed. Full-width brackets stay as written (no NFKC):
    县公安局（户籍） typed in the console and imported from a sheet must be the same department."""
    return " ".join(v.split())


def _free(v: str) -> str:
    """Free text: line breaks as \\n, each line trimmed, no blank lines at either end."""
    return "\n".join(line.strip() for line in v.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


def _too_long(row: _Row, field: str, value: str, limit: int, what: str | None = None) -> bool:
    if len(value) <= limit:
        return False
    what = what or NAMES[field]
    row.error(field, "too_long", f"{what}过长（{len(value)}个字，最多{limit}个字）")
    return True


def _materials(row: _Row, cell: str) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for raw in _SPLIT_LINES.split(cell):
        part = _NUMBERING_RE.sub("", raw.strip())
        if not part:
            continue
        original = bool(_ORIGINAL_RE.search(part))
        part = _ORIGINAL_RE.sub("", part)
        m = re.match(r"^(.*?)[：:](.*)$", part, re.S)
        name, note = (m.group(1), m.group(2)) if m else (part, "")
        name, note = _one_line(name), note.strip()
        if not name:
            row.error("materials", "material_name",
                      f"申请材料“{raw.strip()}”缺少材料名称：请写成“材料名称：说明”，如“户口簿：户主页和本人页”")
            continue
        if _too_long(row, "materials", name, MATERIAL_LEN, f"申请材料“{name[:20]}…”的名称") or _too_long(
                row, "materials", note, NOTE_LEN, f"申请材料“{name}”的说明"):
            continue
        if name in seen:
            row.error("materials", "duplicate_material", f"申请材料“{name}”写了两次")
            continue
        seen.add(name)
        out.append({"name": name, "note": note, "original_required": original, "sample_url": None})
    if len(out) > MATERIALS_MAX:
        row.error("materials", "too_many", f"申请材料最多{MATERIALS_MAX}项（现有{len(out)}项）")
    return out


def _field_type(row: _Row, label: str, spec: str | None) -> tuple[str, list[str]] | None:
    if spec is None:
        return "text", []
    spec = spec.strip()
    if spec in TYPES:
        return TYPES[spec], []
    m = re.match(r"^选项\s*[：:]\s*(.*)$", spec)
    if m is None:
        row.error("fields", "field_type",
                  f"表单字段“{label}”的类型“{spec}”不认识：括号里可写 文本、日期、身份证号、照片 或 选项：甲/乙"
                  "（标签本身请不要以括号结尾）")
        return None
    choices = [c.strip() for c in _SPLIT_CHOICES.split(m.group(1)) if c.strip()]
    if len(choices) < 2:
        row.error("fields", "choices", f"表单字段“{label}”是选项题，至少需要两个选项，用“/”分隔，如“选项：是/否”")
        return None
    if len(choices) > CHOICES_MAX:
        row.error("fields", "choices", f"表单字段“{label}”的选项最多{CHOICES_MAX}个（现有{len(choices)}个）")
        return None
    long = next((c for c in choices if len(c) > CHOICE_LEN), None)
    if long is not None:
        row.error("fields", "choices", f"表单字段“{label}”的选项“{long[:20]}…”过长（最多{CHOICE_LEN}个字）")
        return None
    dup = next((c for i, c in enumerate(choices) if c in choices[:i]), None)
    if dup is not None:
        row.error("fields", "choices", f"表单字段“{label}”的选项“{dup}”写了两次")
        return None
    return "choice", choices


def _fields(row: _Row, cell: str) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for raw in _SPLIT_LINES.split(cell):
        part = raw.strip()
        if not part:
            continue
        m = _FIELD_RE.match(part)
        label = _one_line(m.group("label")) if m else ""
        if not label:
            row.error("fields", "field_label", f"表单字段“{part}”缺少标签：请写成“标签”或“标签*”，类型写在括号里")
            continue
        if _too_long(row, "fields", label, LABEL_LEN, f"表单字段“{label[:20]}…”的标签"):
            continue
        typed = _field_type(row, label, m.group("type"))
        if typed is None:
            continue
        if label in seen:
            row.error("fields", "duplicate_field", f"表单字段“{label}”写了两次")
            continue
        seen.add(label)
        field = {"key": f"f{len(out) + 1}", "label": label, "type": typed[0],
                 "required": bool(m.group("s0") or m.group("s1") or m.group("s2"))}
        if typed[0] == "choice":
            field["choices"] = typed[1]
        out.append(field)
    if len(out) > FIELDS_MAX:
        row.error("fields", "too_many", f"表单字段最多{FIELDS_MAX}个（现有{len(out)}个）")
    return out


def _days(row: _Row, field: str, cell: str) -> int | None:
    v = cell.replace(" ", "")
    if not v:
        return None
    if v in INSTANT:
        return 0
    m = _DAYS_RE.match(v)
    if m is None:
        row.error(field, "days", f"{NAMES[field]}“{cell}”看不懂：请写工作日数，如“20个工作日”或“20”；当场办结写“即办”")
        return None
    days = int(m.group(1))
    if days > DAYS_MAX:
        row.error(field, "days", f"{NAMES[field]}“{cell}”过长（最多{DAYS_MAX}个工作日）")
        return None
    return days


def _delivery(row: _Row, cell: str) -> list[str]:
    got = set()
    for part in _SPLIT_LIST.split(cell):
        if not part:
            continue
        if part not in DELIVERY:
            row.error("delivery", "delivery",
                      f"送达方式“{part}”不认识：请写“快递送达”“网点自取”，或两者都写（用“、”分隔）；不填表示两者皆可")
            continue
        got.add(DELIVERY[part])
    return [d for d in ("pickup", "courier") if d in got] or ["pickup", "courier"]


def _keywords(row: _Row, cell: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[，、,]", cell):
        k = _one_line(part)
        if not k:
            continue
        if k in out:
            row.warning("keywords", "duplicate_keyword", f"关键词“{k}”写了两次，只保留一个")
            continue
        if _too_long(row, "keywords", k, KEYWORD_LEN, f"关键词“{k[:10]}…”"):
            continue
        out.append(k)
    if len(out) > KEYWORDS_MAX:
        row.error("keywords", "too_many", f"关键词最多{KEYWORDS_MAX}个（现有{len(out)}个）")
    return out


def _item(row: _Row, cells: dict, missing: set[str]) -> dict:
    for field, value in cells.items():
        if field != "row" and isinstance(value, str) and value:
            _bad(row, field, value, name=field in ("code", "name", "department"))
    code = cells.get("code", "").strip()
    if code and (len(code) > CODE_LEN or not _CODE_RE.match(code)):
        row.error("code", "code", f"事项编码“{code[:50]}”不对：只能用字母、数字和 - _ . /，最多{CODE_LEN}个字符")
    item: dict = {"row": row.n, "code": code or None}
    for field, limit in (("name", NAME_LEN), ("department", DEPARTMENT_LEN)):
        v = _one_line(cells.get(field, ""))
        if not v:
            if field not in missing:  # a missing column is said once, on the header
                row.error(field, "required", f"{NAMES[field]}必填")
        elif len(v) < 2:
            row.error(field, "too_short", f"{NAMES[field]}“{v}”太短（至少2个字）")
        else:
            _too_long(row, field, v, limit)
        item[field] = v
    for field, limit in (("summary", SUMMARY_LEN), ("conditions", CONDITIONS_LEN)):
        item[field] = _free(cells.get(field, ""))
        _too_long(row, field, item[field], limit)
    item["materials"] = _materials(row, cells.get("materials", ""))
    item["fields"] = _fields(row, cells.get("fields", ""))
    item["fee"] = _one_line(cells.get("fee", ""))
    _too_long(row, "fee", item["fee"], FEE_LEN)
    item["time_limit_days"] = _days(row, "time_limit_days", cells.get("time_limit_days", ""))
    item["promised_days"] = _days(row, "promised_days", cells.get("promised_days", ""))
    legal, promised = item["time_limit_days"], item["promised_days"]
    if legal is not None and promised is not None and promised > legal:
        row.error("promised_days", "promised_after_legal",
                  f"承诺时限（{promised}个工作日）不能长于法定时限（{legal}个工作日）")
    item["delivery"] = _delivery(row, cells.get("delivery", ""))
    item["keywords"] = _keywords(row, cells.get("keywords", ""))
    item["enabled"] = True
    return item


def read_catalogue(data: bytes, filename: str, max_rows: int = MAX_ROWS) -> tuple[list[dict], list[dict]]:
    """The items of a county's list (each with its spreadsheet `row`) and the issues found; raises
    imports.sheets.SheetError (a ValueError with a Chinese message) when the file cannot be read at all."""
    sheet = sheets.read_sheet(data, filename, COLUMNS, max_rows, REQUIRED, NAMES)
    issues = list(sheet.issues)
    missing = {i["field"] for i in issues if i["code"] == "missing_column"}
    items: list[dict] = []
    by_code: dict[str, int] = {}
    by_name: dict[tuple[str, str], tuple[int, bool]] = {}
    for cells in sheet.rows:
        row = _Row(cells["row"], issues)
        item = _item(row, cells, missing)
        items.append(item)
        code, key = item["code"], (item["name"], item["department"])
        if code:
            if code in by_code:
                row.error("code", "duplicate_code", f"事项编码“{code}”与第{by_code[code]}行重复")
            else:
                by_code[code] = row.n
        if all(key):
            first = by_name.get(key)
            if first is not None and not (code and first[1]):
                row.error("name", "duplicate_item",
                          f"“{key[1]}”的“{key[0]}”与第{first[0]}行重复：同名事项请填写不同的事项编码以区分")
            elif first is None:
                by_name[key] = (row.n, bool(code))
    return items, issues


# --- writing: the inverse of read_catalogue -------------------------------------------------------------------

def _days_cell(days: int | None) -> str:
    return "" if days is None else "即办" if days == 0 else f"{days}个工作日"


def _material_cell(m: dict) -> str:
    return m["name"] + ("（原件）" if m.get("original_required") else "") + (f"：{m['note']}" if m.get("note") else "")


def _field_cell(f: dict) -> str:
    kind = f.get("type", "text")
    spec = ("" if kind == "text" else f"（选项：{'/'.join(f['choices'])}）" if kind == "choice"
            else f"（{TYPE_NAMES[kind]}）")
    return f["label"] + spec + ("*" if f.get("required") else "")


def catalogue_row(item: dict) -> list[str]:
    """An item as a spreadsheet row under `header()`."""
    return [item.get("code") or "", item["name"], item["department"], item.get("summary", ""),
            item.get("conditions", ""), "\n".join(_material_cell(m) for m in item.get("materials", [])),
            "；".join(_field_cell(f) for f in item.get("fields", [])), item.get("fee", ""),
            _days_cell(item.get("time_limit_days")), _days_cell(item.get("promised_days")),
            "、".join(DELIVERY_NAMES[d] for d in item.get("delivery", [])), "、".join(item.get("keywords", []))]


def header() -> list[str]:
    return list(HEADER.values())


def catalogue_rows(items: list[dict]) -> list[list[str]]:
    """A catalogue as spreadsheet rows, header first: what a county downloads, edits and imports again."""
    return [header(), *(catalogue_row(i) for i in items)]
