"""Every step a return request can go through, declared once.

A step says which event it records, from which statuses it may be taken and to which it leads,
who may take it, what staff and shopper read about it, the line and tag it writes on the Shopify
order, and the email it sends. Services check `step.check(request)` before they change anything;
the admin offers a button only where `step.allowed(request)` and `step.permitted(user)` hold; the
write-back, the status page and the emails read their words from here. Adding a step means one
declaration below, one service that takes it, and the translations of its words.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from . import events
from .models import ReturnKind, ReturnRequest
from .step import (  # noqa: F401 (the names services and the back office read from here)
    CLAIMS_ONLY,
    EVERY_KIND,
    NO_PHOTOS_WANTED,
    NOT_ALLOWED,
    NOT_REFUNDABLE,
    PHOTOS_CLAIMS_ONLY,
    VIEW_PERMISSION,
    Actor,
    Status,
    Step,
)
from .step_rules import (  # noqa: F401
    PHOTOS_ADDED_EVENT,
    PHOTOS_ASKED_EVENT,
    REPLACEMENT_ORDER_FAILED_EVENT,
    REPLACEMENT_ORDERED_EVENT,
    arrived_refunded,
    has_no_refunds,
    is_cancellation,
    items_values,
    ordered_values,
    photos_added_values,
    photos_not_wanted_yet,
    photos_wanted,
    received_in_words,
    received_values,
    refunded_values,
    rejected_values,
    replacement_order_wanted,
    requested_values,
    returns_goods,
    shipped_values,
)
from .tracks import GUARANTEE, REMEDY_ASKED, WITHDRAWAL, Track, track_of  # noqa: F401

OPEN = frozenset({Status.REQUESTED, Status.APPROVED, Status.RECEIVED})

REQUEST = Step(
    name="request",
    event_type="returns.requested",
    label=_("Requested"),
    actor=Actor.CUSTOMER,
    payload=events.Requested,
    to_status=Status.REQUESTED,
    shopper_label=_("Request received"),
    note=_("withdrawal received (not satisfied), no reason needed: %(items)s"),
    claim_note=_("defect reported, remedy asked for: %(remedy)s; %(items)s"),
    note_values=requested_values,
    tag="return-requested",
    email="requested",
    shopify_return="request",
)
APPROVE = Step(
    name="approve",
    event_type="returns.approved",
    label=_("Approve"),
    done_label=_("Approved"),
    from_statuses=frozenset({Status.REQUESTED}),
    to_status=Status.APPROVED,
    permission="returns.approve_return",
    shopper_label=_("Approved"),
    note=_("approved"),
    tag="return-approved",
    email="approved",
    email_subject=_("%(number)s has been approved"),
    shopify_return="approve",
)
REJECT = Step(
    name="reject",
    event_type="returns.rejected",
    label=_("Reject"),
    done_label=_("Rejected"),
    payload=events.Rejected,
    from_statuses=OPEN,
    to_status=Status.REJECTED,
    guard=has_no_refunds,
    permission="returns.approve_return",
    shopper_label=_("Rejected"),
    note=_("rejected: %(reason)s"),
    note_values=rejected_values,
    tag="return-rejected",
    email="rejected",
    email_subject=_("Update on %(number)s"),
    shopify_return="decline",
)
RECEIVE = Step(
    name="receive",
    event_type="returns.received",
    label=_("Mark parcel received"),
    done_label=_("Parcel received"),
    payload=events.Received,
    from_statuses=frozenset({Status.REQUESTED, Status.APPROVED}),
    to_status=Status.RECEIVED,
    permission="returns.receive_return",
    shopper_label=_("Parcel received"),
    note=_("parcel received: %(items)s"),
    note_values=received_values,
    tag="return-received",
    email="received",
    email_subject=_("We have received your parcel for %(number)s"),
    shopify_return="dispose",
)
SHIP = Step(
    name="ship",
    event_type="returns.replacement_shipped",
    label=_("Ship replacement"),
    done_label=_("Replacement shipped"),
    payload=events.ReplacementShipped,
    from_statuses=frozenset({Status.APPROVED, Status.RECEIVED}),
    to_status=Status.RESOLVED,
    kinds=frozenset({ReturnKind.CLAIM}),
    kind_refused=CLAIMS_ONLY,
    permission="returns.ship_replacement",
    shopper_label=_("Replacement shipped"),
    note=_("%(items)s defective, replacement shipped on %(date)s, %(carrier)s %(number)s"),
    note_values=shipped_values,
    tag="replacement-shipped",
    email="replacement_shipped",
    email_subject=_("Your replacement for %(number)s is on its way"),
    shopify_return="close",
)
# The replacement made as an order in Shopify, at no charge, which the warehouse picks and ships as
# any order (returns/services/replacement_orders.py). The request stays open until Shopify says the
# order is fulfilled: then REPLACEMENT_SHIPPED_IN_SHOPIFY, below, is SHIP taken by Shopify.
REPLACEMENT_ORDER = Step(
    name="replacement_order",
    event_type=REPLACEMENT_ORDERED_EVENT,
    label=_("Create replacement order in Shopify"),
    payload=events.ReplacementOrdered,
    # Shipping a replacement by hand or as an order: who may, from where and for what is SHIP's.
    from_statuses=SHIP.from_statuses,
    kinds=SHIP.kinds,
    kind_refused=SHIP.kind_refused,
    guard=replacement_order_wanted,
    permission=SHIP.permission,
    shopper_label=_("Replacement being prepared"),
    note=_("replacement order created: %(items)s"),
    note_values=ordered_values,
    tag="replacement-ordered",
)
REPLACEMENT_ORDER_FAILED = Step(
    name="replacement_order_failed",
    event_type=REPLACEMENT_ORDER_FAILED_EVENT,
    label=_("Shopify did not make the replacement order"),
    actor=Actor.SYSTEM,
    payload=events.ReplacementOrdered,
)
REPLACEMENT_ORDER_MADE = Step(
    name="replacement_order_made",
    event_type="returns.replacement_order_made",
    label=_("Replacement order made in Shopify"),
    actor=Actor.SYSTEM,
    payload=events.ReplacementOrdered,
)
# Staff want to see more of the defect: the shopper is emailed a link to the status page, which
# takes photos until they have sent some. Deciding a claim and asking for its evidence go together.
PHOTOS_ASK = Step(
    name="photos_ask",
    event_type=PHOTOS_ASKED_EVENT,
    label=_("Ask for more photos"),
    done_label=_("More photos asked for"),
    payload=events.PhotosAsked,
    from_statuses=OPEN,
    kinds=frozenset({ReturnKind.CLAIM}),
    kind_refused=PHOTOS_CLAIMS_ONLY,
    guard=photos_not_wanted_yet,
    permission="returns.approve_return",
    shopper_label=_("More photos asked for"),
    note=_("more photos of the defect asked for"),
    email="photos_asked",
    email_subject=_("%(number)s: please send us more photos"),
)
PHOTOS_ADD = Step(
    name="photos_add",
    event_type=PHOTOS_ADDED_EVENT,
    label=_("Photos added by the shopper"),
    actor=Actor.CUSTOMER,
    payload=events.PhotosAdded,
    from_statuses=OPEN,
    kinds=frozenset({ReturnKind.CLAIM}),
    kind_refused=PHOTOS_CLAIMS_ONLY,
    guard=photos_wanted,
    refused=NO_PHOTOS_WANTED,
    shopper_label=_("Photos added"),
    note=_("photos added in the portal (%(count)s): %(url)s"),
    note_values=photos_added_values,
)
REFUND = Step(
    name="refund",
    event_type="returns.refund.requested",
    label=_("Refund"),
    done_label=_("Refund asked for"),
    payload=events.RefundMoved,
    from_statuses=frozenset({Status.APPROVED, Status.RECEIVED, Status.RESOLVED}),
    permission="returns.issue_refund",
    refused=NOT_REFUNDABLE,
)
# A refund that succeeded resolves the request only once what arrived is refunded (`allowed`);
# otherwise it is recorded and the request stays where it is.
REFUND_SUCCEEDED = Step(
    name="refund_succeeded",
    event_type="returns.refund.succeeded",
    label=_("Refunded"),
    actor=Actor.SYSTEM,
    payload=events.RefundMoved,
    from_statuses=frozenset({Status.RECEIVED}),
    to_status=Status.RESOLVED,
    guard=arrived_refunded,
    shopper_label=_("Refunded"),
    note=_("refunded %(amount)s %(currency)s%(override)s"),
    note_values=refunded_values,
    tag="return-refunded",
    email="refunded",
    email_subject=_("Your refund for %(number)s"),
    shopify_return="close",
)
REFUND_FAILED = Step(
    name="refund_failed",
    event_type="returns.refund.failed",
    label=_("Refund refused by Shopify"),
    actor=Actor.SYSTEM,
    payload=events.RefundMoved,
)
REFUND_LATE_SUCCESS = Step(
    name="refund_late_success",
    event_type="returns.refund.succeeded_after_failure",
    label=_("Refund made by Shopify after it had failed"),
    actor=Actor.SYSTEM,
    payload=events.RefundLateSuccess,
)
REFUND_ATTEMPT_FAILED = Step(
    name="refund_attempt_failed",
    event_type="returns.refund.attempt_failed",
    label=_("Shopify could not be reached for a refund"),
    actor=Actor.SYSTEM,
    payload=events.RefundAttemptFailed,
)
CANCEL = Step(
    name="cancel",
    event_type="returns.cancelled",
    label=_("Cancelled by the shopper"),
    actor=Actor.CUSTOMER,
    from_statuses=frozenset({Status.REQUESTED}),
    to_status=Status.CANCELLED,
    shopper_label=_("Cancelled"),
    note=_("cancelled by the shopper"),
    tag="return-cancelled",
    email="cancelled",
    email_subject=_("%(number)s has been cancelled"),
    shopify_return="cancel",
)
# The consumer's withdrawal through the withdrawal function (Art. 11a Directive 2011/83/EU,
# § 356a BGB). Its acknowledgement is the receipt (returns/withdrawals/receipt.py), sent with a
# PDF copy, not a step email.
WITHDRAW = Step(
    name="withdraw",
    event_type="withdrawal.declared",
    label=_("Withdrawal declared"),
    actor=Actor.CUSTOMER,
    payload=events.Requested,
    to_status=Status.REQUESTED,
    shopper_label=_("Withdrawal received"),
    note=_("withdrawal from the contract declared: %(items)s"),
    note_values=items_values,
    tag="withdrawal-declared",
    shopify_return="request",
)
ORDER_CANCEL = Step(
    name="order_cancel",
    event_type="withdrawal.order_cancel_requested",
    label=_("Cancel the order in Shopify (refund and restock)"),
    done_label=_("Cancellation of the order asked of Shopify"),
    from_statuses=frozenset({Status.REQUESTED, Status.APPROVED}),
    guard=is_cancellation,
    permission="returns.issue_refund",
)
ORDER_CANCELLED = Step(
    name="order_cancelled",
    event_type="withdrawal.order_cancelled",
    label=_("Order cancelled in Shopify, refunded and restocked"),
    actor=Actor.SYSTEM,
    from_statuses=frozenset({Status.REQUESTED, Status.APPROVED}),
    to_status=Status.RESOLVED,
    guard=is_cancellation,
    shopper_label=_("Order cancelled and refunded"),
    note=_("order cancelled after the withdrawal, refunded and restocked"),
    tag="withdrawal-order-cancelled",
    email="order_cancelled",
    email_subject=_("Your order %(order)s has been cancelled"),
)
ORDER_CANCEL_FAILED = Step(
    name="order_cancel_failed",
    event_type="withdrawal.order_cancel_failed",
    label=_("Shopify did not cancel the order"),
    actor=Actor.SYSTEM,
    payload=events.OrderCancelFailed,
)
SHOPIFY_WRITTEN = Step(
    name="shopify_written",
    event_type="shopify.written",
    label=_("Written to the Shopify order"),
    actor=Actor.SYSTEM,
    payload=events.ShopifyWritten,
)
SHOPIFY_WRITE_FAILED = Step(
    name="shopify_write_failed",
    event_type="shopify.write_failed",
    label=_("Could not be written to the Shopify order"),
    actor=Actor.SYSTEM,
    payload=events.ShopifyWriteFailed,
)
SHOPIFY_RETURN_REFUSED = Step(
    name="shopify_return_refused",
    event_type="shopify.return_refused",
    label=_("Shopify refused this step on its Return"),
    actor=Actor.SYSTEM,
    payload=events.ShopifyWriteFailed,
)
SHOPIFY_RETURN_WAITING = Step(
    name="shopify_return_waiting",
    event_type="shopify.return_waiting_for_scope",
    label=_("Waiting for an access scope before this step can be taken on its Shopify Return"),
    actor=Actor.SYSTEM,
    payload=events.ScopeMissing,
)
SHOPIFY_RETURN_RESUMED = Step(
    name="shopify_return_resumed",
    event_type="shopify.return_resumed",
    label=_("Access scope granted: the waiting steps sent to the Shopify Return again"),
    actor=Actor.SYSTEM,
    payload=events.ShopifyReturnResumed,
)
# A later catch-up took every step the Return had refused or waited for: nothing is left open.
SHOPIFY_RETURN_IN_STEP = Step(
    name="shopify_return_in_step",
    event_type="shopify.return_in_step",
    label=_("The Shopify Return is in step again: Shopify took the steps it had not taken"),
    actor=Actor.SYSTEM,
)
NOTE_REPAIRED = Step(
    name="note_repaired",
    event_type="shopify.note_repaired",
    label=_("Line put back on the Shopify order's note"),
    actor=Actor.SYSTEM,
    payload=events.NoteRepaired,
)
SHOP_REDACTED = Step(
    name="shop_redacted",
    event_type="privacy.shop_redacted",
    label=_("Personal data erased: the shop removed the app"),
    actor=Actor.SYSTEM,
    payload=events.ShopRedacted,
)
# Housekeeping on the photo store, for staff only (returns/services/photo_deletion.py).
PHOTOS_EXPIRED = Step(
    name="photos_expired",
    event_type="photos.deleted_after_retention",
    label=_("Photos deleted after the retention period"),
    actor=Actor.SYSTEM,
    payload=events.PhotosDeleted,
)
PHOTOS_ERASED = Step(
    name="photos_erased",
    event_type="photos.deleted_with_personal_data",
    label=_("Photos deleted with the shopper's personal data"),
    actor=Actor.SYSTEM,
    payload=events.PhotosDeleted,
)
# The shop's decision rules looked at a new request (returns/services/rules.py); the approval or
# rejection they led to is the APPROVE or REJECT step, taken by the system.
RULES_DECIDED = Step(
    name="rules_decided",
    event_type="rules.decided",
    label=_("Decided by the shop's rules"),
    actor=Actor.SYSTEM,
    payload=events.RuleDecided,
)
EMAIL_SENT = Step(
    name="email_sent",
    event_type="email.sent",
    label=_("Email sent"),
    actor=Actor.SYSTEM,
    payload=events.EmailSent,
)

# Steps staff took in Shopify's admin (or the customer in their Shopify account), followed from
# Shopify's returns/* webhooks (returns/services/shopify_return_webhooks.py). They write the same
# tags as the portal's own steps, so merchants' Flow automations see a return however it was
# handled, and a note line saying it happened in Shopify. None has a `shopify_return` action:
# Shopify is already there. The shopper hears of them as of the portal's own steps, except that a
# Return made in Shopify is not acknowledged (Shopify tells the customer itself) and closing or
# reopening, which asks nothing of the shopper, sends no email.
MADE_IN_SHOPIFY = Step(
    name="made_in_shopify",
    event_type="shopify.return_made",
    label=_("Return made in Shopify"),
    actor=Actor.SYSTEM,
    payload=events.Requested,
    to_status=Status.REQUESTED,
    shopper_label=_("Return registered"),
    note=_("return made in Shopify: %(items)s"),
    note_values=items_values,
    tag="return-requested",
)


def _in_shopify(step: Step, *, name: str, event_type: str, label, note, email: str, **changes):
    """`step` as staff take it in Shopify's admin: the same statuses, words for the shopper, tag
    and email subject; its own label, note line and email kind; no button, nothing sent back."""
    return replace(
        step,
        name=name,
        event_type=event_type,
        label=label,
        done_label=None,
        actor=Actor.SYSTEM,
        permission=None,
        note=note,
        claim_note=None,
        email=email,
        shopify_return="",
        **changes,
    )


APPROVED_IN_SHOPIFY = _in_shopify(
    APPROVE,
    name="approved_in_shopify",
    event_type="shopify.return_approved",
    label=_("Approved in Shopify"),
    note=_("approved in Shopify"),
    email="approved_in_shopify",
)
DECLINED_IN_SHOPIFY = _in_shopify(
    REJECT,
    name="declined_in_shopify",
    event_type="shopify.return_declined",
    label=_("Declined in Shopify"),
    note=_("declined in Shopify: %(reason)s"),
    email="declined_in_shopify",
)
# Staff may cancel in Shopify what the portal approved already, as long as no money has moved.
CANCELLED_IN_SHOPIFY = _in_shopify(
    CANCEL,
    name="cancelled_in_shopify",
    event_type="shopify.return_cancelled",
    label=_("Cancelled in Shopify"),
    note=_("cancelled in Shopify"),
    email="cancelled_in_shopify",
    from_statuses=OPEN,
    guard=has_no_refunds,
)
RECEIVED_IN_SHOPIFY = _in_shopify(
    RECEIVE,
    name="received_in_shopify",
    event_type="shopify.return_received",
    label=_("Parcel received in Shopify"),
    note=_("parcel received in Shopify: %(items)s (%(restock)s)"),
    email="received_in_shopify",
)
# Recorded with a succeeded Refund marked made in Shopify, which counts against what the portal
# may still refund for the request, exactly as its own refunds do.
REFUNDED_IN_SHOPIFY = _in_shopify(
    REFUND_SUCCEEDED,
    name="refunded_in_shopify",
    event_type="shopify.return_refunded",
    label=_("Refunded in Shopify"),
    note=_("refunded in Shopify: %(amount)s %(currency)s"),
    email="refunded_in_shopify",
)
# The warehouse fulfilled the replacement order in Shopify: its tracking number comes with
# Shopify's fulfillments/create webhook, and the shopper hears of it as of a replacement logged.
REPLACEMENT_SHIPPED_IN_SHOPIFY = replace(
    SHIP,
    name="replacement_shipped_in_shopify",
    event_type="shopify.replacement_fulfilled",
    label=_("Replacement order fulfilled in Shopify"),
    actor=Actor.SYSTEM,
    permission=None,
)
CLOSED_IN_SHOPIFY = Step(
    name="closed_in_shopify",
    event_type="shopify.return_closed",
    label=_("Closed in Shopify"),
    actor=Actor.SYSTEM,
    from_statuses=frozenset({Status.APPROVED, Status.RECEIVED}),
    to_status=Status.RESOLVED,
    shopper_label=_("Completed"),
    note=_("closed in Shopify"),
    tag="return-closed",
)
# The one way back: a Return Shopify showed closed and now shows open again. The request becomes
# what it was before it was resolved: received if its parcel had arrived, else approved; the
# service works out which, so `to_status` is left empty.
REOPENED_IN_SHOPIFY = Step(
    name="reopened_in_shopify",
    event_type="shopify.return_reopened",
    label=_("Reopened in Shopify"),
    actor=Actor.SYSTEM,
    from_statuses=frozenset({Status.RESOLVED}),
    shopper_label=_("Reopened"),
    note=_("reopened in Shopify"),
    tag="return-reopened",
)

STEPS = (
    REQUEST,
    APPROVE,
    REJECT,
    RECEIVE,
    REPLACEMENT_ORDER,
    SHIP,
    REPLACEMENT_ORDER_FAILED,
    REPLACEMENT_ORDER_MADE,
    PHOTOS_ASK,
    PHOTOS_ADD,
    REFUND,
    REFUND_SUCCEEDED,
    REFUND_FAILED,
    REFUND_LATE_SUCCESS,
    REFUND_ATTEMPT_FAILED,
    CANCEL,
    WITHDRAW,
    ORDER_CANCEL,
    ORDER_CANCELLED,
    ORDER_CANCEL_FAILED,
    SHOPIFY_WRITTEN,
    SHOPIFY_WRITE_FAILED,
    SHOPIFY_RETURN_REFUSED,
    SHOPIFY_RETURN_WAITING,
    SHOPIFY_RETURN_RESUMED,
    SHOPIFY_RETURN_IN_STEP,
    NOTE_REPAIRED,
    SHOP_REDACTED,
    PHOTOS_EXPIRED,
    PHOTOS_ERASED,
    RULES_DECIDED,
    EMAIL_SENT,
    MADE_IN_SHOPIFY,
    APPROVED_IN_SHOPIFY,
    DECLINED_IN_SHOPIFY,
    CANCELLED_IN_SHOPIFY,
    RECEIVED_IN_SHOPIFY,
    REFUNDED_IN_SHOPIFY,
    CLOSED_IN_SHOPIFY,
    REOPENED_IN_SHOPIFY,
    REPLACEMENT_SHIPPED_IN_SHOPIFY,
)
# The steps staff take on the request's screen, in the order its buttons are shown.
STAFF_STEPS = tuple(step for step in STEPS if step.permission)
_BY_EVENT = {step.event_type: step for step in STEPS}
# A step derived from another sends its email: the first declared is the email's own.
_BY_EMAIL = {step.email: step for step in reversed(STEPS) if step.email}
_BY_NAME = {step.name: step for step in STEPS}
# An event of a type no step declares (written by an older release) reads as a bare record.
_UNKNOWN = Step(name="unknown", event_type="", label=_("Update"))


def step_for_event(event_type: str) -> Step:
    return _BY_EVENT.get(event_type, _UNKNOWN)


def step_for_email(kind: str) -> Step:
    return _BY_EMAIL[kind]


def email_event_types(kind: str) -> tuple[str, ...]:
    """The events of every step that sends this email (a step and those derived from it)."""
    return tuple(step.event_type for step in STEPS if step.email == kind)


def step_named(name: str) -> Step:
    return _BY_NAME[name]


def steps_offered(request: ReturnRequest, user) -> list[Step]:
    """The steps this staff member may take on this request now: its screen's buttons."""
    return [step for step in STAFF_STEPS if step.permitted(user) and step.allowed(request)]
