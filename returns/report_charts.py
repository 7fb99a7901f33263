"""The returns report's charts, drawn on the server as inline SVG.

No script and no style attribute: colours and type come from classes in the portal's own
stylesheet (static/portal/report.css), so the strict Content-Security-Policy stays. Each chart is
an image with a title and a description in words (role="img", aria-labelledby), and each bar
carries its figure as a <title>, which screen readers and a mouse pointer both read.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .report_figures import Report
from .report_format import month_label, percent

MONTH_WIDTH = 48
BARS_HEIGHT = 200
TOP = 16
BOTTOM = 40
LEFT = 44
ROW_HEIGHT = 22
LABEL_WIDTH = 220
RATE_WIDTH = 360
MOST_PRODUCTS = 15


def _nice_max(value: int) -> int:
    """A round top for the axis: 1, 2, 5 × a power of ten at or above `value`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def months_chart(report: Report) -> SafeString:
    """Bars per month: units returned and units claimed side by side."""
    months = report.months
    top = _nice_max(max([1, *(m.returned for m in months), *(m.claimed for m in months)]))
    # Wide enough for the legend above, however few the months.
    width = max(LEFT + MONTH_WIDTH * max(len(months), 1) + 8, LEFT + 400)
    height = TOP + BARS_HEIGHT + BOTTOM
    bar = (MONTH_WIDTH - 12) // 2
    parts = []
    for tick in (0, top // 2, top):
        y = TOP + BARS_HEIGHT - BARS_HEIGHT * tick / top
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                width - 4,
                f"{y:.1f}",
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                tick,
            )
        )
    for index, month in enumerate(months):
        x = LEFT + index * MONTH_WIDTH + 4
        label = month_label(month.key)
        for offset, units, css, words in (
            (0, month.returned, "chart-bar-return", _("%(month)s: %(units)d units returned")),
            (bar, month.claimed, "chart-bar-claim", _("%(month)s: %(units)d units claimed")),
        ):
            h = BARS_HEIGHT * units / top
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}</title></rect>",
                    css,
                    x + offset,
                    f"{TOP + BARS_HEIGHT - h:.1f}",
                    bar,
                    f"{h:.1f}",
                    words % {"month": label, "units": units},
                )
            )
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                x + bar,
                TOP + BARS_HEIGHT + 16,
                month_label(month.key, short=True),
            )
        )
    summary = "; ".join(
        _("%(month)s: %(returned)d returned, %(claimed)d claimed")
        % {"month": month_label(m.key), "returned": m.returned, "claimed": m.claimed}
        for m in months
    )
    return _svg(
        "chart-months",
        width,
        height,
        _("Units returned and claimed per month"),
        summary,
        parts,
        legend=[
            ("chart-bar-return", _("returned (withdrawal)")),
            ("chart-bar-claim", _("claimed (legal guarantee)")),
        ],
    )


def rates_chart(report: Report) -> SafeString:
    """The return rate per product, highest first: units returned ÷ units sold."""
    products = [p for p in report.products if p.rate is not None][:MOST_PRODUCTS]
    top = max([0.05, *(p.rate for p in products)])
    width = LABEL_WIDTH + RATE_WIDTH + 70
    height = TOP + ROW_HEIGHT * max(len(products), 1) + 8
    parts = []
    for index, product in enumerate(products):
        y = TOP + index * ROW_HEIGHT
        w = RATE_WIDTH * product.rate / top
        words = _("%(product)s: %(rate)s returned (%(returned)d of %(sold)d sold)") % {
            "product": product.title,
            "rate": percent(product.rate),
            "returned": product.returned,
            "sold": product.sold,
        }
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="chart-bar-rate" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}</title></rect>"
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                LABEL_WIDTH - 8,
                y + 15,
                _short(product.title),
                LABEL_WIDTH,
                y + 3,
                f"{w:.1f}",
                ROW_HEIGHT - 6,
                words,
                f"{LABEL_WIDTH + w + 6:.1f}",
                y + 15,
                percent(product.rate),
            )
        )
    if not products:
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}">{}</text>',
                8,
                TOP + 14,
                _("No units sold in these months."),
            )
        )
    summary = "; ".join(
        _("%(product)s: %(rate)s") % {"product": p.title, "rate": percent(p.rate)} for p in products
    )
    return _svg(
        "chart-rates",
        width,
        height,
        _("Return rate per product (units returned ÷ units sold)"),
        summary or _("No units sold in these months."),
        parts,
    )


def _short(title: str) -> str:
    return title if len(title) <= 30 else title[:29] + "…"


def _svg(name, width, height, title, summary, parts, legend=()) -> SafeString:
    legend_html = format_html_join(
        "",
        '<rect class="{}" x="{}" y="2" width="10" height="10"/>'
        '<text class="chart-axis" x="{}" y="11">{}</text>',
        (
            (css, LEFT + i * 200, LEFT + i * 200 + 14, words)
            for i, (css, words) in enumerate(legend)
        ),
    )
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        name,
        width,
        height,
        width,
        height,
        name,
        name,
        name,
        title,
        name,
        summary,
        legend_html,
        mark_safe("".join(parts)),  # each part built by format_html above
    )
