"""Realistic partner spreadsheets for the import tests, written as partners send them: title rows,
notes below, total rows, the names people type, CSV and XLSX, long and wide both ways round."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

# The 12 districts and Medway as partners write them (old names, ampersands, council names, codes).
TYPED = {
    "E07000105": "Ashford",
    "E07000106": "CANTERBURY",
    "E07000107": "Dartford",
    "E07000108": "Dover District Council",
    "E07000109": "Gravesham",
    "E07000110": "Maidstone",
    "E07000111": "Sevenoaks",
    "E07000112": "Shepway",
    "E07000113": "Swale",
    "E07000114": "Thanet",
    "E07000115": "Tonbridge & Malling",
    "E07000116": "Tunbridge  Wells",
    "E06000035": "Medway",
}
KENT = [c for c in TYPED if c != "E06000035"]
MONTHS = ["Apr-23", "May-23", "Jun-23"]
MONTH_STARTS = ["2023-04-01", "2023-05-01", "2023-06-01"]


def da_value(code: str, month: int) -> int:
    """Domestic abuse incidents in the long CSV: distinct per area and month."""
    return 150 + 7 * list(TYPED).index(code) + month


def da_long_csv(path: Path, *, total_error: int = 0) -> Path:
    """Kent Police's monthly domestic abuse return: long layout, a Kent and Medway total per month."""
    lines = ["Kent Police: domestic abuse incidents by district,,",
             "Figures provisional; extracted 3 July 2023,,",
             ",,",
             "District,Month,Incidents"]
    for m, month in enumerate(MONTHS):
        for code, name in TYPED.items():
            lines.append(f"{name},{month},{da_value(code, m)}")
        total = sum(da_value(c, m) for c in TYPED) + (total_error if m == 1 else 0)
        lines.append(f"Kent and Medway,{month},\"{total:,}\"")
    lines += [",,", "Source: Kent Police Athena extract. Medway included.,,"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


QUARTERS = ["Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"]
QUARTER_STARTS = ["2023-04-01", "2023-07-01", "2023-10-01", "2024-01-01"]


def marac_value(code: str, quarter: int) -> int:
    return 20 + 3 * list(TYPED).index(code) + quarter


def marac_quarters_xlsx(path: Path) -> Path:
    """SafeLives-style MARAC return: areas down, financial-year quarters across, a Kent total, notes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Cover"
    sheet.append(["This workbook holds MARAC cases heard, 2023/24"])
    data = book.create_sheet("MARAC by district")
    data.append(["MARAC cases heard by district, 2023/24"])
    data.append(["Source: Kent and Medway MARAC coordinators"])
    data.append([])
    data.append(["Local authority", *QUARTERS])
    for code, name in TYPED.items():
        data.append([name.replace("Shepway", "Folkestone & Hythe"), *[marac_value(code, q) for q in range(4)]])
    data.append(["Kent", *[sum(marac_value(c, q) for c in KENT) for q in range(4)]])
    data.append([])
    data.append(["Notes: Kent excludes Medway. Q4 figures are provisional."])
    book.save(path)
    return path


def road_periods_down_csv(path: Path) -> Path:
    """KCC Highways road casualties: months down, districts across (by ONS code), a Total column."""
    header = ["Month", *KENT, "Total"]
    lines = ["KCC Highways: road casualties (all severities)", "", ",".join(header)]
    for m, month in enumerate(["2023-01", "2023-02"]):
        values = [10 + i + m for i in range(len(KENT))]
        lines.append(",".join([month, *map(str, values), str(sum(values))]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_xlsx(path: Path) -> Path:
    """A return with one of each mistake: text, a negative, an unknown area, a duplicate, a month in a
    quarterly return, and a total that does not add up."""
    book = Workbook()
    data = book.active
    data.title = "Return"
    data.append(["MARAC cases heard"])
    data.append([])
    data.append(["Area", "Q1 2023/24", "Q2 2023/24", "Jun-23"])
    for code, name in TYPED.items():
        data.append([name, marac_value(code, 0), marac_value(code, 1), 1])
    data["B4"] = "n/a"            # Ashford Q1: text
    data["C6"] = -2               # Dartford Q2: negative
    data["A9"] = "Maidston"       # an unknown area (row 9 was Maidstone)
    data.append(["Thanet", 5, 6, 1])  # row 17: Thanet twice
    data.append(["Total", 1, 2, 3])   # row 18: a total that cannot add up
    book.save(path)
    return path


BAD_LINES = [
    "bad.xlsx:Return!D3: Jun-23 is a month: a quarterly indicator holds quarters (e.g. 2023 Q2 or Q1 2023/24)",
    "bad.xlsx:Return!B4: 'n/a' is not a number",
    "bad.xlsx:Return!C6: -2 is below zero: a count cannot be negative",
    "bad.xlsx:Return!A9: 'Maidston' is not a Kent district, Medway or a total",
]
