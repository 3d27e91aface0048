"""Reading an uploaded CSV or XLSX file into a header and rows, with clear messages for bad files."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from .escaping import unescape_cell

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class FileRejected(Exception):
    """The file as a whole cannot be imported; the message is shown to the user as is."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    # Data rows; rows[i] is line (or sheet row) i + 2 of the file, None where that line is blank.
    rows: list[list[Any] | None]
    sha256: str


def file_suffix(file_name: str) -> str:
    return "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""


def read_table(content: bytes, file_name: str, *, max_bytes: int) -> Table:
    """Parse `content`; raise FileRejected for an empty, oversized, mis-encoded or unknown file."""
    if len(content) > max_bytes:
        raise FileRejected(
            f"The file is {len(content):,} bytes; the limit is {max_bytes:,} bytes. Split it into smaller files."
        )
    if not content.strip():
        raise FileRejected("The file is empty.")
    suffix = file_suffix(file_name)
    if suffix == ".csv":
        header, rows = _read_csv(content)
    elif suffix == ".xlsx":
        header, rows = _read_xlsx(content)
    else:
        raise FileRejected(f"Unsupported file type {suffix or '(none)'}: upload a .csv or .xlsx file.")
    if not header or not any(str(cell).strip() for cell in header):
        raise FileRejected("The file has no header row.")
    if all(row is None for row in rows):
        raise FileRejected("The file has a header row but no data rows.")
    return Table([str(cell).strip() for cell in header], rows, hashlib.sha256(content).hexdigest())


def _decode(content: bytes) -> str:
    if content.startswith(UTF16_BOMS):
        raise FileRejected("The file is UTF-16 encoded. Save it as CSV UTF-8 and upload it again.")
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM):]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRejected(
            f"The file is not UTF-8 encoded (invalid byte 0x{content[error.start]:02x} on line {line}). "
            "Save it as CSV UTF-8 (with or without BOM) and upload it again."
        ) from None


def _is_blank(row: list[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def _read_csv(content: bytes) -> tuple[list[str], list[list[Any]]]:
    text = _decode(content)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileRejected(f"The CSV file cannot be read: {error}.") from None
    if not records:
        return [], []
    header, data = records[0], records[1:]
    # Keep row numbering aligned with the file: blank lines become None and are skipped later.
    return header, [None if _is_blank(row) else [unescape_cell(cell) for cell in row] for row in data]


def _read_xlsx(content: bytes) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a corrupt or non-XLSX file
        raise FileRejected(f"The file is not a readable XLSX workbook ({type(error).__name__}).") from None
    sheet = workbook.worksheets[0]
    records = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    # Spreadsheets pad a sheet with empty trailing rows; drop them, keep inner blank rows numbered.
    while records and _is_blank(records[-1]):
        records.pop()
    if not records:
        return [], []
    header = ["" if cell is None else cell for cell in records[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    rows = []
    for record in records[1:]:
        cells = ["" if cell is None else unescape_cell(cell) for cell in record[:width]]
        cells += [""] * (width - len(cells))
        rows.append(None if _is_blank(cells) else cells)
    return header, rows
