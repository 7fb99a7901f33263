from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself, as an app only so that its system checks are registered."""

    name = "portal"
    verbose_name = "Returns portal"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
