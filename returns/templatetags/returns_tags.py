from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from returns.steps import step_for_event

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
def shopify_status(value):
    return SHOPIFY_STATUSES.get(value or "", value or "–")


@register.filter
def money(amount, currency):
    """An amount as the current language writes it: € 29,00 (nl), 29,00 € (de), €29.00 (en)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    locale = translation.to_locale(translation.get_language() or "en")
    return format_currency(value, currency, locale=locale)
