"""Read-only records of the back office: refunds, the audit trail, order copies, webhooks."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import money, steps
from .admin_filters import titled
from .models import Refund, RefundState, ReturnEvent, ShopifyOrder, WebhookDelivery
from .selectors import refund_waiting_too_long, refunds_waiting_too_long
from .tasks import refund_process


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff read but never add, change or delete here: services write them."""

    # Records that belong to return requests are seen by whoever may see the requests, so the
    # README's permissions (view return request plus the steps' own) show them too.
    of_requests = False

    def has_view_permission(self, request, obj=None):
        if self.of_requests and request.user.has_perm(steps.VIEW_PERMISSION):
            return True
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    class NeedsAttentionFilter(admin.SimpleListFilter):
        title = _("needs attention")
        parameter_name = "attention"

        def lookups(self, request, model_admin):
            return [
                ("yes", _("needs attention")),
                ("late", _("succeeded after failing")),
            ]

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(pk__in=refunds_waiting_too_long().values("pk"))
            if self.value() == "late":
                return queryset.filter(late_success_at__isnull=False)
            return queryset

    list_display = (
        "request",
        "amount_shown",
        "currency",
        "state",
        "needs_attention",
        "succeeded_after_failing",
        "made_in_shopify",
        "attempts",
        "error",
        "created_at",
    )
    of_requests = True
    list_filter = (
        NeedsAttentionFilter,
        "state",
        "made_in_shopify",
        ("created_at", titled(_("created on"))),
    )
    list_select_related = ("request",)
    search_fields = ("request__number", "shopify_refund_id")
    actions = ("retry_pending",)
    # The amount at its currency's decimals, not the stored three (29,00, not 29,000).
    exclude = ("amount", "shop_amount")
    readonly_fields = [
        {"amount": "amount_shown", "shop_amount": "shop_amount_shown"}.get(field.name, field.name)
        for field in Refund._meta.fields
    ]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, obj):
        return money.format_number(obj.amount, obj.currency)

    @admin.display(description=_("in the shop's currency"))
    def shop_amount_shown(self, obj):
        if obj.shop_amount is None:
            return "–"
        return money.format_with_code(obj.shop_amount, obj.shop_currency)

    @admin.display(description=_("needs attention"), boolean=True)
    def needs_attention(self, obj):
        return refund_waiting_too_long(obj)

    @admin.display(description=_("succeeded after failing"), boolean=True)
    def succeeded_after_failing(self, obj):
        # Shopify made it after the portal had shown it failed: it may have been made again.
        return obj.late_success_at is not None

    def has_refund_permission(self, request):
        return steps.REFUND.permitted(request.user)

    @admin.action(description=_("Send pending refunds to Shopify again"), permissions=["refund"])
    def retry_pending(self, request, queryset):
        # One being sent right now is left to the attempt sending it.
        pending = list(
            queryset.filter(state=RefundState.PENDING)
            .exclude(lease_expires_at__gt=timezone.now())
            .values_list("pk", flat=True)
        )
        for refund_id in pending:
            # Safe to repeat: the same idempotency key goes with every attempt.
            refund_process.delay_on_commit(refund_id)
        self.message_user(
            request,
            ngettext(
                "%(count)d pending refund sent again.",
                "%(count)d pending refunds sent again.",
                len(pending),
            )
            % {"count": len(pending)},
        )


@admin.register(ReturnEvent)
class ReturnEventAdmin(ReadOnlyAdmin):
    """The audit trail: visible to staff, changeable by no one."""

    of_requests = True
    list_display = ("created_at", "request", "type", "actor", "user", "customer_visible")
    list_filter = ("type", "actor", "customer_visible")
    list_select_related = ("request", "user")
    search_fields = ("request__number", "type")


@admin.register(ShopifyOrder)
class ShopifyOrderAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "customer_locale", "fetched_at")
    search_fields = ("name", "email")
    readonly_fields = (
        "shopify_id",
        "name",
        "email",
        "customer_locale",
        "currency",
        "data",
        "fetched_at",
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """What Shopify told the portal: failures to look into, and privacy exports to send on."""

    list_display = ("received_at", "topic", "state", "error", "processed_at")
    list_filter = ("state", "topic")
    search_fields = ("webhook_id", "topic")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
