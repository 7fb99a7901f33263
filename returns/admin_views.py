"""The transition screens of the back office: one view per step, each behind its permission.

Views only check the permissions, validate the form and call one service; the service asks the
step (returns/steps.py) whether it is allowed now and says why not.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import money, services, steps
from .admin_forms import ReceiveForm, RefundConfirmForm, RefundForm, RejectForm, ReplacementForm
from .arrival import request_arrival
from .models import ReturnRequest
from .shopify.errors import ShopifyError
from .todo import TodoList, next_request, todo_list


def change_url(return_request, todo: TodoList | None = None) -> str:
    url = reverse("admin:returns_returnrequest_change", args=[return_request.pk])
    return f"{url}?{urlencode({'todo': todo.key})}" if todo else url


def next_url(todo: TodoList, *, after=None) -> str:
    """Opens the next request of the to-do list, skipping `after` (the request just handled)."""
    query = {"todo": todo.key, **({"after": after.pk} if after is not None else {})}
    return f"{reverse('admin:returns_returnrequest_next')}?{urlencode(query)}"


def _this_again(request, return_request) -> str:
    """The request's screen, still within the to-do list staff came from."""
    return change_url(return_request, todo_list(request.GET.get("todo")))


def _step_url(name: str, return_request, request) -> str:
    """A step's screen for the request, still within the to-do list staff came from."""
    url = reverse(f"admin:returns_returnrequest_{name}", args=[return_request.pk])
    todo = todo_list(request.GET.get("todo"))
    return f"{url}?{urlencode({'todo': todo.key})}" if todo else url


def after_step(request, return_request):
    """After a step: the next request of the to-do list staff came from, else this one again."""
    todo = todo_list(request.GET.get("todo"))
    if todo is None:
        return redirect(change_url(return_request))
    return redirect(next_url(todo, after=return_request))


def transition_view(step: steps.Step):
    """Load the request, check the view and the step's permission, and turn ReturnError into a
    message."""

    def decorator(view):
        @wraps(view)
        def wrapper(model_admin, request, object_id):
            if not step.permitted(request.user):
                raise PermissionDenied
            try:
                # The URL takes any text (the admin's own routes do too); only an id is an id.
                pk = ReturnRequest._meta.pk.to_python(object_id)
            except ValidationError:
                raise Http404 from None
            return_request = get_object_or_404(ReturnRequest.objects.select_related("order"), pk=pk)
            try:
                return view(model_admin, request, return_request)
            except services.ReturnError as error:
                model_admin.message_user(request, error.message, messages.ERROR)
                return redirect(_this_again(request, return_request))

        return wrapper

    return decorator


def _in_shop_currency(quote, amount) -> str:
    """The amount as Shopify books it in the shop's currency ("50,12 EUR"), or "" if the customer
    paid in the shop's currency."""
    shop = quote.money(amount).shop
    return money.format_with_code(shop.amount, shop.currency) if shop else ""


def _render(model_admin, request, return_request, title, form, template="step", **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": return_request,
        "title": title,
        "form": form,
        "change_url": change_url(return_request, todo_list(request.GET.get("todo"))),
        **context,
    }
    return TemplateResponse(request, f"admin/returns/returnrequest/{template}.html", context)


class TransitionViews:
    """Mixed into ReturnRequestAdmin; get_urls wires these up."""

    def next_view(self, request):
        """The next request of a to-do list (?todo=<key>), or the list itself once it is empty."""
        if not request.user.has_perm(steps.VIEW_PERMISSION):
            raise PermissionDenied
        todo = todo_list(request.GET.get("todo"))
        changelist = reverse("admin:returns_returnrequest_changelist")
        if todo is None:
            return redirect(changelist)
        try:
            after = int(request.GET.get("after", ""))
        except ValueError:
            after = None
        following = next_request(todo, after=after)
        if following is None:
            self.message_user(
                request, _("Nothing left in “%(list)s”.") % {"list": todo.label}, messages.INFO
            )
            return redirect(f"{changelist}?{urlencode({'todo': todo.key})}")
        return redirect(change_url(following, todo))

    @transition_view(steps.APPROVE)
    def approve_view(self, request, return_request):
        if request.method != "POST":
            return redirect(_this_again(request, return_request))
        services.return_approve(request_id=return_request.pk, user=request.user)
        self.message_user(request, _("%(number)s approved.") % {"number": return_request.number})
        return after_step(request, return_request)

    @transition_view(steps.REJECT)
    def reject_view(self, request, return_request):
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.return_reject(
                request_id=return_request.pk, user=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request, _("%(number)s rejected.") % {"number": return_request.number}
            )
            return after_step(request, return_request)
        return _render(
            self,
            request,
            return_request,
            _("Reject %(number)s") % {"number": return_request.number},
            form,
        )

    @transition_view(steps.RECEIVE)
    def receive_view(self, request, return_request):
        form = ReceiveForm(request.POST or None, request=return_request)
        if request.method == "POST" and form.is_valid():
            received = services.return_receive(
                request_id=return_request.pk,
                user=request.user,
                received=form.received(),
                conditions=form.conditions(),
                restocks=form.restocks(),
            )
            self.message_user(
                request, _("%(number)s marked received.") % {"number": return_request.number}
            )
            if steps.REFUND.permitted(request.user) and steps.REFUND.allowed(received):
                # One screen per parcel: what arrived is refunded next, in the same flow.
                return redirect(_step_url("refund", return_request, request))
            return after_step(request, return_request)
        title = _("Parcel received for %(number)s") % {"number": return_request.number}
        return _render(self, request, return_request, title, form, template="receive")

    @transition_view(steps.SHIP)
    def ship_view(self, request, return_request):
        form = ReplacementForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.replacement_ship(
                request_id=return_request.pk, user=request.user, **form.cleaned_data
            )
            self.message_user(
                request, _("Replacement for %(number)s logged.") % {"number": return_request.number}
            )
            return after_step(request, return_request)
        title = _("Ship a replacement for %(number)s") % {"number": return_request.number}
        return _render(self, request, return_request, title, form)

    @transition_view(steps.REPLACEMENT_ORDER)
    def replacement_order_view(self, request, return_request):
        if request.method == "POST":
            services.replacement_order_create(request_id=return_request.pk, user=request.user)
            self.message_user(
                request,
                _("The replacement order for %(number)s is being made in Shopify.")
                % {"number": return_request.number},
            )
            return after_step(request, return_request)
        ship_url = ""
        if steps.SHIP.allowed(return_request):
            ship_url = reverse("admin:returns_returnrequest_ship", args=[return_request.pk])
        title = _("Replacement order in Shopify for %(number)s") % {"number": return_request.number}
        return _render(
            self,
            request,
            return_request,
            title,
            None,
            template="replacement_order",
            ship_url=ship_url,
        )

    @transition_view(steps.REFUND)
    def refund_view(self, request, return_request):
        try:
            # Live from Shopify each time the form opens or is sent: what it suggests and allows.
            quote = services.refund_quote(request=return_request)
        except ShopifyError as error:
            self.message_user(
                request,
                _("Shopify could not be asked for the refundable amount: %(error)s")
                % {"error": error.message},
                messages.ERROR,
            )
            return redirect(_this_again(request, return_request))
        limits = {
            "maximum": quote.maximum,
            "currency": quote.currency,
            "maximum_override": quote.maximum_override,
        }
        title = _("Refund %(number)s") % {"number": return_request.number}
        if request.method == "POST" and "confirm" in request.POST:
            form = RefundConfirmForm(request.POST, **limits)
            if form.is_valid():
                services.refund_request(
                    request_id=return_request.pk,
                    user=request.user,
                    amount=form.cleaned_data["amount"],
                    currency=form.cleaned_data["currency"],
                    restock=form.cleaned_data["restock"],
                    notify=form.cleaned_data["notify"],
                    shopify_maximum=quote.shopify_maximum,
                    submission_key=form.cleaned_data["submission_key"],
                    override_reason=form.cleaned_data["override_reason"],
                )
                self.message_user(
                    request,
                    _("Refund of %(amount)s %(currency)s for %(number)s sent to Shopify.")
                    % {
                        "amount": money.format_number(
                            form.cleaned_data["amount"], form.cleaned_data["currency"]
                        ),
                        "currency": form.cleaned_data["currency"],
                        "number": return_request.number,
                    },
                )
                return after_step(request, return_request)
            form = RefundForm.from_confirmation(request.POST, **limits)
        elif request.method == "POST":
            form = RefundForm(request.POST, **limits)
            if form.is_valid():
                confirm = RefundConfirmForm(
                    initial={**form.cleaned_data, "submission_key": uuid.uuid4()}, **limits
                )
                return _render(
                    self,
                    request,
                    return_request,
                    title,
                    confirm,
                    template="refund_confirm",
                    amount=money.format_amount(
                        form.cleaned_data["amount"], form.cleaned_data["currency"]
                    ),
                    shop_amount=_in_shop_currency(quote, form.cleaned_data["amount"]),
                    override_reason=form.cleaned_data["override_reason"],
                )
        else:
            form = RefundForm(
                initial={
                    "amount": quote.suggested,
                    "currency": quote.currency,
                    "restock": return_request.restock,
                },
                **limits,
            )
        return _render(
            self,
            request,
            return_request,
            title,
            form,
            quote=quote,
            arrival=request_arrival(return_request),
        )

    @transition_view(steps.ORDER_CANCEL)
    def order_cancel_view(self, request, return_request):
        if request.method != "POST":
            return redirect(_this_again(request, return_request))
        services.withdrawal_order_cancel(request_id=return_request.pk, user=request.user)
        self.message_user(
            request,
            _("Cancellation of order %(order)s sent to Shopify.")
            % {"order": return_request.order.name},
        )
        return after_step(request, return_request)
