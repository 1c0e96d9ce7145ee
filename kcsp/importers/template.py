"""A template a partner fills in for one indicator: its areas down the side and its recent periods across.

The template is itself a file ``import indicator`` reads as it is (title rows, a header of
``Area code``, ``Area`` and the periods, a note below), as XLSX or CSV.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from kcsp import periods
from kcsp.areas import Register
from kcsp.reference import register_of

RECENT = 4


def recent_periods(frequency: str, today: pd.Timestamp, count: int = RECENT) -> list[pd.Timestamp]:
    """The last `count` periods of the frequency that had ended by `today`, oldest first."""
    step = 12 // periods.PER_YEAR[frequency]
    first_month = {"monthly": 1, "quarterly": 1, "yearly": 1, "financial-year": 4}[frequency]
    month = pd.Timestamp(today.year, today.month, 1)
    while (month.month - first_month) % step:
        month -= pd.DateOffset(months=1)
    end = month - pd.DateOffset(months=step)  # the latest period that has fully ended
    return [end - pd.DateOffset(months=step * k) for k in range(count - 1, -1, -1)]


def template_rows(indicator: pd.Series, areas: Register | pd.DataFrame, today: pd.Timestamp) -> list[list[str]]:
    """The template's cells, row by row: the indicator's total alone, or the total's local areas today."""
    if not isinstance(areas, Register):
        areas = register_of({"areas": areas})
    frequency = str(indicator["frequency"])
    recent = recent_periods(frequency, today)
    total = areas.total_for(indicator["coverage"])
    codes = [total] if indicator["geography"] == "county" else areas.members(total, on=today)
    rows = pd.DataFrame({"area_code": codes, "area_name": [areas.area_name(c) for c in codes]})
    header = ["Area code", "Area", *[periods.label(p, frequency) for p in recent]]
    return [
        [f"{indicator['name']} ({indicator['unit']}), {frequency.replace('-', ' ')} figures: "
         f"{indicator['indicator_id']}"],
        [f"Fill in a count (a whole number, 0 or more) for every area and {periods.NOUN[frequency]}. "
         "Add or remove period columns as needed; a total row is optional and is checked."],
        [],
        header,
        *[[r.area_code, r.area_name, *[""] * len(recent)] for r in rows.itertuples()],
        [],
        [f"Source: {indicator['source']}"],
    ]


def template_csv(indicator: pd.Series, areas: Register | pd.DataFrame, today: pd.Timestamp) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(template_rows(indicator, areas, today))
    return buf.getvalue().encode("utf-8")


def template_xlsx(indicator: pd.Series, areas: Register | pd.DataFrame, today: pd.Timestamp) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    for row in template_rows(indicator, areas, today):
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 24
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
