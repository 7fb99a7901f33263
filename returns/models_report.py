"""What the returns report reads besides the requests: the units the shop sold, line by line.

Kept from two sources: every order copy the portal stores (returns.services.sales), and, where the
app may read the shop's orders, Shopify's own order data synced by `manage.py sales_sync` and the
periodic task. One row per Shopify line item, so an order seen both ways counts once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SoldLine(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", _("order copy in the portal")
        SHOPIFY = "shopify", _("Shopify's order data")

    line_item_id = models.CharField(_("Shopify line item"), max_length=64, unique=True)
    order_shopify_id = models.CharField(_("Shopify order"), max_length=64, db_index=True)
    # Shopify's product and variant (gids); empty for a custom line or a product deleted since.
    product_id = models.CharField(_("product"), max_length=64, blank=True)
    variant_id = models.CharField(_("variant"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=255)
    sku = models.CharField(_("SKU"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    # The order's createdAt: the month the units count as sold in.
    ordered_at = models.DateTimeField(_("ordered"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)

    class Meta:
        verbose_name = _("sold line")
        verbose_name_plural = _("sold lines")
        indexes = [models.Index(fields=["ordered_at"], name="sold_line_ordered_at")]

    def __str__(self):
        return f"{self.quantity} × {self.title}"


class SalesSync(models.Model):
    """When Shopify's orders were last read for the report, and how far back."""

    finished_at = models.DateTimeField(_("finished"), auto_now_add=True)
    since = models.DateTimeField(_("orders created since"))
    orders = models.PositiveIntegerField(_("orders read"))
    lines = models.PositiveIntegerField(_("lines stored"))

    class Meta:
        verbose_name = _("sales sync")
        verbose_name_plural = _("sales syncs")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}: {self.orders}"


class Report(models.Model):
    """No table: the holder of the report's permission (returns.view_report) and its admin entry."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("returns report")
        verbose_name_plural = _("returns report")

    def __str__(self):
        return str(self._meta.verbose_name)
