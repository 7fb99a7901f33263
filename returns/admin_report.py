"""The returns report in the back office: figures, charts and CSV, behind returns.view_report."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Report, ReturnKind
from .report_charts import months_chart, rates_chart
from .report_csv import report_csv
from .report_figures import Filters, month_range, reason_label, report_build

PERMISSION = "returns.view_report"
MOST_MONTHS = 36
# The page shows this many detail rows; the CSV has them all.
MOST_ROWS = 500
BAD_MONTH = gettext_lazy("Enter a month as YYYY-MM, e.g. 2026-11.")
MONTHS_REVERSED = gettext_lazy("The first month must not come after the last month.")
TOO_MANY_MONTHS = gettext_lazy("Choose at most %(months)d months.")


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": BAD_MONTH}


class ReportFilterForm(forms.Form):
    first_month = MonthField(label=gettext_lazy("from month"), required=False)
    last_month = MonthField(label=gettext_lazy("to month"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        choices=[("", gettext_lazy("returns and claims")), *ReturnKind.choices],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("product or SKU"), max_length=100, required=False, strip=True
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate().replace(day=1)
        last = (data.get("last_month") or today).replace(day=1)
        first = (data.get("first_month") or _months_before(last, 11)).replace(day=1)
        if first > last:
            raise forms.ValidationError(MONTHS_REVERSED)
        if len(month_range(first, last)) > MOST_MONTHS:
            raise forms.ValidationError(TOO_MANY_MONTHS % {"months": MOST_MONTHS})
        data["filters"] = Filters(
            first_month=first, last_month=last, kind=data.get("kind") or "", search=data.get("q")
        )
        return data


def _months_before(month: date, count: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 - count, 12)
    return date(year, index + 1, 1)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """No list of rows: the model's changelist is the report itself."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.report_view), name="returns_report_changelist"),
            path("csv/", view(self.csv_view), name="returns_report_csv"),
        ]

    def _filters(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        form = ReportFilterForm(request.GET or None)
        if request.GET:
            return form, (form.cleaned_data["filters"] if form.is_valid() else None)
        form = ReportFilterForm({})
        form.is_valid()
        return ReportFilterForm(), form.cleaned_data["filters"]

    def report_view(self, request):
        form, filters = self._filters(request)
        report = report_build(filters) if filters else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Returns report"),
            "form": form,
            "report": report,
        }
        if report is not None:
            context.update(
                months_chart=months_chart(report),
                rates_chart=rates_chart(report),
                rows=report.rows[:MOST_ROWS],
                rows_left_off=max(len(report.rows) - MOST_ROWS, 0),
                reasons=[(code, reason_label(code)) for code in report.reasons],
                currencies=sorted({c for row in report.rows for c in row.refunded}),
                csv_url=f"{reverse('admin:returns_report_csv')}?{request.GET.urlencode()}",
            )
        return TemplateResponse(request, "admin/returns/report.html", context)

    def csv_view(self, request):
        form, filters = self._filters(request)
        if filters is None:
            return self.report_view(request)
        response = HttpResponse(report_csv(report_build(filters)), content_type="text/csv")
        name = f"returns-report-{filters.first_month:%Y-%m}-{filters.last_month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
