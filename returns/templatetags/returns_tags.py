from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

EVENT_LABELS = {
    "returns.requested": _("Request received"),
    "returns.approved": _("Approved"),
    "returns.rejected": _("Rejected"),
    "returns.received": _("Parcel received"),
    "returns.replacement_shipped": _("Replacement shipped"),
    "returns.refund.succeeded": _("Refunded"),
    "returns.resolved": _("Completed"),
    "returns.cancelled": _("Cancelled"),
}


@register.filter
def event_label(event):
    return EVENT_LABELS.get(event.type, event.type)
