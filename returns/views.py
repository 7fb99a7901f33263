"""The shopper's pages. Views read through selectors and change things through services only."""

import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import ratelimit, selectors, services
from .forms import LookupForm, ReturnForm
from .models import ShopifyOrder
from .policy import ReturnPolicy, order_blocker, order_eligibility
from .shopify.errors import ShopifyError

NOT_FOUND = _(
    "We could not find an order with this order number and email address. "
    "Please check both; you find them in your order confirmation email."
)
SHOPIFY_DOWN = _(
    "We cannot look up orders right now. Please try again in a few minutes; nothing was lost."
)
SESSION_ORDER = "returns.order"


@require_http_methods(["GET", "POST"])
def start(request):
    if request.method == "GET":
        prefill = {
            "order_number": request.GET.get("order", ""),
            "email": request.GET.get("email", ""),
        }
        form = LookupForm(initial={k: v[:254] for k, v in prefill.items() if v})
        return render(request, "returns/start.html", {"form": form})
    form = LookupForm(request.POST)
    status = 200
    if form.is_valid():
        ip = ratelimit.client_ip(request)
        name = form.cleaned_data["order_number"]
        wait = ratelimit.retry_after(ip=ip, order_name=name)
        if wait:
            response = render(
                request, "returns/too_many.html", {"minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        try:
            order = services.shopify_order_lookup(
                order_number=name, email=form.cleaned_data["email"]
            )
        except ShopifyError:
            form.add_error(None, SHOPIFY_DOWN)
            status = 503
        else:
            if order is not None:
                request.session.cycle_key()
                request.session[SESSION_ORDER] = order.pk
                return _in_customer_language(redirect("returns:order"), order)
            ratelimit.failure_record(ip=ip, order_name=name)
            form.add_error(None, NOT_FOUND)
    return render(request, "returns/start.html", {"form": form}, status=status)


def _in_customer_language(response, order: ShopifyOrder):
    """Switch to the customer's language from Shopify when the portal speaks it."""
    language = (order.customer_locale or "").split("-")[0].lower()
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@require_http_methods(["GET", "POST"])
def order_page(request):
    order = ShopifyOrder.objects.filter(pk=request.session.get(SESSION_ORDER)).first()
    if order is None:
        return redirect("returns:start")
    snapshot = selectors.order_snapshot(order)
    items = order_eligibility(
        snapshot,
        reserved=selectors.reserved_quantities(order),
        now=timezone.now(),
        policy=ReturnPolicy.from_settings(),
    )
    if request.method == "POST":
        form = ReturnForm(request.POST, items=items)
        if form.is_valid():
            try:
                created = services.return_request_create(
                    order=order,
                    quantities=form.quantities(),
                    reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                    locale=translation.get_language(),
                    submission_key=form.cleaned_data["submission_key"],
                )
            except services.ReturnError as error:
                form.add_error(None, error.message)
            else:
                return redirect("returns:submitted", token=created.token)
        if "submission_key" in form.errors:
            # A tampered or mangled key: hand out a fresh one so the next try can succeed.
            form.data = form.data.copy()
            form.data["submission_key"] = str(uuid.uuid4())
    else:
        form = ReturnForm(items=items, initial={"submission_key": uuid.uuid4()})
    context = {
        "order": snapshot,
        "form": form,
        "blocker": order_blocker(snapshot),
        "open_requests": order.return_requests.filter(status__in=selectors.OPEN_STATUSES),
    }
    return render(request, "returns/order.html", context)


def _request_or_404(token):
    return_request = selectors.request_by_token(token)
    if return_request is None:
        raise Http404
    return return_request


def submitted(request, token):
    return_request = _request_or_404(token)
    context = {
        "req": return_request,
        "lines": list(return_request.lines.all()),
        "return_address": settings.SHOP_RETURN_ADDRESS,
    }
    return render(request, "returns/submitted.html", context)


def status(request, token):
    return_request = _request_or_404(token)
    context = {
        "req": return_request,
        "lines": list(return_request.lines.all()),
        "events": selectors.customer_events(return_request),
        "replacements": list(return_request.replacements.all()),
        "refunded": selectors.refunded_total(return_request),
        "return_address": settings.SHOP_RETURN_ADDRESS,
    }
    response = render(request, "returns/status.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
