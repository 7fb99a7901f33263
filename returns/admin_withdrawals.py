"""Withdrawal declarations in the back office: read as received, the receipt PDF downloadable."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_records import ReadOnlyAdmin
from .models import WithdrawalDeclaration


@admin.register(WithdrawalDeclaration)
class WithdrawalDeclarationAdmin(ReadOnlyAdmin):
    of_requests = True
    list_display = ("received_at", "order", "outcome", "whole_order", "receipt_sent", "request")
    list_filter = ("outcome", ("receipt_sent_at", admin.EmptyFieldListFilter))
    search_fields = ("order__name", "return_request__number")
    date_hierarchy = "received_at"
    fields = (
        "order",
        "return_request",
        "outcome",
        "whole_order",
        "declared_items",
        "consumer_name",
        "email",
        "reason",
        "locale",
        "received_at",
        "receipt_message_id",
        "receipt_sent_at",
        "receipt_download",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "return_request")

    @admin.display(description=_("request"))
    def request(self, obj):
        url = reverse("admin:returns_returnrequest_change", args=[obj.return_request_id])
        return format_html('<a href="{}">{}</a>', url, obj.return_request.number)

    @admin.display(description=_("receipt sent"), boolean=True)
    def receipt_sent(self, obj):
        return bool(obj.receipt_message_id)

    @admin.display(description=_("items"))
    def declared_items(self, obj):
        return ", ".join(f"{line['quantity']} × {line['title']}" for line in obj.lines)

    @admin.display(description=_("receipt (PDF)"))
    def receipt_download(self, obj):
        if not obj.receipt_message_id:
            return "–"
        url = reverse("admin:returns_withdrawaldeclaration_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the receipt (PDF)"))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="returns_withdrawaldeclaration_pdf",
            )
        ] + super().get_urls()

    def pdf_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        declaration = get_object_or_404(WithdrawalDeclaration, pk=object_id)
        if not declaration.receipt_pdf:
            raise Http404
        response = HttpResponse(bytes(declaration.receipt_pdf), content_type="application/pdf")
        name = declaration.order.name.lstrip("#")
        response["Content-Disposition"] = f'attachment; filename="withdrawal-{name}.pdf"'
        return response
