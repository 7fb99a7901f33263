from django.contrib import admin

from .models import ReturnEvent, ReturnLine, ReturnRequest, ShopifyOrder


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ("title", "variant_title", "sku", "quantity", "unit_price", "currency")


class ReturnEventInline(ReadOnlyInline):
    model = ReturnEvent
    fields = ("created_at", "type", "actor", "user", "customer_visible", "data")
    readonly_fields = fields


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "order", "customer_email", "kind", "reason", "status", "created_at")
    list_filter = ("status", "kind", "reason", "created_at")
    list_select_related = ("order",)
    search_fields = ("number", "order__name", "customer_email")
    ordering = ("-created_at",)
    readonly_fields = (
        "number",
        "order",
        "kind",
        "reason",
        "status",
        "locale",
        "customer_email",
        "comment",
        "created_at",
    )
    fields = readonly_fields
    inlines = (ReturnLineInline, ReturnEventInline)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShopifyOrder)
class ShopifyOrderAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "customer_locale", "fetched_at")
    search_fields = ("name", "email")
    readonly_fields = ("shopify_id", "name", "email", "customer_locale", "currency", "data")
    fields = readonly_fields + ("fetched_at",)

    def has_add_permission(self, request):
        return False
