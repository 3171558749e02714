"""Cells for spreadsheets people open in Excel or WPS: text that would run as a formula is
defused (OWASP "CSV injection").

A value typed by a user, a resident or an import file (a name, an address, a failed login's
user name) can start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; Excel and WPS
read such a cell as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and openpyxl
writes a string starting with ``=`` as a formula. ``safe_cell`` puts an apostrophe in front,
so the cell shows the text as typed. Numbers, dates and ``None`` pass unchanged, so an XLSX
keeps its numeric columns. Every export to CSV or XLSX writes its cells through it.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` with an apostrophe in front when it is text that starts like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    """``safe_cell`` of every value of a row."""
    return [safe_cell(v) for v in values]


# Excel refuses these in a sheet's name (openpyxl raises), and names longer than 31.
SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_title(text) -> str:
    """A sheet name Excel accepts: a translated label like "Street / town" keeps its words,
    the forbidden characters become hyphens, at most 31 characters, never empty."""
    title = str(text).translate(SHEET_FORBIDDEN).strip("' ")[:31]
    return title or "Sheet"
