"""The returns report as CSV: the same rows as the table, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from .report_figures import Report, reason_label

# A cell a spreadsheet would read as a formula (or as a command, for tab and carriage return)
# is written as text: OWASP's advice on CSV injection is a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    currencies = sorted({c for row in report.rows for c in row.refunded})
    writer.writerow(
        [
            _("month"),
            _("product"),
            _("product ID"),
            _("SKU"),
            _("units sold"),
            _("units returned"),
            _("units claimed"),
            _("return rate"),
            *(_("reason: %(reason)s") % {"reason": reason_label(r)} for r in report.reasons),
            *(_("refunded (%(currency)s)") % {"currency": c} for c in currencies),
            _("average days to refund"),
        ]
    )
    for row in report.rows:
        writer.writerow(
            [
                safe_cell(f"{row.month:%Y-%m}"),
                safe_cell(row.title),
                safe_cell(row.product_id),
                safe_cell(row.sku),
                row.sold,
                row.returned,
                row.claimed,
                "" if row.rate is None else f"{row.rate:.4f}",
                *(row.by_reason.get(r, 0) for r in report.reasons),
                *(row.refunded.get(c, "") for c in currencies),
                "" if row.refund_days is None else f"{row.refund_days:.1f}",
            ]
        )
    return out.getvalue()
