"""A request's Shopify Return, brought up to where the request is.

In order, each part done only once the one before it is: the Return requested; approved (Shopify
disposes and processes only an open Return, so a request received or refunded while its Return is
still requested is approved first), or declined or canceled; the units disposed once the parcel
arrived (restocked at the restock location, or not restocked, and missing what did not arrive);
units refunded outside the Return (refundCreate, before the portal refunded through Returns)
processed without moving money again; and closed once the request is resolved. A Return already
closed is left alone. The refund of a return's units is made by returnProcess, with the refund
itself (shopify_return_refunds.py).

Whichever step's task runs, it brings the Return all the way, so a task that ran late, twice or
never is caught up by the next. Only refundCreate takes an idempotency key, so each part first
reads what Shopify already has (the Return by its stored id, or, before that id is known, the
order's Return holding exactly this request's units that no other request claims: a returnRequest
whose answer was lost to a timeout) and sends only what is missing. One request's Return is
brought up to date by one process at a time (an advisory lock), so two never both dispose the
same units. Shopify refusing a part leaves the request where the portal put it and tells staff why.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from .. import events, locks, money, steps
from ..fees import restocking_percentage
from ..locks import advisory_lock
from ..models import RefundState, ReturnEvent, ReturnReason, ReturnRequest, ReturnStatus
from ..photo_links import admin_url
from ..selectors import request_policy
from ..shopify import returns as shopify_returns
from ..shopify.client import ShopifyClient, get_client
from ..shopify.orders import order_gid
from ..shopify.returns import CUSTOMER_NOTE_MAX, ReturnSetup, ShopifyReturn
from .common import event_record
from .restock import restock_location
from .shopify_access import shopify_return_in_step_record

__all__ = [
    "CaughtUp",
    "shopify_return_catch_up",
    "shopify_return_lock",
    "shopify_return_refusal_record",
    "shopify_return_sync",
]

# Shopify's return reason library, best match first; a shop may have removed some. The reason
# the shopper chose names its own handle (the return policy's list); these follow it.
REASON_HANDLES = {
    ReturnReason.DEFECT: ("damaged-or-defective", "defective", "other"),
    ReturnReason.NOT_SATISFIED: ("changed-mind", "unwanted", "other"),
}
HOLDS_UNITS = ("REQUESTED", "OPEN")
# The portal's rejection has no Shopify reason of its own; the staff's message says it.
DECLINE_REASON = "OTHER"


def shopify_return_lock(request_pk: int):
    """One process at a time brings this request's Return up to date."""
    return advisory_lock(locks.RETURN_SYNC, request_pk)


@dataclass
class CaughtUp:
    """The Return as the catch-up left it (None: the request has none), and what it sent."""

    found: ShopifyReturn | None = None
    done: list[str] = field(default_factory=list)


def shopify_return_sync(*, event_id: int) -> None:
    """The task of a step declared with `shopify_return`: the Return brought up to date."""
    event = ReturnEvent.objects.only("request_id").get(pk=event_id)
    shopify_return_catch_up(request_id=event.request_id)


def shopify_return_catch_up(
    *, request_id: int, close: bool = True, client: ShopifyClient | None = None
) -> CaughtUp:
    """Bring the request's Shopify Return up to where the request is; raises ShopifyRejected when
    Shopify refuses a part (what came before it stays done). close=False stops short of closing."""
    with shopify_return_lock(request_id):
        # Read under the lock: what the holder before us changed is committed by now.
        request = ReturnRequest.objects.select_related("order").get(pk=request_id)
        caught = CaughtUp()
        if steps.returns_goods(request):
            _Sync(request, client or get_client(), caught).run(close=close)
            shopify_return_in_step_record(request=request)
        return caught


def shopify_return_refusal_record(*, event_id: int, error: str) -> None:
    """Note in the audit trail that Shopify did not take the event's step on the Return."""
    event = ReturnEvent.objects.select_related("request").get(pk=event_id)
    event_record(
        request=event.request,
        step=steps.SHOPIFY_RETURN_REFUSED,
        payload=events.ShopifyWriteFailed(event=event_id, error=error),
    )


def restocked_outside(request: ReturnRequest) -> dict[str, int]:
    """Units per line item that refundCreate refunds of this request restocked themselves: a
    disposition must not restock them again."""
    restocked: dict[str, int] = defaultdict(int)
    for refund in request.refunds.filter(
        state=RefundState.SUCCEEDED, restock=True, shopify_return_id=""
    ):
        for line in refund.lines:
            restocked[line["line_item_id"]] += line["quantity"]
    return restocked


class _Sync:
    def __init__(self, request: ReturnRequest, client: ShopifyClient, caught: CaughtUp):
        self.request, self.client, self.caught = request, client, caught
        self._setup: ReturnSetup | None = None

    @property
    def setup(self) -> ReturnSetup:
        if self._setup is None:
            self._setup = shopify_returns.shop_return_setup(client=self.client)
        return self._setup

    def _now(self, found: ShopifyReturn, done: str = "") -> ShopifyReturn:
        self.caught.found = found
        if done:
            self.caught.done.append(done)
        return found

    def run(self, *, close: bool) -> None:
        request, client = self.request, self.client
        found = _return_found(request, client)
        self.caught.found = found
        status = request.status
        if status == ReturnStatus.CANCELLED:
            # Never requested just to be canceled.
            if found is not None and found.status in HOLDS_UNITS:
                self._now(
                    shopify_returns.return_cancel(return_id=found.id, client=client), "canceled"
                )
            return
        if found is None:
            found = self._now(_return_requested(request, client, self.setup), "requested")
        if status == ReturnStatus.REJECTED:
            if found.status == "REQUESTED":
                declined = shopify_returns.return_decline(
                    return_id=found.id,
                    reason=DECLINE_REASON,
                    note=request.rejection_reason,
                    client=client,
                )
                self._now(declined, "declined")
            elif found.status == "OPEN":  # approved before: Shopify declines only a request
                self._now(
                    shopify_returns.return_cancel(return_id=found.id, client=client), "canceled"
                )
            return
        if status == ReturnStatus.REQUESTED or found.status == "CLOSED":
            return
        if found.status != "OPEN":
            # Sent for Shopify to refuse if it must (staff declined or canceled it in Shopify's
            # admin): staff then read Shopify's reason.
            found = self._now(
                shopify_returns.return_approve(return_id=found.id, client=client), "approved"
            )
        found = self._disposed(found)
        found = self._processed(found)
        if close and status == ReturnStatus.RESOLVED and not self._refund_coming():
            self._now(shopify_returns.return_close(return_id=found.id, client=client), "closed")

    def _disposed(self, found: ShopifyReturn) -> ShopifyReturn:
        """What arrived restocked or not as staff chose for each line, what did not arrive
        missing; only what the Return has not been told yet."""
        request = self.request
        outside = restocked_outside(request)
        inputs, counts = [], defaultdict(int)
        for line in request.lines.all():
            returned = found.line_for(line.line_item_id)
            reverse = returned and found.reverse_line_for(returned)
            if line.received_quantity is None or reverse is None:
                continue
            # Each line as staff received it (damaged units are not restocked by default);
            # receipts recorded before lines had their own choice follow the request's.
            restock = request.restock if line.restock is None else line.restock
            kept = "RESTOCKED" if restock else "NOT_RESTOCKED"
            arrived = line.received_quantity - min(
                outside[line.line_item_id], line.received_quantity
            )
            room = reverse.quantity - reverse.disposed
            for kind, wanted in (
                (kept, arrived),
                ("MISSING", line.quantity - line.received_quantity),
            ):
                quantity = min(wanted - reverse.disposed_as(kind), room)
                if quantity <= 0:
                    continue
                room -= quantity
                given = {
                    "reverseFulfillmentOrderLineItemId": reverse.id,
                    "quantity": quantity,
                    "dispositionType": kind,
                }
                if kind == "RESTOCKED":
                    given["locationId"] = restock_location(self.setup)
                inputs.append(given)
                counts[kind] += quantity
        if not inputs:
            return found
        shopify_returns.reverse_lines_dispose(dispositions=inputs, client=self.client)
        told = ", ".join(
            f"{count} {kind.lower().replace('_', ' ')}" for kind, count in counts.items()
        )
        return self._now(with_dispositions(found, inputs), f"disposed ({told})")

    def _processed(self, found: ShopifyReturn) -> ShopifyReturn:
        """Units refunded outside the Return (refundCreate) processed, without a refund: the money
        has moved already. Refunds made through the Return processed their units themselves."""
        refunded: dict[str, int] = defaultdict(int)
        for refund in self.request.refunds.filter(state=RefundState.SUCCEEDED):
            for line in refund.lines:
                refunded[line["line_item_id"]] += line["quantity"]
        items = []
        for line_item_id, quantity in refunded.items():
            returned = found.line_for(line_item_id)
            missing = min(quantity, returned.quantity) - returned.processed if returned else 0
            if missing > 0:
                items.append({"id": returned.id, "quantity": missing})
        if not items:
            return found
        processed = shopify_returns.return_process(
            process_input={"returnId": found.id, "returnLineItems": items, "notifyCustomer": False},
            client=self.client,
        )
        units = sum(item["quantity"] for item in items)
        return self._now(processed, f"processed {units} without a refund (refunded before)")

    def _refund_coming(self) -> bool:
        # A first refund still being made may be made through this Return: left open for it.
        return any(r.lines for r in self.request.refunds.filter(state=RefundState.PENDING))


def with_dispositions(found: ShopifyReturn, inputs: list[dict]) -> ShopifyReturn:
    """The Return as Shopify has it once `inputs` (ReverseFulfillmentOrderDisposeInput) are made."""
    added: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for given in inputs:
        added[given["reverseFulfillmentOrderLineItemId"]].append(
            (given["dispositionType"], given["quantity"])
        )
    reverse = tuple(
        dataclasses.replace(
            line,
            disposed=line.disposed + sum(q for _, q in added[line.id]),
            dispositions=(*line.dispositions, *added[line.id]),
        )
        for line in found.reverse_lines
    )
    return dataclasses.replace(found, reverse_lines=reverse)


def _units(request: ReturnRequest) -> set[tuple[str, int]]:
    return {(line.line_item_id, line.quantity) for line in request.lines.all()}


def _return_found(request: ReturnRequest, client) -> ShopifyReturn | None:
    if request.shopify_return_id:
        return shopify_returns.return_get(request.shopify_return_id, client=client)
    claimed = set(
        ReturnRequest.objects.exclude(pk=request.pk)
        .exclude(shopify_return_id="")
        .values_list("shopify_return_id", flat=True)
    )
    wanted = _units(request)
    for candidate in shopify_returns.order_returns(
        order_gid(request.order.shopify_id), client=client
    ):
        held = {(line.line_item_id, line.quantity) for line in candidate.lines}
        if candidate.id not in claimed and candidate.status in HOLDS_UNITS and held == wanted:
            _remember(request, candidate)
            return candidate
    return None


def _return_requested(request: ReturnRequest, client, setup: ReturnSetup) -> ShopifyReturn:
    order = order_gid(request.order.shopify_id)
    reason = next((setup.reasons[h] for h in reason_handles(request) if h in setup.reasons), None)
    returnable = {
        line.line_item_id: line.fulfillment_line_item_id
        for line in shopify_returns.returnable_lines(order, client=client)
    }
    lines = []
    for line in request.lines.all():
        given = {
            "fulfillmentLineItemId": returnable.get(line.line_item_id, ""),
            "quantity": line.quantity,
        }
        if line.restocking_fee:
            # Shopify takes a restocking fee only as a percentage of the line (a Float): the one
            # that gives exactly the amount the shopper was shown (returns/fees.py).
            percentage = restocking_percentage(line.restocking_fee, line.unit_price * line.quantity)
            given["restockingFee"] = {"percentage": percentage}
        if reason:
            given["returnReasonDefinitionId"] = reason
        note = customer_note(request)
        if note:
            given["customerNote"] = note
        lines.append(given)
    made = shopify_returns.return_request(
        order_gid=order,
        lines=lines,
        return_shipping_fee=return_shipping_fee(request),
        client=client,
    )
    _remember(request, made)
    return made


def reason_handles(request: ReturnRequest) -> tuple[str, ...]:
    """The Shopify return reasons for the request, best first: the handle of the reason the
    shopper chose under the policy the request was decided under, then the track's defaults."""
    chosen = request_policy(request).reason(request.reason_code)
    mine = (chosen.shopify_handle,) if chosen and chosen.shopify_handle else ()
    return mine + REASON_HANDLES[request.reason]


def return_shipping_fee(request: ReturnRequest) -> dict | None:
    """The request's return shipping fee as Shopify's MoneyInput: an amount in the order's
    presentment currency, which is the currency the fee was stored in."""
    if not request.return_shipping_fee:
        return None
    currency = request.fee_currency
    return {
        "amount": money.to_shopify(request.return_shipping_fee, currency),
        "currencyCode": currency,
    }


def customer_note(request: ReturnRequest) -> str:
    """The Return's customer note: the shopper's comment and, for a claim with photos, a line
    telling staff in Shopify where to see them. Shopify keeps 300 characters: the comment is
    cut to leave room for that line, which staff need whole."""
    count = request.photos.count()
    if not count:
        return request.comment
    with translation.override(settings.LANGUAGE_CODE):
        line = ngettext(
            "%(count)d photo in the returns portal: %(url)s",
            "%(count)d photos in the returns portal: %(url)s",
            count,
        ) % {"count": count, "url": admin_url(request)}
    room = CUSTOMER_NOTE_MAX - len(line) - 1  # one for the line break
    comment = request.comment
    if len(comment) > room:
        # The whole comment is on the portal's screen the line links to.
        comment = comment[: room - 1].rstrip() + "…" if room > 1 else ""
    return f"{comment}\n{line}" if comment else line[:CUSTOMER_NOTE_MAX]


def _remember(request: ReturnRequest, found: ShopifyReturn) -> None:
    ReturnRequest.objects.filter(pk=request.pk).update(shopify_return_id=found.id)
    request.shopify_return_id = found.id
