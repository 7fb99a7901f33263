from django.apps import AppConfig


class DevshopConfig(AppConfig):
    name = "devshop"
    verbose_name = "devshop (local Shopify emulator)"
    default_auto_field = "django.db.models.BigAutoField"
