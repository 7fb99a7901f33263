"""The shopper's pages. Views read through selectors and change things through services only."""

import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import ratelimit, selectors, services, steps
from .forms import LookupForm, ReturnForm
from .models import ReturnKind, ShopifyOrder
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
                if request.session.session_key:
                    # The order goes into a new session, not into one someone may have planted.
                    # Without a session there is none to plant: the one made now is new anyway,
                    # and saved once instead of created and then updated.
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


def status(request, token):
    key = (token, translation.get_language(), request.get_full_path())
    html = recent_status_pages.get(key)
    if html is None:
        return_request = selectors.status_page_request(token)
        if return_request is None:
            raise Http404
        context = {
            "req": return_request,
            "lines": list(return_request.lines.all()),
            "events": selectors.customer_events(return_request),
            # Only claims are answered with a replacement (services.replacement_ship).
            "replacements": list(return_request.replacements.all())
            if return_request.kind == ReturnKind.CLAIM
            else [],
            "refunded": return_request.refunded_total,
            "can_cancel": steps.CANCEL.allowed(return_request),
            "return_address": settings.SHOP_RETURN_ADDRESS,
            "csrf_token": CSRF_PLACEHOLDER,
        }
        html = render_to_string("returns/status.html", context, request)
        if settings.STATUS_PAGE_CACHE_SECONDS > 0:
            recent_status_pages.put(key, html, settings.STATUS_PAGE_CACHE_SECONDS)
    own_token = CSRF_FIELD.format(get_token(request))
    response = HttpResponse(html.replace(CSRF_FIELD.format(CSRF_PLACEHOLDER), own_token))
    response["Referrer-Policy"] = "no-referrer"
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
