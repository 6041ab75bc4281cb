"""Printable A4 documents with Chinese text (the monthly bulletins' PDFs).

reportlab sets the Chinese in its built-in STSong-Light CID font, so there is no font file to
ship. reportlab is imported on first use only, never at start-up.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CJK_FONT = "STSong-Light"


@dataclass(frozen=True)
class PdfStyles:
    heading: Any
    subheading: Any
    body: Any
    cell: Any
    table: Any  # grid, header background and the CJK font for every table cell


def pdf_styles() -> PdfStyles:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import TableStyle

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return PdfStyles(
        heading=ParagraphStyle("heading", fontName=CJK_FONT, fontSize=16, leading=22),
        subheading=ParagraphStyle("subheading", fontName=CJK_FONT, fontSize=12, leading=18),
        body=ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=13),
        cell=ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8, leading=11),
        table=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3eefa")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )


def landscape_pdf(*, title: str, story: Callable[[PdfStyles], list]) -> bytes:
    """An A4 landscape PDF titled ``title`` whose flowables ``story(styles)`` returns."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    document.build(story(pdf_styles()))
    return buffer.getvalue()
