"""The acknowledgement of a withdrawal on a durable medium (Art. 11a(3) Directive 2011/83/EU,
§ 356a Abs. 4 BGB): an email in the consumer's language with a PDF copy attached.

It states what was declared, when it was received (to the second, with the time zone), the order
and items, and what happens next. It is sent once: the declaration keeps the message id and the
PDF exactly as they went out, for staff to download.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import events, steps
from .models import WithdrawalDeclaration
from .policy import LEGAL_WITHDRAWAL_DAYS
from .services.common import event_record
from .services.withdrawals import withdrawal_receipt_record
from .withdrawal_pdf import receipt_pdf

RECEIPT_EMAIL_KIND = "withdrawal_receipt"


def received_words(moment: datetime) -> str:
    """ "19.06.2026, 14:03:07 CEST (UTC+02:00)": the date in the active language, the time to the
    second, the shop's time zone and its offset, so nobody has to guess which time is meant."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return (
        f"{formats.date_format(local, 'DATE_FORMAT')}, {local:%H:%M:%S} "
        f"{local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    )


def receipt_context(declaration: WithdrawalDeclaration) -> dict:
    request = declaration.return_request
    return {
        "declaration": declaration,
        "request": request,
        "order_name": declaration.order.name,
        "received": received_words(declaration.received_at),
        "lines": declaration.lines,
        "cancellation": declaration.outcome == declaration.Outcome.CANCELLATION,
        "shop_name": settings.SHOP_NAME,
        "return_address": settings.SHOP_RETURN_ADDRESS,
        "refund_days": LEGAL_WITHDRAWAL_DAYS,
        "status_url": settings.PORTAL_URL.rstrip("/")
        + reverse("returns:status", args=[request.token]),
    }


def withdrawal_receipt_send(*, declaration_id: int) -> bool:
    """Send the receipt once; False if it was sent before."""
    with transaction.atomic():
        # Locked while it is sent: a second worker waits, then finds the receipt sent.
        declaration = (
            WithdrawalDeclaration.objects.select_for_update()
            .select_related("order", "return_request")
            .get(pk=declaration_id)
        )
        if declaration.receipt_message_id or declaration.email.endswith(".invalid"):
            return False
        with translation.override(declaration.locale):
            context = receipt_context(declaration)
            subject = " ".join(
                (
                    _("Confirmation of your withdrawal from order %(order)s")
                    % {"order": declaration.order.name}
                ).split()
            )
            text = render_to_string("emails/withdrawal_receipt.txt", context)
            html = render_to_string("emails/withdrawal_receipt.html", context)
            pdf = receipt_pdf(context)
            filename = _("withdrawal-%(order)s.pdf") % {"order": declaration.order.name.lstrip("#")}
        message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None)
        message = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [declaration.email],
            headers={"Message-ID": message_id},
        )
        message.attach_alternative(html, "text/html")
        message.attach(filename, pdf, "application/pdf")
        message.send()
        withdrawal_receipt_record(
            declaration_id=declaration.pk, message_id=message_id, pdf=pdf, sent_at=timezone.now()
        )
        event_record(
            request=declaration.return_request,
            step=steps.EMAIL_SENT,
            payload=events.EmailSent(kind=RECEIPT_EMAIL_KIND),
        )
    return True
