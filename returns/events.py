"""The typed shape of each kind of ReturnEvent's data, and the one place that reads it.

A service builds a payload and event_record stores `payload.to_data()`; everything that reads an
event (the note line on the Shopify order, emails, the sweep) asks `payload_of(event)` for the
payload back. The stored JSON keeps plain types: amounts as strings, dates in ISO format.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Self


@dataclasses.dataclass(frozen=True)
class Payload:
    """What an event records. Subclasses are frozen dataclasses of plain, typed fields."""

    def to_data(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        hints = _hints(cls)
        # Keys a privacy erasure removed, or a newer release added, are simply left out.
        return cls(
            **{
                f.name: _load(hints[f.name], data[f.name])
                for f in dataclasses.fields(cls)
                if f.name in data
            }
        )


@cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dump(value):
    if isinstance(value, Payload):
        return value.to_data()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    return value


def _load(hint, value):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
    if origin in (list, tuple):
        item = typing.get_args(hint)[0]
        return tuple(_load(item, entry) for entry in value)
    if isinstance(hint, type) and issubclass(hint, Payload):
        return hint.from_data(value)
    if hint is Decimal:
        return Decimal(value)
    if hint is date:
        return date.fromisoformat(value)
    return value


@dataclasses.dataclass(frozen=True)
class Nothing(Payload):
    """A step that records no more than that it happened."""


@dataclasses.dataclass(frozen=True)
class ItemCount(Payload):
    title: str
    quantity: int


@dataclasses.dataclass(frozen=True)
class Requested(Payload):
    items: tuple[ItemCount, ...] = ()


@dataclasses.dataclass(frozen=True)
class Rejected(Payload):
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class ItemReceived(Payload):
    """How many units of an item arrived, in what condition, and whether they were restocked.
    Records made before conditions were taken have no quantity, condition or restock."""

    title: str
    received: int
    quantity: int | None = None
    condition: str = ""
    restock: bool | None = None

    def to_data(self) -> dict[str, Any]:
        # A receipt in Shopify's admin says only how many arrived: the record says no more.
        return {key: value for key, value in super().to_data().items() if value not in (None, "")}


@dataclasses.dataclass(frozen=True)
class Received(Payload):
    restock: bool = False
    lines: tuple[ItemReceived, ...] = ()


@dataclasses.dataclass(frozen=True)
class PhotosAsked(Payload):
    """Staff asked the shopper for more photos of the defect, saying what they should show."""

    message: str = ""


@dataclasses.dataclass(frozen=True)
class PhotosAdded(Payload):
    """The shopper sent the photos staff asked for."""

    count: int = 0


@dataclasses.dataclass(frozen=True)
class ReplacementShipped(Payload):
    replacement: int
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_on: date


@dataclasses.dataclass(frozen=True)
class ReplacementOrdered(Payload):
    """A replacement being made as an order in Shopify (its Replacement row), and, once Shopify
    has made it, the order's number; or why Shopify did not."""

    replacement: int
    order_name: str = ""
    error: str = ""


@dataclasses.dataclass(frozen=True)
class RefundMoved(Payload):
    """A refund asked for, made or refused: which one, and how much."""

    refund: int
    amount: Decimal
    currency: str
    error: str = ""
    # Why staff refunded units that did not arrive; empty when the refund is within what arrived.
    override_reason: str = ""

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        for optional in ("error", "override_reason"):
            if not data[optional]:
                del data[optional]
        return data


@dataclasses.dataclass(frozen=True)
class RefundLateSuccess(Payload):
    """A refund recorded as failed that Shopify made after all."""

    refund: int
    amount: Decimal
    currency: str
    error: str
    shopify_refund: str


@dataclasses.dataclass(frozen=True)
class RefundAttemptFailed(Payload):
    refund: int
    attempt: int
    error: str


@dataclasses.dataclass(frozen=True)
class ShopifyWritten(Payload):
    event: int
    note: str
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ShopifyWriteFailed(Payload):
    event: int
    error: str


@dataclasses.dataclass(frozen=True)
class ScopeMissing(Payload):
    """A step on the request's Shopify Return that waits for an access scope the app lacks."""

    event: int
    scopes: tuple[str, ...]
    error: str


@dataclasses.dataclass(frozen=True)
class ShopifyReturnResumed(Payload):
    """Steps on the Shopify Return sent again, in order, once the missing scopes were granted."""

    events: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class OrderCancelFailed(Payload):
    error: str = ""


@dataclasses.dataclass(frozen=True)
class NoteRepaired(Payload):
    """A line the portal had written, missing from the order's note, put back by the sweep."""

    event: int
    note: str


@dataclasses.dataclass(frozen=True)
class ShopRedacted(Payload):
    """Shopify's shop/redact, acted on after the app was uninstalled."""

    webhook_id: str


@dataclasses.dataclass(frozen=True)
class PhotosDeleted(Payload):
    """Claim photos deleted from the photo store; `days`: kept that long after the request closed
    (empty when they went with the shopper's personal data)."""

    photos: int
    days: int | None = None


@dataclasses.dataclass(frozen=True)
class EmailSent(Payload):
    kind: str
    event: int | None = None


@dataclasses.dataclass(frozen=True)
class RuleDecided(Payload):
    """What the shop's rules decided on a new request (returns/rules/): the rule that decided
    (its id, position and words as they were), the decision, and why a person decides instead."""

    decision: str
    rule: int | None = None
    position: int | None = None
    text: str = ""
    why: str = ""


def payload_of(event) -> Payload:
    """The typed payload of a ReturnEvent, by the step its type belongs to."""
    from .steps import step_for_event

    return step_for_event(event.type).payload.from_data(event.data or {})
