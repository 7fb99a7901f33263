"""The receipt of a withdrawal as a PDF, made with fpdf2 (pure Python, maintained).

The PDF holds the same words as the receipt email (emails/withdrawal_receipt.txt), under a title,
so the copy the consumer files away says exactly what the email said.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from fpdf import FPDF

# The PDF's built-in fonts know Latin-1 (every letter of Dutch, German and English); a character
# beyond it (an emoji in a product title) is printed as "?" rather than failing the receipt.
ENCODING = "latin-1"


def _printable(text: str) -> str:
    text = text.replace("€", "EUR").replace("–", "-").replace("“", '"').replace("”", '"')
    text = text.replace("„", '"').replace("’", "'").replace("×", "x")
    return text.encode(ENCODING, "replace").decode(ENCODING)


def receipt_pdf(context: dict) -> bytes:
    """The receipt, rendered in the active language, as PDF bytes."""
    body = render_to_string("emails/withdrawal_receipt.txt", context)
    title = _("Confirmation of receipt of your withdrawal")
    pdf = FPDF(format="A4")
    pdf.set_title(_printable(title))
    pdf.set_author(_printable(context["shop_name"]))
    pdf.set_creation_date(context["declaration"].received_at)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.multi_cell(0, 8, _printable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 6, _printable(context["shop_name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, _printable(body.strip()), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
