"""The returns domain. State changes live in services.py; these models only hold data and the
database constraints that keep it honest."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import money

# Three decimals: the most any Shopify currency has (KWD, BHD, ...; see money.py). Shown and
# sent at the currency's own number of decimals, through returns.money.
MONEY = {"max_digits": 15, "decimal_places": 3}


def new_status_token() -> str:
    # 32 random bytes: 256 bits, far beyond guessing, and never derived from an id.
    return secrets.token_urlsafe(32)


class ShopifyOrder(models.Model):
    """The local copy of a Shopify order: what shopper pages read instead of calling Shopify."""

    shopify_id = models.CharField(_("Shopify ID"), max_length=64, unique=True)
    name = models.CharField(_("order"), max_length=64, unique=True)
    email = models.EmailField(_("customer email"), blank=True)
    # Also in `data`; a column so that staff can search the queue by the customer's name.
    customer_name = models.CharField(_("customer name"), max_length=255, blank=True)
    customer_locale = models.CharField(_("customer locale"), max_length=16, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    # The order as returned by returns.shopify.orders, serialised; money kept as strings.
    data = models.JSONField(_("snapshot"))
    shopify_updated_at = models.DateTimeField(_("updated in Shopify"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    # The last "shopify.written" record whose line the sweep found on Shopify's note (or put back):
    # later records are compared with the note on the next sweep (returns/services/recovery.py).
    note_checked_up_to = models.PositiveBigIntegerField(
        _("note lines checked up to"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("Shopify order")
        verbose_name_plural = _("Shopify orders")
        indexes = [models.Index(fields=["email"])]

    def __str__(self):
        return self.name


class ReturnKind(models.TextChoices):
    """The legal track (returns/tracks.py): a withdrawal, or a claim under the legal guarantee."""

    RETURN = "return", _("Withdrawal")
    CLAIM = "claim", _("Legal guarantee claim")


class ReturnReason(models.TextChoices):
    DEFECT = "defect", _("Defect")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class ClaimRemedy(models.TextChoices):
    """What the shopper asks for under the legal guarantee: the buyer's choice (§ 439 (1) BGB,
    art. 7:21 (1) BW, Art. 13 (2) Directive (EU) 2019/771)."""

    REPLACEMENT = "replacement", _("Replacement")
    REPAIR = "repair", _("Repair")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RECEIVED = "received", _("Received")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnRequest(models.Model):
    Kind = ReturnKind
    Reason = ReturnReason
    Remedy = ClaimRemedy
    Status = ReturnStatus

    number = models.CharField(_("number"), max_length=80, unique=True)
    order = models.ForeignKey(
        ShopifyOrder,
        on_delete=models.PROTECT,
        related_name="return_requests",
        verbose_name=_("order"),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    # Claims only: empty on a withdrawal.
    remedy = models.CharField(
        _("remedy asked for"), max_length=16, choices=Remedy.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    locale = models.CharField(_("language"), max_length=8)
    customer_email = models.EmailField(_("customer email"))
    comment = models.TextField(_("comment"), blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    restock = models.BooleanField(_("restock returned items"), default=False)
    # The Shopify Return this request is (gid), once Shopify made it.
    shopify_return_id = models.CharField(_("Shopify Return"), max_length=64, blank=True)
    # Staff made the Return in Shopify's admin (or the customer in their Shopify account): the
    # portal took it from Shopify's webhook rather than from its own form.
    made_in_shopify = models.BooleanField(_("made in Shopify"), default=False)
    # The Return's status when the portal last read it (REQUESTED, OPEN, CLOSED, ...): a Return
    # read as CLOSED and then as OPEN was reopened in Shopify.
    shopify_return_status = models.CharField(
        _("status of the Shopify Return"), max_length=16, blank=True, editable=False
    )
    # The fees the shopper was shown and agreed to (returns/fees.py), in fee_currency (the
    # order's presentment currency); each line holds its restocking fee. Never recomputed.
    return_shipping_fee = models.DecimalField(
        _("return shipping fee"), default=0, editable=False, **MONEY
    )
    fee_currency = models.CharField(_("currency of the fees"), max_length=3, blank=True)
    # Sent with the shopper's form, so a double click or a resubmitted page finds this request.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The reason the shopper chose from the policy's list (`reason` is its track), and the policy
    # version the request was decided under; empty on requests made before either existed.
    reason_code = models.CharField(_("reason chosen"), max_length=64, blank=True)
    policy_version = models.ForeignKey(
        "returns.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("return policy version"),
    )

    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at"]
        # The queue: newest first, often narrowed to one status.
        indexes = [
            models.Index(fields=["-created_at"], name="return_newest_first"),
            models.Index(fields=["status", "-created_at"], name="return_status_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="return_sequence_per_order"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="return_sequence_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="return_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReturnKind.values), name="return_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(remedy__in=[*ClaimRemedy.values, ""]), name="return_remedy_valid"
            ),
        ]
        permissions = [
            ("approve_return", _("Can approve or reject return requests")),
            ("receive_return", _("Can mark returned parcels received")),
            ("ship_replacement", _("Can log shipped replacements")),
            ("issue_refund", _("Can issue refunds through Shopify")),
        ]

    def __str__(self):
        return self.number


class ItemCondition(models.TextChoices):
    """How the units of a line that arrived came back; units that did not arrive are missing."""

    AS_NEW = "as_new", _("As new")
    DAMAGED = "damaged", _("Damaged")


class ReturnLine(models.Model):
    Condition = ItemCondition

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    line_item_id = models.CharField(_("Shopify line item"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    variant_title = models.CharField(_("variant"), max_length=255, blank=True)
    sku = models.CharField(_("SKU"), max_length=255, blank=True)
    # Shopify's product (gid) of the line item, for the returns report; empty for a custom line.
    product_id = models.CharField(_("product"), max_length=64, blank=True)
    # What this line is worth of its request (unit price × quantity over the request's total),
    # set when the request is filed: the returns report shares a refund over the lines by it.
    value_share = models.DecimalField(
        _("share of the request's value"), max_digits=7, decimal_places=6, default=1
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    reason_detail = models.TextField(_("reason detail"), blank=True)
    received_quantity = models.PositiveIntegerField(_("received quantity"), null=True, blank=True)
    # Set with received_quantity when staff receive the parcel; blank for a parcel received in
    # Shopify's admin, which says only restocked or not.
    condition = models.CharField(
        _("condition"), max_length=16, choices=ItemCondition.choices, blank=True
    )
    restock = models.BooleanField(_("restocked"), null=True, blank=True)
    # This line's part of the restocking fee, in the line's currency (returns/fees.py).
    restocking_fee = models.DecimalField(_("restocking fee"), default=0, editable=False, **MONEY)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "line_item_id"], name="one_line_per_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | Q(received_quantity__lte=F("quantity")),
                name="line_received_within_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    State = RefundState

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("request")
    )
    # In the currency the customer paid in (Shopify's presentment currency): what is refunded.
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    # What Shopify booked the refund at in the shop's currency, when the customer paid in another;
    # known once Shopify has made the refund (its shopMoney), never worked out by the portal.
    shop_amount = models.DecimalField(
        _("amount in the shop's currency"), null=True, blank=True, **MONEY
    )
    shop_currency = models.CharField(_("shop's currency"), max_length=3, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    # Created with the row and sent on every attempt, so Shopify moves the money at most once.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shopify_refund_id = models.CharField(_("Shopify refund"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    restock = models.BooleanField(_("restock"), default=False)
    # Why staff refunded units that did not arrive (the override of the receipt's cap); blank
    # when the refund stays within what arrived.
    override_reason = models.TextField(_("reason for refunding units not received"), blank=True)
    # The line items sent with this refund as [{"line_item_id", "quantity"}]; empty for an
    # amount-only refund.
    lines = models.JSONField(_("items"), default=list, blank=True)
    # The part of `amount` that gives back the delivery cost (Shopify's RefundInput.shipping).
    shipping = models.DecimalField(_("delivery cost"), default=0, **MONEY)
    # The REFUND transactions planned before the first attempt and sent unchanged on every retry.
    transactions = models.JSONField(_("transactions"), default=list, blank=True)
    # The Shopify Return (gid) whose returnProcess makes this refund, chosen with the
    # transactions before the first attempt; empty: refundCreate makes it.
    shopify_return_id = models.CharField(_("Shopify Return"), max_length=64, blank=True)
    # The staff member's confirmation form, so a double click finds this refund, not a second.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    notify_customer = models.BooleanField(_("notify the customer"), default=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The attempt sending this refund to Shopify right now, and until when it may take: no other
    # attempt starts before it ends or this passes (a worker killed mid-attempt never ends it).
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("being sent until"), null=True, blank=True)
    # A refund staff made in Shopify (processing the request's Return there), recorded from
    # Shopify's webhook so the portal never refunds those units again.
    made_in_shopify = models.BooleanField(_("made in Shopify"), default=False)
    # Shopify made this refund after the portal had recorded it failed: staff should know.
    late_success_at = models.DateTimeField(_("succeeded after failing"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    succeeded_at = models.DateTimeField(_("succeeded"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(state__in=RefundState.values), name="refund_state_valid"
            ),
            models.UniqueConstraint(
                fields=["shopify_refund_id"],
                condition=~Q(shopify_refund_id=""),
                name="one_row_per_shopify_refund",
            ),
        ]

    def __str__(self):
        return f"{money.to_shopify(self.amount, self.currency)} {self.currency}"


class Replacement(models.Model):
    """A replacement sent for a claim: logged by staff with its tracking number, or made as an
    order in Shopify, which the warehouse ships and whose tracking number Shopify sends back."""

    class Carrier(models.TextChoices):
        DHL = "dhl", "DHL"
        POSTNL = "postnl", "PostNL"
        DPD = "dpd", "DPD"
        GLS = "gls", "GLS"
        UPS = "ups", "UPS"
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        ORDERED = "ordered", _("ordered in Shopify")
        SHIPPED = "shipped", _("shipped")

    request = models.ForeignKey(
        ReturnRequest,
        on_delete=models.CASCADE,
        related_name="replacements",
        verbose_name=_("request"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SHIPPED
    )
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    tracking_url = models.URLField(_("tracking link"), max_length=500, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    # A replacement made as a Shopify order: its draft order, then the order itself.
    in_shopify = models.BooleanField(_("order in Shopify"), default=False)
    draft_order_id = models.CharField(_("Shopify draft order"), max_length=64, blank=True)
    shopify_order_id = models.CharField(
        _("Shopify order"), max_length=64, blank=True, db_index=True
    )
    shopify_order_name = models.CharField(_("Shopify order number"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        verbose_name = _("replacement")
        verbose_name_plural = _("replacements")
        constraints = [
            # Logged by hand: always with its tracking number. From a Shopify order: Shopify may
            # fulfil it without one.
            models.CheckConstraint(
                condition=~Q(tracking_number="") | Q(in_shopify=True),
                name="replacement_tracking_number_set",
            ),
        ]

    def __str__(self):
        return f"{self.get_carrier_display()} {self.tracking_number}"


class ReturnEvent(models.Model):
    """The audit trail. Rows are only ever added."""

    class Actor(models.TextChoices):
        STAFF = "staff", _("Staff")
        CUSTOMER = "customer", _("Customer")
        SYSTEM = "system", _("System")

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    type = models.CharField(_("event"), max_length=64)
    actor = models.CharField(_("actor"), max_length=16, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    customer_visible = models.BooleanField(_("shown to the customer"), default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.type

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Return events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Return events are append-only.")


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    webhook_id = models.CharField(_("webhook ID"), max_length=128, unique=True)
    topic = models.CharField(_("topic"), max_length=64)
    shop_domain = models.CharField(_("shop"), max_length=255)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.topic} {self.webhook_id}"


from .models_photos import ClaimPhoto, PhotoStage  # noqa: E402
from .models_policy import PolicyVersion  # noqa: E402
from .models_report import Report, SalesSync, SoldLine  # noqa: E402
from .models_rules import DecisionRule, RejectReason, RuleDecision  # noqa: E402
from .models_withdrawal import WithdrawalDeclaration, WithdrawalOutcome  # noqa: E402

__all__ = [
    "ClaimPhoto",
    "DecisionRule",
    "RejectReason",
    "RuleDecision",
    "PhotoStage",
    "PolicyVersion",
    "ReturnEvent",
    "ReturnKind",
    "ReturnLine",
    "ReturnReason",
    "ReturnRequest",
    "ReturnStatus",
    "Refund",
    "RefundState",
    "Report",
    "SalesSync",
    "SoldLine",
    "Replacement",
    "ShopifyOrder",
    "WebhookDelivery",
    "WithdrawalDeclaration",
    "WithdrawalOutcome",
]
