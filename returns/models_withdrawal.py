"""The consumer's withdrawal declaration, as received through the withdrawal function.

Kept apart from models.py so each file stays readable; models.py imports it, so Django sees it as
one of the app's models.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# What the receipt adds once it has been sent; everything else is fixed when the row is made.
RECEIPT_FIELDS = frozenset({"receipt_message_id", "receipt_sent_at", "receipt_pdf"})


class WithdrawalOutcome(models.TextChoices):
    # Goods shipped: the consumer sends them back (a return request).
    RETURN = "return", _("Return of the goods")
    # Nothing shipped yet: the order is cancelled in Shopify and refunded.
    CANCELLATION = "cancellation", _("Cancellation of the order")


class WithdrawalDeclaration(models.Model):
    """What the consumer declared and when it reached us. Never edited: only the receipt's id,
    time and PDF are added once it is sent, and only a customers/redact erases the person."""

    Outcome = WithdrawalOutcome

    order = models.ForeignKey(
        "returns.ShopifyOrder",
        on_delete=models.PROTECT,
        related_name="withdrawals",
        verbose_name=_("order"),
    )
    return_request = models.OneToOneField(
        "returns.ReturnRequest",
        on_delete=models.PROTECT,
        related_name="withdrawal",
        verbose_name=_("request"),
    )
    outcome = models.CharField(_("what follows"), max_length=16, choices=Outcome.choices)
    whole_order = models.BooleanField(_("the whole order"))
    # [{"line_item_id", "title", "variant_title", "quantity"}] as declared.
    lines = models.JSONField(_("items"))
    consumer_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    reason = models.TextField(_("reason (optional)"), blank=True)
    locale = models.CharField(_("language"), max_length=8)
    # To the second: the receipt states it, and the deadline for the refund counts from it.
    received_at = models.DateTimeField(_("received"))
    submission_key = models.UUIDField(unique=True, editable=False)
    receipt_message_id = models.CharField(_("receipt message ID"), max_length=255, blank=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)
    receipt_pdf = models.BinaryField(_("receipt (PDF)"), blank=True, default=b"", editable=False)

    class Meta:
        verbose_name = _("withdrawal declaration")
        verbose_name_plural = _("withdrawal declarations")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=WithdrawalOutcome.values), name="withdrawal_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.order} · {self.received_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            changed = set(kwargs.get("update_fields") or ())
            if not changed or not changed <= RECEIPT_FIELDS:
                raise ValueError("A withdrawal declaration is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A withdrawal declaration is never deleted.")
