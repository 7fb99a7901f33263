"""The return policy as the shop saved it: one row per version, never edited.

The newest version is the policy in force (selectors.policy_current); with none saved, the
settings are. A request points at the version it was decided under.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    return_window_days = models.PositiveIntegerField(_("return window (days)"))
    guarantee_years = models.PositiveSmallIntegerField(_("guarantee (years)"))
    # Lower-case product tags.
    final_sale_tags = models.JSONField(_("final-sale tags"), default=list)
    # [{"kind", "value", "return_window_days", "guarantee_years", "countries"}], first match wins.
    scopes = models.JSONField(_("scopes"), default=list)
    # [{"code", "track", "labels": {"en", "nl", "de"}, "shopify_handle",
    #   "return_shipping_fee": {"amount"} | {"percent"} | None, "restocking_fee": ...}]
    reasons = models.JSONField(_("reasons"), default=list)
    # What changed against the version before, in words, for the list of versions.
    changes = models.JSONField(_("what changed"), default=list)

    class Meta:
        verbose_name = _("return policy version")
        verbose_name_plural = _("return policy versions")
        ordering = ["-created_at", "-pk"]
        permissions = [("change_policy", _("Can change the return policy"))]

    def __str__(self):
        return _("Return policy version %(number)s") % {"number": self.pk}
