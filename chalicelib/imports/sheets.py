"""Reading the spreadsheets counties already have (.xlsx or .csv, UTF-8 or GBK) into rows keyed by field."""

from __future__ import annotations

import csv
import io

PLACE_COLUMNS = {"编码": "code", "代码": "code", "code": "code", "名称": "name", "name": "name",
                 "上级编码": "parent", "上级代码": "parent", "parent": "parent"}
HOUSEHOLD_COLUMNS = {
    "户编号": "ref", "户号": "ref", "ref": "ref", "网格编码": "grid", "网格": "grid", "grid": "grid",
    "地址": "address", "住址": "address", "address": "address", "姓名": "name", "name": "name",
    "与户主关系": "relation", "关系": "relation", "relation": "relation", "身份证号": "id_number",
    "身份证号码": "id_number", "id_number": "id_number", "手机号": "phone", "手机": "phone", "联系电话": "phone",
    "phone": "phone", "是否党员": "party_member", "党员": "party_member", "party_member": "party_member",
    "是否外来人员": "outside_person", "外来人员": "outside_person", "outside_person": "outside_person",
    "来自": "from_place", "来源地": "from_place", "from_place": "from_place",
}


class SheetError(ValueError):
    pass


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def read_rows(data: bytes, filename: str, columns: dict[str, str], max_rows: int) -> list[dict]:
    """Rows as dicts with a 1-based spreadsheet `row` number (the header is row 1)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx(data, max_rows)
    elif name.endswith(".csv"):
        table = _csv(data, max_rows)
    else:
        raise SheetError("只支持 .xlsx 或 .csv 文件")
    if not table:
        raise SheetError("文件是空的")
    header = [_cell(h) for h in table[0]]
    mapping = {i: columns[h] for i, h in enumerate(header) if h in columns}
    if not mapping:
        raise SheetError("找不到表头（第1行），请使用模板中的列名")
    rows = []
    for n, raw in enumerate(table[1:], start=2):
        values = {field: _cell(raw[i]) if i < len(raw) else "" for i, field in mapping.items()}
        if any(values.values()):
            rows.append({"row": n, **values})
    if len(rows) > max_rows:
        raise SheetError(f"一次最多导入{max_rows}行，请分批导入")
    return rows


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


def truthy(v: str) -> bool:
    return v.strip().lower() in {"是", "y", "yes", "true", "1", "√", "党员"}
