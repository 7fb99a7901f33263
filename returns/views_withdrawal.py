"""The withdrawal function (Art. 11a Directive 2011/83/EU, § 356a BGB): two steps, no account.

Step 1 identifies the contract (name, order number and email address, through the same lookup
and limits as the returns start page) and says what is withdrawn from: the whole order unless the
consumer picks items; a reason is optional. Step 2 is the confirmation button. Views read through
selectors and change things through services only.
"""

import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms_withdrawal import WithdrawalChoiceForm, WithdrawalLookupForm
from .models import ShopifyOrder, WithdrawalDeclaration
from .services.withdrawals import withdrawable_items
from .views import SESSION_ORDER, _in_customer_language, order_lookup
from .withdrawal_receipt import received_words

SESSION = "withdrawal"
EXPIRED = _("Please start again: we no longer know which order you meant.")


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_start(request):
    if request.method == "POST":
        form = WithdrawalLookupForm(request.POST)
        status = 200
        if form.is_valid():
            found = order_lookup(request, form)
            if isinstance(found, ShopifyOrder):
                if request.session.session_key:
                    request.session.cycle_key()
                request.session[SESSION] = {
                    "order": found.pk,
                    "name": form.cleaned_data["consumer_name"],
                    "email": form.cleaned_data["email"],
                }
                return _in_customer_language(redirect("returns:withdraw_choose"), found)
            if not isinstance(found, int):
                return found
            status = found
        return render(request, "returns/withdraw_start.html", {"form": form}, status=status)
    initial = {"order_number": request.GET.get("order", "")[:32]}
    # Already identified for a return in this session: only the name is still missing.
    known = ShopifyOrder.objects.filter(pk=request.session.get(SESSION_ORDER)).first()
    if known is not None:
        initial = {"order_number": known.name, "email": known.email}
    form = WithdrawalLookupForm(initial={k: v for k, v in initial.items() if v})
    return render(request, "returns/withdraw_start.html", {"form": form})


def _session_order(request):
    data = request.session.get(SESSION) or {}
    order = ShopifyOrder.objects.filter(pk=data.get("order")).first()
    return data, order


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_choose(request):
    data, order = _session_order(request)
    if order is None:
        return redirect("returns:withdraw")
    blocker, items = withdrawable_items(order)
    form = None
    if blocker is None:
        form = WithdrawalChoiceForm(request.POST or None, items=items)
        if request.method == "POST" and form.is_valid():
            request.session[SESSION] = {
                **data,
                "quantities": form.quantities(),
                "reason": form.cleaned_data["reason"],
                "key": str(uuid.uuid4()),
            }
            return redirect("returns:withdraw_confirm")
    context = {"order": selectors.order_snapshot(order), "form": form, "blocker": blocker}
    return render(request, "returns/withdraw_choose.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_confirm(request):
    data, order = _session_order(request)
    if order is None or "key" not in data:
        return redirect("returns:withdraw")
    error = None
    if request.method == "POST":
        try:
            key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = None
        if key is not None:
            try:
                declaration = services.withdrawal_declare(
                    order=order,
                    consumer_name=data["name"],
                    email=data["email"],
                    quantities=data.get("quantities"),
                    reason=data.get("reason", ""),
                    locale=translation.get_language(),
                    submission_key=key,
                )
            except services.ReturnError as refused:
                error = refused.message
            else:
                return redirect("returns:withdraw_done", token=declaration.return_request.token)
        else:
            error = EXPIRED
    blocker, items = withdrawable_items(order)
    quantities = data.get("quantities")
    chosen = [
        (
            item.entry.item,
            item.quantity if quantities is None else quantities.get(item.entry.item.id, 0),
        )
        for item in items
    ]
    context = {
        "order": selectors.order_snapshot(order),
        "name": data["name"],
        "email": data["email"],
        "whole": quantities is None,
        "chosen": [(item, n) for item, n in chosen if n],
        "reason": data.get("reason", ""),
        "key": data["key"],
        "error": error or blocker,
        "now": timezone.now(),
    }
    return render(request, "returns/withdraw_confirm.html", context)


@never_cache
def withdraw_done(request, token):
    # The status link's token, checked as the status page checks it (no NUL reaches the query).
    req = selectors.request_by_token(token)
    declaration = (
        WithdrawalDeclaration.objects.select_related("order", "return_request")
        .filter(return_request=req)
        .first()
        if req
        else None
    )
    if declaration is None:
        raise Http404
    context = {
        "declaration": declaration,
        "received": received_words(declaration.received_at),
        "req": declaration.return_request,
    }
    response = render(request, "returns/withdraw_done.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response
