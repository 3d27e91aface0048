"""Render a ReportDocument as e-mail HTML (charts by content id), a PDF and CSV files.

The PDF comes from reportlab: pure Python plus its own C extensions, no browser and no system
libraries, with real tables and page flow (matplotlib's PdfPages would draw tables as figures).
`invariant=True` leaves creation dates out, so the same document gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.flowables import KeepTogether

from .charts import HEIGHT_IN, WIDTH_IN, render_png
from .document import ReportDocument, Table

# Spreadsheet programs run cells that start with these as formulas (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RenderedReport:
    html: str
    text: str
    pdf: bytes
    csv_files: dict[str, str]
    images: dict[str, bytes]  # content id -> PNG

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(self.html.encode())
        digest.update(self.pdf)
        for name in sorted(self.csv_files):
            digest.update(name.encode())
            digest.update(self.csv_files[name].encode())
        return digest.hexdigest()


def render(document: ReportDocument) -> RenderedReport:
    images = {chart.content_id: render_png(chart) for section in document.sections for chart in section.charts}
    context = {"document": document, "sections": document.sections}
    return RenderedReport(
        html=render_to_string("compliance/report_email.html", context),
        text=render_to_string("compliance/report_email.txt", context),
        pdf=render_pdf(document, images),
        csv_files=render_csv_files(document),
        images=images,
    )


def format_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def render_csv_files(document: ReportDocument) -> dict[str, str]:
    """One CSV per table name; tables sharing a file name are written one after another."""
    grouped: dict[str, list[Table]] = {}
    for section in document.sections:
        for table in section.tables:
            grouped.setdefault(table.csv_name, []).append(table)
    files = {}
    for name, tables in grouped.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for table in tables:
            writer.writerow([csv_safe(column) for column in table.columns])
            writer.writerows([[csv_safe(cell) for cell in row] for row in table.rows])
        files[name] = buffer.getvalue()
    return files


def render_pdf(document: ReportDocument, images: dict[str, bytes]) -> bytes:
    styles = getSampleStyleSheet()
    cell_style = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    story: list[Any] = [
        Paragraph(document.title, styles["Title"]),
        Paragraph(f"Period: {document.period.label} &nbsp; Generated: {document.generated_at:%Y-%m-%d %H:%M} UTC",
                  styles["Normal"]),
        *([Paragraph(escape(document.freshness_line), styles["Normal"])] if document.freshness_line else []),
        Spacer(1, 6 * mm),
    ]
    for section in document.sections:
        story.append(Paragraph(f"{section.title} ({section.standard})", styles["Heading2"]))
        story.append(Paragraph(f"<b>Status: {section.status}</b> — {section.summary}", styles["Normal"]))
        for note in section.notes:
            story.append(Paragraph(note, styles["Italic"]))
        for chart in section.charts:
            story.append(Image(io.BytesIO(images[chart.content_id]), width=WIDTH_IN * 72 * 0.95,
                               height=HEIGHT_IN * 72 * 0.95))
        for table in section.tables:
            data = [[Paragraph(f"<b>{column}</b>", cell_style) for column in table.columns]]
            data += [[Paragraph(_escape(format_cell(cell)), cell_style) for cell in row] for row in table.rows]
            if not table.rows:
                data.append([Paragraph("no rows", cell_style)] + [""] * (len(table.columns) - 1))
            grid = LongTable(data, repeatRows=1, hAlign="LEFT")
            grid.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(KeepTogether([Paragraph(table.title, styles["Heading4"]), grid]))
            story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=document.title, author="mfgplatform", invariant=True,
        leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
    ).build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
