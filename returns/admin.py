"""The staff back office: a queue of requests, one screen per request, and its transitions."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Subquery, Sum
from django.http import QueryDict
from django.urls import path
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import money, services, steps
from . import todo as todo_lists
from .admin_filters import titled
from .admin_photos import PhotoAdminViews, photos_context
from .admin_screen import request_screen
from .admin_views import TransitionViews
from .models import Refund, RefundState, ReturnRequest
from .selectors import refund_days_left, with_refund_due


class TodoFilter(admin.SimpleListFilter):
    """The start page's to-do lists (returns/todo.py); the queue shows them in their order."""

    title = _("to do")
    parameter_name = "todo"

    def lookups(self, request, model_admin):
        return [(todo.key, todo.label) for todo in todo_lists.LISTS]

    def queryset(self, request, queryset):
        todo = todo_lists.todo_list(self.value())
        return todo.rows(queryset) if todo else queryset


class RefundDeadlineFilter(admin.SimpleListFilter):
    """Withdrawals whose refund the law requires within the next three days, or overdue."""

    title = _("refund deadline (withdrawal)")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("3", _("Deadline in 3 days or passed"))]

    def queryset(self, request, queryset):
        if self.value() != "3":
            return queryset
        today_end = timezone.localtime().replace(hour=23, minute=59, second=59, microsecond=999999)
        return queryset.filter(refund_due__lte=today_end + timedelta(days=3))


@admin.register(ReturnRequest)
class ReturnRequestAdmin(PhotoAdminViews, TransitionViews, admin.ModelAdmin):
    list_display = (
        "number",
        "order_name",
        "customer_email",
        "kind",
        "remedy",
        "items",
        "status",
        "age",
        "refund_deadline",
        "refunded",
        "made_in_shopify",
    )
    list_filter = (
        TodoFilter,
        RefundDeadlineFilter,
        "status",
        "kind",
        "remedy",
        "reason",
        "made_in_shopify",
        ("created_at", titled(_("requested on"))),
    )
    search_fields = (
        "number",
        "order__name",
        "customer_email",
        "order__customer_name",
        "replacements__tracking_number",
    )
    ordering = ("-created_at",)
    list_per_page = 50
    actions = ("approve_selected", "resume_selected")
    # The request's screen is designed in its template (returns/admin_screen.py), not as fields.
    readonly_fields = fields = ("number",)
    change_form_template = "admin/returns/returnrequest/change_form.html"

    def get_queryset(self, request):
        # A subquery rather than a join and GROUP BY: the database sums refunds only for the
        # page of rows shown, and counting the rows needs no join, however many there are.
        refunded = (
            Refund.objects.filter(request=OuterRef("pk"), state=RefundState.SUCCEEDED)
            .values("request")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return with_refund_due(
            super()
            .get_queryset(request)
            .select_related("order")
            .prefetch_related("lines")
            .annotate(refunded_total=Subquery(refunded))
        )

    def get_ordering(self, request):
        # Withdrawals whose refund falls due soonest first, then everything else newest first.
        # (Here, not in `ordering`: the system check only knows model fields, not annotations.)
        # A to-do list is shown in its own order: the next to handle first.
        todo = todo_lists.todo_list(request.GET.get(TodoFilter.parameter_name))
        if todo is not None:
            return list(todo.ordering)
        return [F("refund_due").asc(nulls_last=True), "-created_at"]

    def get_object(self, request, object_id, from_field=None):
        # The change view shows neither the queue's items column nor its refunded total; the
        # screen reads its lines itself.
        queryset = with_refund_due(super().get_queryset(request).select_related("order"))
        try:
            return queryset.get(pk=self.model._meta.pk.to_python(object_id))
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def get_urls(self):
        custom = [
            path(
                f"<path:object_id>/{step.name}/",
                self.admin_site.admin_view(getattr(self, f"{step.name}_view")),
                name=f"returns_returnrequest_{step.name}",
            )
            for step in steps.STAFF_STEPS
        ]
        custom.append(
            path(
                "next/",
                self.admin_site.admin_view(self.next_view),
                name="returns_returnrequest_next",
            )
        )
        return custom + super().get_urls()

    @admin.display(description=_("order"), ordering="order__name")
    def order_name(self, obj):
        return obj.order.name

    @admin.display(description=_("items"))
    def items(self, obj):
        return ", ".join(f"{line.quantity} × {line.title}" for line in obj.lines.all())

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj):
        return timesince(obj.created_at, depth=1)

    @admin.display(description=_("refund due (withdrawal)"), ordering="refund_due")
    def refund_deadline(self, obj):
        """Days left until a withdrawal's refund is due by law: 14 days from the withdrawal."""
        days = refund_days_left(obj.refund_due, now=timezone.now())
        if days is None:
            return "–"
        due = formats.date_format(timezone.localdate(obj.refund_due), "SHORT_DATE_FORMAT")
        if days < 0:
            left = ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {
                "days": -days
            }
        elif days == 0:
            left = _("due today")
        else:
            left = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
        return f"{left} ({due})"

    @admin.display(description=_("refunded"), ordering="refunded_total")
    def refunded(self, obj):
        if not obj.refunded_total:
            return "–"
        return f"{money.format_number(obj.refunded_total, obj.order.currency)} {obj.order.currency}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request):
        return steps.APPROVE.permitted(request.user)

    @admin.action(description=_("Approve selected requests"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        approved, refused = 0, []
        for return_request in queryset:
            try:
                services.return_approve(request_id=return_request.pk, user=request.user)
                approved += 1
            except services.ReturnError as error:
                refused.append(str(error.message))
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d request approved.", "%(count)d requests approved.", approved)
                % {"count": approved},
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def has_resume_permission(self, request):
        return steps.REFUND.permitted(request.user)

    @admin.action(description=_("Send their stalled Shopify work again"), permissions=["resume"])
    def resume_selected(self, request, queryset):
        # Safe to repeat: refunds carry their idempotency key, written steps are skipped.
        resumed = services.stalled_work_resume(
            request_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            _("Sent again: %(refunds)d refunds, %(writes)d steps for the Shopify order.") % resumed,
        )
        if resumed["returns"]:
            self.message_user(
                request,
                ngettext(
                    "The access scopes are granted now: %(returns)d request's steps sent to its "
                    "Shopify Return again.",
                    "The access scopes are granted now: %(returns)d requests' steps sent to their "
                    "Shopify Returns again.",
                    resumed["returns"],
                )
                % resumed,
            )
        if resumed["refused"]:
            self.message_user(
                request,
                ngettext(
                    "%(refused)d request's steps that Shopify refused sent to its Shopify Return "
                    "again.",
                    "%(refused)d requests' steps that Shopify refused sent to their Shopify "
                    "Returns again.",
                    resumed["refused"],
                )
                % resumed,
            )

    @staticmethod
    def _todo_key(request):
        # Opened from a list's "Open the next" (?todo=), or from a row of the filtered queue.
        key = request.GET.get(TodoFilter.parameter_name)
        if key is None:
            key = QueryDict(request.GET.get("_changelist_filters", "")).get(
                TodoFilter.parameter_name
            )
        return key

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["todo"] = todo_lists.todo_list(request.GET.get(TodoFilter.parameter_name))
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return_request = self.get_object(request, object_id)
        extra_context = extra_context or {}
        extra_context["todo"] = todo_lists.todo_list(self._todo_key(request))
        if return_request is not None:
            extra_context.update(
                request_screen(return_request),
                age=self.age(return_request),
                refund_deadline=self.refund_deadline(return_request),
                steps=steps.steps_offered(return_request, request.user),
                **photos_context(return_request, request.user),
            )
        return super().change_view(request, object_id, form_url, extra_context)


# The records beside the queue: refunds, the audit trail, order copies and webhook deliveries.
from . import (  # noqa: E402, F401
    admin_policy,
    admin_records,
    admin_report,
    admin_rules,
    admin_withdrawals,
)
