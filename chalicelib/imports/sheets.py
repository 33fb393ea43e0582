"""Reading the spreadsheets counties already have (.xlsx or .csv, UTF-8 or GBK) into rows keyed by field.

The header row is read leniently but never silently: full-width characters, spaces, a "*" required mark and a hint in
brackets (与户主关系（户主/配偶/…）, as the templates write them) are ignored, well-known synonyms are accepted
(手机号码 for 手机号), and every other header is reported (a warning: that column is not imported). Cells that must
stay text (ID numbers) but arrive as numbers are flagged: Excel keeps 15 significant digits, so an 18-digit ID number
typed into a number cell has already lost its last digits. A row whose first cell starts with "示例" is the
template's sample row: skipped, and reported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

PLACE_COLUMNS = {"编码": "code", "代码": "code", "地点编码": "code", "区划代码": "code", "code": "code",
                 "名称": "name", "地点名称": "name", "name": "name",
                 "上级编码": "parent", "上级代码": "parent", "parent": "parent"}
HOUSEHOLD_COLUMNS = {
    "户编号": "ref", "户号": "ref", "户编码": "ref", "ref": "ref",
    "网格编码": "grid", "网格代码": "grid", "网格": "grid", "所属网格": "grid", "grid": "grid",
    "地址": "address", "住址": "address", "家庭住址": "address", "现住址": "address", "address": "address",
    "姓名": "name", "成员姓名": "name", "name": "name",
    "与户主关系": "relation", "与户主的关系": "relation", "户主关系": "relation", "关系": "relation",
    "relation": "relation",
    "身份证号": "id_number", "身份证号码": "id_number", "身份证": "id_number", "公民身份号码": "id_number",
    "id_number": "id_number",
    "手机号": "phone", "手机号码": "phone", "手机": "phone", "联系电话": "phone", "电话": "phone", "电话号码": "phone",
    "联系方式": "phone", "phone": "phone",
    "是否党员": "party_member", "党员": "party_member", "party_member": "party_member",
    "是否外来人员": "outside_person", "外来人员": "outside_person", "outside_person": "outside_person",
    "来自": "from_place", "来源地": "from_place", "来自何处": "from_place", "from_place": "from_place",
}
# The template's names, for messages ("use 手机号").
TEMPLATE_NAMES = {"code": "编码", "name": "名称", "parent": "上级编码", "ref": "户编号", "grid": "网格编码",
                  "address": "地址", "relation": "与户主关系", "id_number": "身份证号", "phone": "手机号",
                  "party_member": "是否党员", "outside_person": "是否外来人员", "from_place": "来自"}
PLACE_REQUIRED = ("code", "name")
HOUSEHOLD_REQUIRED = ("ref", "name", "relation", "id_number")
TEXT_ONLY = frozenset({"id_number"})  # a number cell here has lost digits
SAMPLE_MARK = "示例"


class SheetError(ValueError):
    pass


class Sheet:
    """Rows as dicts with a 1-based spreadsheet `row` number (the header is row 1), and what was found about the
    file as a whole: `issues` [{row, field, code, message, level: "error" | "warning"}]."""

    def __init__(self, rows: list[dict], issues: list[dict]):
        self.rows, self.issues = rows, issues

    @property
    def errors(self) -> list[dict]:
        return [i for i in self.issues if i["level"] == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [i for i in self.issues if i["level"] == "warning"]


def _cell(v) -> str:
    """A cell as text: full-width digits and letters folded to ASCII (punctuation kept), trimmed."""
    from ..core import text

    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return text.fold(str(v)).strip()


def header_key(h) -> str:
    """身份证号码（18位）, ＊手机号, " 地 址 " → 身份证号码, 手机号, 地址."""
    v = unicodedata.normalize("NFKC", "" if h is None else str(h))
    v = re.sub(r"[(\[【（].*?[)\]】）]", "", v)
    return re.sub(r"[\s*]", "", v).lower()


def _suggest(header: str, columns: dict[str, str], names: dict[str, str]) -> str | None:
    for name, field in columns.items():
        if len(name) > 1 and not name.isascii() and (name in header or header in name):
            return names.get(field, name)
    return None


def read_sheet(data: bytes, filename: str, columns: dict[str, str], max_rows: int,
               required: tuple[str, ...] = (), names: dict[str, str] | None = None) -> Sheet:
    """`names`: the template's column name of each field, for messages (default: the places' and households')."""
    names = TEMPLATE_NAMES if names is None else names
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx(data, max_rows)
    elif name.endswith(".csv"):
        table = _csv(data, max_rows)
    else:
        raise SheetError("只支持 .xlsx 或 .csv 文件")
    if not table:
        raise SheetError("文件是空的")
    issues: list[dict] = []
    mapping: dict[int, str] = {}
    taken: dict[str, str] = {}
    for i, raw in enumerate(table[0]):
        shown = _cell(raw)
        key = header_key(raw)
        if not key:
            continue
        field = columns.get(key)
        if field is None:
            hint = _suggest(key, columns, names)
            issues.append({"row": 1, "field": shown, "code": "unknown_column", "level": "warning",
                           "message": f"列名“{shown}”不是模板中的列，该列不会导入"
                                      + (f"；如果它是“{hint}”，请把列名改为“{hint}”" if hint else "")})
            continue
        if field in taken:
            issues.append({"row": 1, "field": field, "code": "duplicate_column", "level": "error",
                           "message": f"列“{shown}”与列“{taken[field]}”是同一项，请只保留一列"})
            continue
        taken[field] = shown
        mapping[i] = field
    if not mapping:
        raise SheetError("找不到表头（第1行），请使用模板中的列名")
    for field in required:
        if field not in taken:
            issues.append({"row": 1, "field": field, "code": "missing_column", "level": "error",
                           "message": f"缺少必需的列“{names.get(field, field)}”"})
    rows = []
    for n, raw in enumerate(table[1:], start=2):
        first = next((_cell(v) for v in raw if _cell(v)), "")
        if first.startswith(SAMPLE_MARK):
            issues.append({"row": n, "field": None, "code": "sample_row", "level": "warning",
                           "message": f"第{n}行是模板中的示例行，已跳过"})
            continue
        values = {field: _cell(raw[i]) if i < len(raw) else "" for i, field in mapping.items()}
        if not any(values.values()):
            continue
        numeric = {field for i, field in mapping.items() if field in TEXT_ONLY and i < len(raw)
                   and isinstance(raw[i], (int, float)) and not isinstance(raw[i], bool)}
        row = {"row": n, **values}
        if numeric:
            row["_numeric"] = numeric
        rows.append(row)
    if len(rows) > max_rows:
        raise SheetError(f"一次最多导入{max_rows}行，请分批导入")
    return Sheet(rows, issues)


def read_rows(data: bytes, filename: str, columns: dict[str, str], max_rows: int) -> list[dict]:
    """Just the rows (see read_sheet)."""
    return read_sheet(data, filename, columns, max_rows).rows


def _xlsx(data: bytes, max_rows: int) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise SheetError("无法读取该 Excel 文件") from e
    ws = wb.worksheets[0]
    out = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i > max_rows + 1:
            raise SheetError(f"一次最多导入{max_rows}行，请分批导入")
        out.append(list(row))
    wb.close()
    return out


def _csv(data: bytes, max_rows: int) -> list[list]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("无法识别文件编码，请保存为 UTF-8")
    out = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if i > max_rows + 1:
            raise SheetError(f"一次最多导入{max_rows}行，请分批导入")
        out.append(row)
    return out
