"""The request form's confirmation step: a request with fees is shown with them, in the
shopper's language and currency, before it is sent; the shopper confirms exactly those amounts."""

from decimal import Decimal

from django.shortcuts import render

from . import money, services
from .fees import ReturnFees
from .services.request_fees import FEES_CHANGED

CONFIRMED = "fees_confirmed"
SHOWN = "fees_shown"
# Not sent back with the confirmation: the form's own token, and the step's own fields.
NOT_ECHOED = {"csrfmiddlewaretoken", CONFIRMED, SHOWN, "edit"}


def fees_shown(request, currency: str) -> Decimal | None:
    """The fee total the shopper confirmed, or None when they have not seen a confirmation."""
    if request.POST.get(CONFIRMED) != "1":
        return None
    try:
        return money.parse_canonical(request.POST.get(SHOWN, ""), currency=currency)
    except money.AmountError:
        return Decimal(-1)  # tampered with: never equal to the fees, so they are shown again


def fees_to_confirm(form, order, policy) -> ReturnFees | None:
    """The fees of the request the valid form describes when the shopper must see them first;
    None when there are none, or the form's error (added to the form) stands in the way."""
    try:
        fees = services.return_fees_preview(
            order=order,
            quantities=form.quantities(),
            reason=form.cleaned_data["reason"],
            reason_code=form.cleaned_data["reason_code"],
            policy=policy,
        )
    except services.ReturnError as error:
        form.add_error(None, error.message)
        return None
    return fees if fees.total else None


def confirmation(request, *, form, snapshot, fees: ReturnFees, error=None):
    chosen = [
        (entry.item, quantity)
        for entry in form.items
        if (quantity := form.cleaned_data.get(form.field_name(entry)) or 0)
    ]
    echoed = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_ECHOED
        for value in values
    ]
    context = {
        "order": snapshot,
        "chosen": chosen,
        "fees": fees,
        "restocking": fees.restocking_total,
        "shown": money.to_shopify(fees.total, fees.currency),
        "echoed": echoed,
        "error": error,
    }
    return render(request, "returns/order_confirm.html", context)


def fees_changed(error) -> bool:
    return str(error.message) == str(FEES_CHANGED)
