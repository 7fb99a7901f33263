"""The shopper's pages. Views read through selectors and change things through services only."""

import threading
import time
import uuid
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import ratelimit, selectors, services, steps, views_fees
from .arrival import request_arrival
from .forms import LookupForm, ReturnForm
from .forms_photos import PHOTOS_AGAIN
from .models import ReturnKind, ShopifyOrder
from .policy import order_closed_reasons, order_eligibility
from .shopify.errors import ShopifyError
from .views_photos import status_photos_context

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
        found = order_lookup(request, form)
        if isinstance(found, ShopifyOrder):
            return _order_session_start(request, found)
        if isinstance(found, HttpResponse):
            return found
        status = found
    return render(request, "returns/start.html", {"form": form}, status=status)


def order_lookup(request, form) -> ShopifyOrder | HttpResponse | int:
    """The order a valid lookup form names, under the lookup limits: the order, a response to
    send instead (429, or "a link was sent"), or the status to show the form again with."""
    started = ratelimit.clock.now()
    name, email = form.cleaned_data["order_number"], form.cleaned_data["email"]
    attempt = ratelimit.attempt_count(ip=ratelimit.client_ip(request), order_name=name)
    if attempt.retry_after:
        wait = attempt.retry_after
        response = render(request, "returns/too_many.html", {"minutes": -(-wait // 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        order = services.shopify_order_lookup(order_number=name, email=email)
    except ShopifyError:
        ratelimit.attempt_succeeded(attempt)  # Shopify's failure, not the shopper's
        form.add_error(None, SHOPIFY_DOWN)
        return 503
    if attempt.order_locked:
        # Guessed at too often: the owner gets a link by email; the page says the same
        # whether the address was right or not.
        if order is not None:
            services.lookup_link_send(order=order)
        ratelimit.answer_no_sooner(started)
        return render(request, "returns/link_sent.html", {"email": email})
    if order is not None:
        ratelimit.attempt_succeeded(attempt)
        return order
    ratelimit.answer_no_sooner(started)
    form.add_error(None, NOT_FOUND)
    return 200


def _order_session_start(request, order: ShopifyOrder):
    if request.session.session_key:
        # The order goes into a new session, not into one someone may have planted. Without a
        # session there is none to plant: the one made now is new anyway, and saved once
        # instead of created and then updated.
        request.session.cycle_key()
    request.session[SESSION_ORDER] = order.pk
    return _in_customer_language(redirect("returns:order"), order)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_link(request, signed):
    """A one-time link from the email: GET shows a button, POST uses the link.

    Mail scanners follow links in emails (GET); only the shopper's click may use the link up.
    """
    if request.method == "GET":
        if services.lookup_link_check(signed=signed) is None:
            return render(request, "returns/link_expired.html", status=410)
        return render(request, "returns/link_open.html")
    order = services.lookup_link_open(signed=signed)
    if order is None:
        return render(request, "returns/link_expired.html", status=410)
    return _order_session_start(request, order)


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
    policy = selectors.policy_current()
    items = order_eligibility(
        snapshot,
        reserved=selectors.reserved_quantities(order),
        now=timezone.now(),
        policy=policy,
        settled=selectors.settled_quantities(order),
    )
    if request.method == "POST":
        # The same form sent again (the back button, then send): the request it made, not an
        # error about units that request now holds.
        made = selectors.request_by_submission(key=request.POST.get("submission_key"))
        if made is not None:
            return redirect("returns:submitted", token=made.token)
    closed_reasons = order_closed_reasons(snapshot, items)
    if request.method == "POST" and not closed_reasons:
        form = ReturnForm(request.POST, request.FILES, items=items, policy=policy)
        if form.is_valid() and "edit" not in request.POST:
            shown = views_fees.fees_shown(request, order.currency)
            fees = views_fees.fees_to_confirm(form, order, policy) if shown is None else None
            if fees is not None:
                return views_fees.confirmation(request, form=form, snapshot=snapshot, fees=fees)
            if not form.errors:
                try:
                    created = services.return_request_create(
                        order=order,
                        quantities=form.quantities(),
                        reason=form.cleaned_data["reason"],
                        reason_code=form.cleaned_data["reason_code"],
                        policy=policy,
                        remedy=form.cleaned_data["remedy"],
                        comment=form.cleaned_data["comment"],
                        locale=translation.get_language(),
                        submission_key=form.cleaned_data["submission_key"],
                        photos=form.checked_photos(),
                        fees_shown=shown if shown is not None else Decimal(0),
                    )
                except services.ReturnError as error:
                    again = views_fees.fees_changed(error) and views_fees.fees_to_confirm(
                        form, order, policy
                    )
                    if again:
                        return views_fees.confirmation(
                            request, form=form, snapshot=snapshot, fees=again, error=error.message
                        )
                    form.add_error(None, error.message)
                else:
                    return redirect("returns:submitted", token=created.token)
        if "submission_key" in form.errors:
            # A tampered or mangled key: hand out a fresh one so the next try can succeed.
            form.data = form.data.copy()
            form.data["submission_key"] = str(uuid.uuid4())
    else:
        form = ReturnForm(items=items, policy=policy, initial={"submission_key": uuid.uuid4()})
    context = {
        "order": snapshot,
        "form": form,
        "closed_reasons": closed_reasons,
        "open_requests": order.return_requests.filter(status__in=selectors.OPEN_STATUSES),
        "photos_max": settings.CLAIM_PHOTOS_MAX,
        "photos_again": PHOTOS_AGAIN,
    }
    return render(request, "returns/order.html", context)


def _request_or_404(token):
    return_request = selectors.request_by_token(token)
    if return_request is None:
        raise Http404
    return return_request


# Status pages hold personal data behind a secret link: no browser or proxy may keep a copy.
@never_cache
def submitted(request, token):
    return_request = _request_or_404(token)
    context = {
        "req": return_request,
        "lines": list(return_request.lines.all()),
        "return_address": settings.SHOP_RETURN_ADDRESS,
        "send_back": selectors.items_wanted_back(return_request),
    }
    return render(request, "returns/submitted.html", context)


class RecentPages:
    """Pages rendered in the last few seconds by this process, newest last, at most `size`.

    A status page is the same for everyone who has its link, so a shopper reloading it, a mail
    scanner following the link or a burst of bots cost one rendering per process every few
    seconds instead of one each (README, "Performance and scale-out"). Nothing invalidates an
    entry: it may show a change up to STATUS_PAGE_CACHE_SECONDS late, no later.
    """

    def __init__(self, size: int = 512):
        self.size = size
        self._pages: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            entry = self._pages.get(key)
        return entry[1] if entry and entry[0] > time.monotonic() else None

    def put(self, key: tuple, html: str, seconds: float) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + seconds, html)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def forget(self, token: str) -> None:
        """Drop this process's copies of one request's page, after a change its visitor made."""
        with self._lock:
            for key in [key for key in self._pages if key[0] == token]:
                del self._pages[key]


recent_status_pages = RecentPages()
# The language switch's CSRF token is the only part of a status page that is the visitor's own: the
# page is rendered with this placeholder, and each response gets the visitor's token in its place.
# A placeholder is all letters, and a page cannot otherwise contain the quoted attribute around it.
CSRF_PLACEHOLDER = "csrftokenplaceholder"
CSRF_FIELD = 'name="csrfmiddlewaretoken" value="{}"'


def status_context(return_request) -> dict:
    """The status page of a request from selectors.status_page_request."""
    return {
        "req": return_request,
        "lines": list(return_request.lines.all()),
        "events": selectors.customer_events(return_request),
        # Only claims are answered with a replacement (services.replacement_ship).
        "replacements": list(return_request.replacements.all())
        if return_request.kind == ReturnKind.CLAIM
        else [],
        "refunded": return_request.refunded_total,
        "arrival": request_arrival(return_request) if return_request.refunded_total else None,
        "can_cancel": steps.CANCEL.allowed(return_request),
        "withdraw_order": return_request.order.name,
        "return_address": settings.SHOP_RETURN_ADDRESS,
        "send_back": selectors.items_wanted_back(return_request),
    }


@never_cache
def status(request, token):
    key = (token, translation.get_language(), request.get_full_path())
    html = recent_status_pages.get(key)
    if html is None:
        return_request = selectors.status_page_request(token)
        if return_request is None:
            raise Http404
        context = {
            **status_context(return_request),
            **status_photos_context(return_request),
            "csrf_token": CSRF_PLACEHOLDER,
        }
        html = render_to_string("returns/status.html", context, request)
        if settings.STATUS_PAGE_CACHE_SECONDS > 0:
            recent_status_pages.put(key, html, settings.STATUS_PAGE_CACHE_SECONDS)
    own_token = CSRF_FIELD.format(get_token(request))
    response = HttpResponse(html.replace(CSRF_FIELD.format(CSRF_PLACEHOLDER), own_token))
    # same-origin: the secret link never leaves in a Referer header to another site (a carrier's
    # tracking page), while the page's own forms still send a real Origin. no-referrer made the
    # browser send "Origin: null", which the CSRF check refuses: the language switch broke.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def cancel(request, token):
    """The shopper withdraws a request still only requested: a confirmation, then the step."""
    return_request = _request_or_404(token)
    if request.method == "POST":
        try:
            services.return_cancel(request_id=return_request.pk)
        except services.ReturnError:
            pass  # Staff acted meanwhile: the status page says where the request stands now.
        recent_status_pages.forget(token)
        return redirect("returns:status", token=token)
    if not steps.CANCEL.allowed(return_request):
        return redirect("returns:status", token=token)
    response = render(request, "returns/cancel.html", {"req": return_request})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
