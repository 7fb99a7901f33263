"""The return policy editor: the policy in force, its forms, and the versions saved before.

Its own permission (returns.change_policy), not the model's, so a shop gives it to the person
who decides the policy and no one else. Saving makes a new version; no version is edited.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .admin_policy_forms import PolicyForm, ReasonFormSet, ScopeFormSet, policy_initial
from .models import PolicyVersion
from .policy import ReturnPolicy

PERMISSION = "returns.change_policy"


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "created_by", "what_changed")
    fields = (
        "created_at",
        "created_by",
        "return_window_days",
        "guarantee_years",
        "final_sale_tags",
        "scopes",
        "reasons",
        "what_changed",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description=gettext_lazy("what changed"))
    def what_changed(self, version):
        return format_html_join("", "{}<br>", ((line,) for line in version.changes)) or "-"

    def add_view(self, request, form_url="", extra_context=None):
        """The editor: the policy in force to begin with; a valid whole saved as a new version."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = policy_initial(selectors.policy_current())
        if request.method == "POST":
            main = PolicyForm(request.POST)
            scopes = ScopeFormSet(request.POST, prefix="scopes")
            reasons = ReasonFormSet(request.POST, prefix="reasons")
            # Each is checked even when another failed, so every mistake shows at once.
            valid = [form.is_valid() for form in (main, scopes, reasons)]
            if all(valid):
                policy = ReturnPolicy(
                    return_window_days=main.cleaned_data["return_window_days"],
                    guarantee_years=main.cleaned_data["guarantee_years"],
                    final_sale_tags=main.cleaned_data["final_sale_tags"],
                    scopes=scopes.scopes(),
                    reasons=reasons.reasons(),
                )
                with transaction.atomic():
                    version = services.policy_version_create(policy=policy, user=request.user)
                    self._log(request, version)
                self.message_user(
                    request,
                    _(
                        "The return policy was saved as version %(number)s; it applies to requests "
                        "made from now on."
                    )
                    % {"number": version.pk},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:returns_policyversion_add"))
            self.message_user(
                request,
                _("The return policy was not saved: see what to correct below."),
                messages.ERROR,
            )
        else:
            main = PolicyForm(initial=initial["main"])
            scopes = ScopeFormSet(initial=initial["scopes"], prefix="scopes")
            reasons = ReasonFormSet(initial=initial["reasons"], prefix="reasons")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Edit the return policy"),
            "opts": self.model._meta,
            "main": main,
            "scopes": scopes,
            "reasons": reasons,
            "versions": selectors.policy_versions()[:20],
        }
        return TemplateResponse(request, "admin/returns/policy_edit.html", context)

    def _log(self, request, version):
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[version],
            action_flag=ADDITION,
            change_message=[{"added": {}}] + [{"changed": {"fields": version.changes}}],
            single_object=True,
        )
