"""The shop's decision rules in the back office: written, checked, previewed, then saved.

Staff with `returns.manage_decision_rules` add, change, switch off and delete rules. The form
refuses a rule that cannot be used (returns/rules/engine.py: rule_check) with the reason, and its
Preview button shows what the rules would have decided for the last 200 requests, as if the
change were saved, without saving it. Every change is in the admin's history of the rule, with
the rule's words before and after.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import DecisionRule, RuleDecision
from .policy import ReturnPolicy
from .rules.engine import REJECT, rule_check
from .rules.language import FACTS, RuleError
from .rules.preview import PREVIEW_SIZE, rules_preview

PERMISSION = "returns.manage_decision_rules"
REASON_REQUIRED = _("Choose the reason the shopper reads when this rule rejects a request.")
REASON_ONLY_ON_REJECT = _("A reason for the shopper is given only with the decision Reject.")


class DecisionRuleForm(forms.ModelForm):
    class Meta:
        model = DecisionRule
        fields = ["position", "text", "decision", "reject_reason", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}
        help_texts = {
            "text": _(
                "A condition over the request's facts, e.g. "
                'kind == "return" and within_window and total < 100 EUR -> approve. Facts: %s.'
            )
            % ", ".join(sorted(FACTS)),
        }

    def clean(self):
        data = super().clean()
        text, decision = data.get("text"), data.get("decision")
        if text and decision:
            policy = ReturnPolicy.from_settings()
            try:
                rule_check(text, decision, final_sale_tags=policy.final_sale_tags)
            except RuleError as error:
                self.add_error("text", error.message)
        if decision == REJECT and not data.get("reject_reason"):
            self.add_error("reject_reason", REASON_REQUIRED)
        if decision and decision != REJECT and data.get("reject_reason"):
            self.add_error("reject_reason", REASON_ONLY_ON_REJECT)
        return data


@admin.register(DecisionRule)
class DecisionRuleAdmin(admin.ModelAdmin):
    form = DecisionRuleForm
    list_display = ("position", "text", "decision", "active", "updated_at")
    list_display_links = ("text",)
    list_filter = ("active", "decision")
    ordering = ("position", "pk")

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def construct_change_message(self, request, form, formsets, add=False):
        rule = form.instance
        now = f"{rule.position}: {rule.text} -> {rule.decision}"
        if not rule.active:
            now += " " + gettext("(switched off)")
        if add:
            return gettext("Rule added: %(rule)s") % {"rule": now}
        before = getattr(form, "before", "")
        return gettext("Rule changed from %(before)s to %(after)s") % {
            "before": before,
            "after": now,
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        before = str(obj) if obj else ""

        class RememberingForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.before = before

        return RememberingForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            return self._preview_view(request, object_id, form_url)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview_view(self, request, object_id, form_url):
        """The form as typed, with what the rules would decide: nothing is saved."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        add = obj is None
        if not (self.has_add_permission(request) if add else self.has_change_permission(request)):
            raise PermissionDenied
        form = self.get_form(request, obj, change=not add)(request.POST, instance=obj)
        preview = rules_preview(candidate=form.instance) if form.is_valid() else None
        fieldsets = list(self.get_fieldsets(request, obj))
        admin_form = helpers.AdminForm(
            form, fieldsets, {}, self.get_readonly_fields(request, obj), model_admin=self
        )
        title = _("Add decision rule") if add else _("Change decision rule")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "preview": preview,
            "preview_size": PREVIEW_SIZE,
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.setdefault("preview_size", PREVIEW_SIZE)
        context["decisions"] = RuleDecision
        return super().render_change_form(request, context, add, change, form_url, obj)
