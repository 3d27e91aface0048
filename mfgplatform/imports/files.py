"""Reading an uploaded CSV or XLSX file into a header and rows, with clear messages for bad files."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
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


def expanded_size(content: bytes, file_name: str) -> int:
    """The bytes the file's data takes once unpacked: an XLSX is a zip archive whose sheets may
    expand a hundredfold (a 75 KB workbook can hold 200,000 rows), a CSV is its own size."""
    if file_suffix(file_name) != ".xlsx":
        return len(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return max(len(content), sum(info.file_size for info in archive.infolist()))
    except (zipfile.BadZipFile, ValueError):
        return len(content)


def read_table(content: bytes, file_name: str, *, max_bytes: int, max_rows: int | None = None) -> Table:
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
        header, rows = _read_xlsx(content, max_rows)
    else:
        raise FileRejected(f"Unsupported file type {suffix or '(none)'}: upload a .csv or .xlsx file.")
    if not header or not any(str(cell).strip() for cell in header):
        raise FileRejected("The file has no header row.")
    if all(row is None for row in rows):
        raise FileRejected("The file has a header row but no data rows.")
    if max_rows is not None and len(rows) > max_rows:
        raise FileRejected(_too_many_rows(len(rows), max_rows))
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


def _too_many_rows(count: int, max_rows: int) -> str:
    return f"The file has {count:,} data rows or more; the limit is {max_rows:,}. Split it into smaller files."


def _read_xlsx(content: bytes, max_rows: int | None = None) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a corrupt or non-XLSX file
        raise FileRejected(f"The file is not a readable XLSX workbook ({type(error).__name__}).") from None
    sheet = workbook.worksheets[0]
    # The sheet's declared dimension answers before any row is read; the count while reading catches
    # a workbook that declares none or a wrong one.
    declared = sheet.max_row if isinstance(sheet.max_row, int) else None
    if max_rows is not None and declared is not None and declared - 1 > max_rows:
        workbook.close()
        raise FileRejected(_too_many_rows(declared - 1, max_rows))
    records = []
    for row in sheet.iter_rows(values_only=True):
        records.append(list(row))
        if max_rows is not None and len(records) > max_rows + 1:
            workbook.close()
            raise FileRejected(_too_many_rows(max_rows + 1, max_rows))
    workbook.close()
    # Spreadsheets pad a sheet with empty trailing rows; drop them, keep inner blank rows numbered.
    while records and _is_blank(records[-1]):
        records.pop()
    if not records:
        return [], []
    _refuse_uncomputed_formulas(content, len(records))
    header = ["" if cell is None else cell for cell in records[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    rows = []
    for record in records[1:]:
        # Cells beyond the header are kept for the import to report; the sheet pads short rows.
        cells = ["" if cell is None else unescape_cell(cell) for cell in record]
        while len(cells) > width and cells[-1] == "":
            cells.pop()
        cells += [""] * (width - len(cells))
        rows.append(None if _is_blank(cells) else cells)
    return header, rows


def _refuse_uncomputed_formulas(content: bytes, row_count: int) -> None:
    """A formula cell saved without its computed value (written by a program, not a spreadsheet)
    reads as empty: refuse the file instead of importing blanks. The second read runs only for a
    workbook whose first sheet holds formulas at all."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        if not any(b"<f" in archive.read(name) for name in sheets[:1]):
            return
    formulas = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    values = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        pairs = zip(formulas.worksheets[0].iter_rows(max_row=row_count), values.worksheets[0].iter_rows(
            max_row=row_count, values_only=True), strict=False)
        for number, (cells, computed) in enumerate(pairs, start=1):
            for cell, value in zip(cells, computed, strict=False):
                if cell.data_type == "f" and value is None:
                    raise FileRejected(
                        f"Cell {cell.coordinate} (row {number}) holds a formula without a computed value. "
                        "Open the file in a spreadsheet and save it again, or paste the values."
                    )
    finally:
        formulas.close()
        values.close()
