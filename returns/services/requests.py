"""The shopper's side: finding the order and filing a return or claim."""

import hmac
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events, steps, tasks
from ..fees import ReturnFees
from ..models import (
    ClaimRemedy,
    PhotoStage,
    ReturnKind,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ShopifyOrder,
)
from ..photos import CheckedPhoto
from ..policy import ReturnPolicy, order_eligibility
from ..selectors import (
    order_snapshot,
    policy_current,
    reserved_quantities,
    settled_quantities,
)
from ..shopify import orders as shopify_orders
from ..shopify.types import Order
from .common import ReturnError, step_record
from .photos import photo_files_undone_on_failure, photos_allowed, photos_store
from .refunds import refunds_reconcile
from .request_fees import FEES_CHANGED, request_fees
from .sales import sold_lines_record

NO_ITEMS = _("Choose at least one item and how many.")
UNKNOWN_ITEM = _("One of the chosen items is not part of this order.")
UNKNOWN_REASON = _("Please choose one of the reasons offered. Reload the page if none fits.")
TOO_MANY = _("You chose more units of “%(title)s” than can be returned (%(limit)s at most).")
NOT_ALLOWED = _("“%(title)s” cannot be returned for this reason: %(why)s")
COMMENT_REQUIRED = _("Please describe what is wrong with the item.")
REMEDY_REQUIRED = _("Please choose whether you want the item repaired or replaced.")


def shopify_order_store(*, order: Order) -> ShopifyOrder:
    """Save Shopify's order as the local copy; an older snapshot never replaces a newer one.
    Its line items count as sold in the returns report."""
    with transaction.atomic():
        stored = _order_copy_store(order)
        if stored.shopify_updated_at == order.updated_at:
            sold_lines_record(order=order)
        return stored


def _order_copy_store(order: Order) -> ShopifyOrder:
    with transaction.atomic():
        local = ShopifyOrder.objects.select_for_update().filter(shopify_id=order.id).first()
        if local and local.shopify_updated_at and local.shopify_updated_at > order.updated_at:
            return local
        fields = {
            "name": order.name,
            "email": (order.email or "").lower(),
            "customer_name": order.customer_name or "",
            "customer_locale": order.customer_locale or "",
            "currency": order.currency,
            "data": order.to_json(),
            "shopify_updated_at": order.updated_at,
            "fetched_at": timezone.now(),
        }
        if local is None:
            try:
                with transaction.atomic():
                    return ShopifyOrder.objects.create(shopify_id=order.id, **fields)
            except IntegrityError:
                # Another request stored it a moment ago; update that row instead.
                local = ShopifyOrder.objects.select_for_update().get(shopify_id=order.id)
        for name, value in fields.items():
            setattr(local, name, value)
        local.save()
        return local


def shopify_order_lookup(*, order_number: str, email: str) -> ShopifyOrder | None:
    """The shopper's order if number and email match, else None (whichever of the two is wrong).

    Reads the local copy; only a missing or stale copy costs one request to Shopify.
    ShopifyError propagates when Shopify cannot be asked.
    """
    name = shopify_orders.normalise_order_name(order_number)
    email = (email or "").strip().lower()
    if name is None or not email:
        return None
    # A known number with a wrong email and an unknown number do the same work, so the time an
    # answer takes does not tell which orders exist: one query, one cache read, one comparison.
    # (Asking Shopify about a number not seen before takes longer; the view's failure floor,
    # ratelimit.answer_no_sooner, covers that.)
    local = ShopifyOrder.objects.filter(name__iexact=name).first()
    remembered_unknown = cache.get(_unknown_key(name))
    if local is None and remembered_unknown:
        _same_email("", email)
        return None
    if local is None or _is_stale(local):
        fetched = shopify_orders.order_find_by_name(name)
        if fetched is None:
            # Probing made-up numbers must not cost a Shopify request each time.
            cache.set(_unknown_key(name), True, settings.UNKNOWN_ORDER_CACHE_SECONDS)
            _same_email("", email)
            return None
        local = shopify_order_store(order=fetched)
    return local if _same_email(local.email, email) else None


def _same_email(stored: str, given: str) -> bool:
    # compare_digest takes as long wherever the two differ; an empty stored address never matches.
    return hmac.compare_digest(stored.encode(), given.encode()) and bool(stored)


def shopify_order_refetch(*, order_id: int) -> ShopifyOrder:
    """Replace the local copy with Shopify's current order."""
    local = ShopifyOrder.objects.get(pk=order_id)
    order = shopify_orders.order_get(local.shopify_id)
    stored = shopify_order_store(order=order)
    # refunds/create and orders/updated land here: a refund recorded failed may show up in them.
    refunds_reconcile(
        order_id=stored.pk, shopify_refunds_noted=[(r.id, r.note) for r in order.refunds]
    )
    return stored


def _unknown_key(name: str) -> str:
    return f"unknown-order:{name.lower()}"


def _is_stale(order: ShopifyOrder) -> bool:
    if timezone.now() - order.fetched_at > timedelta(seconds=settings.ORDER_COPY_MAX_AGE):
        return True
    try:
        order_snapshot(order)
    except (KeyError, TypeError, ValueError):
        # Stored by an older release that knew fewer fields: fetch it again.
        return True
    return False


def return_request_create(
    *,
    order: ShopifyOrder,
    quantities: dict[str, int],
    reason: str,
    comment: str,
    locale: str,
    remedy: str = "",
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
    policy: ReturnPolicy | None = None,
    step: steps.Step = steps.REQUEST,
    photos: Sequence[CheckedPhoto] = (),
    reason_code: str = "",
    fees_shown: Decimal | None = None,
) -> ReturnRequest:
    """File a withdrawal (not satisfied) or a guarantee claim (defect) for the chosen units.

    A withdrawal needs no reason (the comment may be empty) and has no remedy; a claim names the
    remedy the shopper chose, repair or replacement: the choice is theirs by law.

    The same submission_key (a double click, a resubmitted form) returns the request it already
    created. Units already in an open request cannot be chosen again, so a second tab cannot file
    the same items twice. A withdrawal files its return with its own period (`policy`) and step.

    A claim may come with photos of the defect, checked already (returns/photos.py): they are
    stored with the request, all or none.

    The request records the policy version it is decided under (the one in force unless `policy`
    says otherwise) and the reason chosen from its list (`reason_code`; the track's first reason
    when none is given), which must be on the track `reason` names.

    The request's fees (returns/fees.py) are stored with it. `fees_shown`: the total the shopper
    confirmed; the request is refused if the fees are not that any more (the policy changed in
    between), so a shopper is never charged other than what they were shown.
    """
    now = now or timezone.now()
    comment = comment.strip()
    kind = ReturnKind.CLAIM if reason == ReturnReason.DEFECT else ReturnKind.RETURN
    with photo_files_undone_on_failure() as written, transaction.atomic():
        # One shopper's submissions for an order are decided one at a time.
        order = ShopifyOrder.objects.select_for_update().get(pk=order.pk)
        if submission_key:
            existing = ReturnRequest.objects.filter(submission_key=submission_key).first()
            if existing:
                return existing
        policy = policy or policy_current()
        reason_code = reason_code_for(policy, reason, reason_code)
        chosen = _checked_quantities(order, quantities, reason, now, policy)
        fees = request_fees(
            order=order,
            chosen=chosen,
            reason=reason,
            reason_code=reason_code,
            now=now,
            policy=policy,
            step=step,
        )
        if fees_shown is not None and fees_shown != fees.total:
            raise ReturnError(FEES_CHANGED)
        if reason == ReturnReason.DEFECT and not comment:
            raise ReturnError(COMMENT_REQUIRED)
        if reason == ReturnReason.DEFECT and remedy not in ClaimRemedy.values:
            raise ReturnError(REMEDY_REQUIRED)
        photos_allowed(kind=kind, count=len(photos))
        request = request_make(
            order=order,
            chosen=chosen,
            reason=reason,
            comment=comment,
            locale=locale,
            submission_key=submission_key,
            step=step,
            remedy=remedy,
            reason_code=reason_code,
            policy_version_id=policy.version_id,
            fees=fees,
        )
        photos_store(request=request, photos=photos, stage=PhotoStage.CLAIM, written=written)
        # The shop's rules may decide it at once; after commit, so they see it as it was saved.
        tasks.request_rules_apply.delay_on_commit(request.pk)
    return request


def reason_code_for(policy: ReturnPolicy, reason: str, code: str) -> str:
    if not code:
        on_track = policy.reasons_on(reason)
        return on_track[0].code if on_track else ""
    option = policy.reason(code)
    if option is None or option.track != reason:
        raise ReturnError(UNKNOWN_REASON)
    return code


def request_make(
    *,
    order,
    chosen,
    reason,
    comment,
    locale,
    submission_key,
    step,
    remedy="",
    reason_code="",
    policy_version_id=None,
    fees: ReturnFees | None = None,
) -> ReturnRequest:
    """Create the request for units already checked, with its fees, and record its first step."""
    with transaction.atomic():
        sequence = (order.return_requests.aggregate(Max("sequence"))["sequence__max"] or 0) + 1
        request = ReturnRequest.objects.create(
            order=order,
            sequence=sequence,
            number=f"R-{order.name.lstrip('#')}-{sequence}",
            kind=ReturnKind.CLAIM if reason == ReturnReason.DEFECT else ReturnKind.RETURN,
            reason=reason,
            remedy=remedy if reason == ReturnReason.DEFECT else "",
            locale=locale,
            customer_email=order.email,
            comment=comment,
            submission_key=submission_key,
            reason_code=reason_code,
            policy_version_id=policy_version_id,
            return_shipping_fee=fees.shipping if fees else 0,
            fee_currency=fees.currency if fees else "",
        )
        value = sum((item.unit_price.amount * quantity for item, quantity in chosen), Decimal(0))
        ReturnLine.objects.bulk_create(
            ReturnLine(
                request=request,
                line_item_id=item.id,
                title=item.title,
                variant_title=item.variant_title or "",
                sku=item.sku or "",
                product_id=item.product_id or "",
                value_share=_share(item.unit_price.amount * quantity, value, len(chosen)),
                quantity=quantity,
                unit_price=item.unit_price.amount,
                currency=item.unit_price.currency,
                restocking_fee=fees.restocking_for(item.id) if fees else 0,
            )
            for item, quantity in chosen
        )
        payload = events.Requested(
            items=tuple(events.ItemCount(title=i.title, quantity=q) for i, q in chosen)
        )
        step_record(request=request, step=step, payload=payload)
    return request


def return_fees_preview(
    *,
    order: ShopifyOrder,
    quantities: dict[str, int],
    reason: str,
    reason_code: str = "",
    now: datetime | None = None,
    policy: ReturnPolicy | None = None,
) -> ReturnFees:
    """The fees a request for these units would be charged, for the shopper to confirm; raises
    ReturnError as return_request_create would."""
    now = now or timezone.now()
    policy = policy or policy_current()
    reason_code = reason_code_for(policy, reason, reason_code)
    chosen = _checked_quantities(order, quantities, reason, now, policy)
    return request_fees(
        order=order,
        chosen=chosen,
        reason=reason,
        reason_code=reason_code,
        now=now,
        policy=policy,
    )


def _share(line_value: Decimal, request_value: Decimal, lines: int) -> Decimal:
    """A line's part of its request's value; an equal part where the items cost nothing."""
    share = line_value / request_value if request_value else Decimal(1) / lines
    return share.quantize(Decimal("0.000001"))


def _checked_quantities(order, quantities, reason, now, policy=None):
    if reason not in ReturnReason.values:
        raise ReturnError(NO_ITEMS)
    snapshot = order_snapshot(order)
    eligibility = {
        e.item.id: e
        for e in order_eligibility(
            snapshot,
            reserved=reserved_quantities(order),
            now=now,
            policy=policy,
            settled=settled_quantities(order),
        )
    }
    chosen = []
    for item_id, quantity in quantities.items():
        if not quantity:
            continue
        if item_id not in eligibility:
            raise ReturnError(UNKNOWN_ITEM)
        allowed = eligibility[item_id]
        title = allowed.item.title
        if allowed.limit(reason) == 0:
            raise ReturnError(NOT_ALLOWED % {"title": title, "why": allowed.blocker(reason)})
        if quantity > allowed.limit(reason):
            raise ReturnError(TOO_MANY % {"title": title, "limit": allowed.limit(reason)})
        chosen.append((allowed.item, quantity))
    if not chosen:
        raise ReturnError(NO_ITEMS)
    return chosen
