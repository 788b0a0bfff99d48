import io

import pandas as pd
from openpyxl import load_workbook

from dashboard.export import neutralise, to_csv_bytes, to_xlsx_bytes


def test_formula_cells_are_neutralised_in_csv_and_xlsx():
    df = pd.DataFrame({"Desa/Kelurahan": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Menilo"], "Jumlah": [1, 2, 3, 4, 1234]})
    text = to_csv_bytes(df).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n'+1;" in text and "\n'@SUM(A1);" in text and "Menilo;1234" in text
    ws = load_workbook(io.BytesIO(to_xlsx_bytes(df))).active
    values = [c.value for c in ws["A"]]
    assert values == ["Desa/Kelurahan", "'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Menilo"]
    assert ws["B6"].value == 1234 and ws["A2"].data_type == "s"
    assert neutralise(-5) == -5
