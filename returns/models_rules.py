"""The shop's decision rules: conditions on a new request, tried in order (returns/rules/)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REVIEW = "review", _("Review (a person decides)")


class RejectReason(models.TextChoices):
    """What the shopper reads when a rule rejects: fixed words, so each is translated."""

    TOO_MANY_RETURNS = (
        "too_many_returns",
        _("You have returned many orders this year; we cannot accept this return automatically."),
    )
    NOT_RETURNABLE = "not_returnable", _("These items cannot be returned.")
    NOT_SHIPPED_HERE = "country", _("We cannot accept returns from your country.")


class DecisionRule(models.Model):
    position = models.PositiveIntegerField(_("position"), default=1)
    text = models.CharField(_("rule"), max_length=500)
    decision = models.CharField(
        _("decision"), max_length=16, choices=RuleDecision.choices, default=RuleDecision.REVIEW
    )
    reject_reason = models.CharField(
        _("reason shown to the shopper"), max_length=32, choices=RejectReason.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        ordering = ["position", "pk"]
        permissions = [("manage_decision_rules", _("Can write the rules that decide requests"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=RuleDecision.values), name="rule_decision_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}: {self.text} -> {self.decision}"
