import io

import pytest
from openpyxl import Workbook

from chalicelib.imports import sheets


def test_csv_utf8_bom_and_gbk():
    text = "编码,名称\n330825001,东华街道\n\n330825001201,张王村\n"
    for data in (("\ufeff" + text).encode("utf-8"), text.encode("gbk")):
        rows = sheets.read_rows(data, "x.csv", sheets.PLACE_COLUMNS, 100)
        assert rows == [{"row": 2, "code": "330825001", "name": "东华街道"},
                        {"row": 4, "code": "330825001201", "name": "张王村"}]


def test_xlsx_numbers_become_text():
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "名称"])
    ws.append([330825001, "东华街道"])
    buf = io.BytesIO()
    wb.save(buf)
    assert sheets.read_rows(buf.getvalue(), "x.xlsx", sheets.PLACE_COLUMNS, 10)[0]["code"] == "330825001"


@pytest.mark.parametrize("data,name,msg", [
    (b"a,b\n1,2\n", "x.csv", "表头"), (b"", "x.csv", "空"), (b"x", "x.txt", "xlsx"),
    (b"not a zip", "x.xlsx", "Excel"),
])
def test_unreadable(data, name, msg):
    with pytest.raises(sheets.SheetError, match=msg):
        sheets.read_rows(data, name, sheets.PLACE_COLUMNS, 10)


def test_row_limit():
    data = ("编码,名称\n" + "".join(f"33082500{i % 10},x\n" for i in range(20))).encode()
    with pytest.raises(sheets.SheetError, match="最多"):
        sheets.read_rows(data, "x.csv", sheets.PLACE_COLUMNS, 5)
