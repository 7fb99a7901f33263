from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from returns.steps import REMEDY_ASKED, VIEW_PERMISSION, step_for_event, track_of

from .. import money as money_
from ..shopify.scopes import scopes_missing_remembered

register = template.Library()


# Shopify's display statuses, as staff read them in their own language.
SHOPIFY_STATUSES = {
    "PAID": _("Paid"),
    "PARTIALLY_PAID": _("Partially paid"),
    "PARTIALLY_REFUNDED": _("Partially refunded"),
    "REFUNDED": _("Refunded"),
    "PENDING": _("Payment pending"),
    "AUTHORIZED": _("Authorized"),
    "VOIDED": _("Voided"),
    "EXPIRED": _("Expired"),
    "FULFILLED": _("Fulfilled"),
    "UNFULFILLED": _("Unfulfilled"),
    "PARTIALLY_FULFILLED": _("Partially fulfilled"),
    "IN_PROGRESS": _("In progress"),
    "ON_HOLD": _("On hold"),
    "SCHEDULED": _("Scheduled"),
    "RESTOCKED": _("Restocked"),
}


@register.filter
def event_label(event):
    """What the shopper reads for an event of their request, as its step declares."""
    step = step_for_event(event.type)
    return step.shopper_label or step.label


@register.filter
def track_title(request):
    """The request's heading, naming its legal track: "Withdrawal R-1001-1"."""
    return track_of(request).title % {"number": request.number}


@register.filter
def track_summary(request):
    return track_of(request).summary


@register.filter
def remedy_asked(request):
    """For a guarantee claim, the remedy the shopper chose, as a sentence to them; else ""."""
    return REMEDY_ASKED.get(request.remedy, "")


@register.filter
def shopify_status(value):
    return SHOPIFY_STATUSES.get(value or "", value or "–")


def _amount(value, currency) -> Decimal | None:
    """A Decimal, or the decimal string an event's data holds ("29.00"); None for anything else."""
    if isinstance(value, Decimal):
        return value
    try:
        return money_.from_shopify(str(value), currency)
    except ValueError:
        return None


@register.filter
def money(amount, currency):
    """An amount as the current language writes it: € 29,00 (nl), 29,00 € (de), €29.00 (en)."""
    value = _amount(amount, currency)
    return "" if value is None else money_.format_amount(value, currency)


@register.filter
def amount(value, currency):
    """An amount's number as the current language writes it, for next to its currency code:
    1.234,50 (nl, de), 1,234.50 (en), at the currency's decimals."""
    value = _amount(value, currency)
    return "" if value is None else money_.format_number(value, currency)


@register.filter
def for_staff(value):
    """A Shopify amount (returns.shopify.types.Money) with its booking in the shop's currency
    when the customer paid in another: "48,50 CHF (≈ 50,12 EUR in the shop's currency)"."""
    if value is None:
        return ""
    shop = getattr(value, "shop", None)
    return money_.format_for_staff(
        value.amount,
        value.currency,
        shop_amount=shop.amount if shop else None,
        shop_currency=shop.currency if shop else "",
    )


@register.inclusion_tag("admin/returns/shopify_scopes.html", takes_context=True)
def shopify_scopes_notice(context):
    """The access scopes the Shopify app lacks, for staff who work on requests; Shopify is asked
    at most every few minutes (returns/shopify/scopes.py)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(VIEW_PERMISSION):
        return {"missing": None}
    return {"missing": scopes_missing_remembered()}


@register.inclusion_tag("admin/returns/todo_queue.html", takes_context=True)
def todo_queue(context):
    """The start page's to-do lists with their counts, for staff who may see requests."""
    from django.urls import reverse

    from ..todo import todo_counts

    request = context.get("request")
    if request is None or not request.user.has_perm(VIEW_PERMISSION):
        return {"counts": ()}
    return {
        "counts": todo_counts(),
        "changelist": reverse("admin:returns_returnrequest_changelist"),
    }


@register.filter
def report_percent(rate):
    from ..report_format import percent

    return percent(rate)


@register.filter
def report_days(value):
    from ..report_format import days

    return days(value)


@register.filter
def report_month(month):
    from ..report_format import month_label

    return month_label(month)


@register.filter
def report_units(by_reason, code):
    return by_reason.get(code, 0)
