"""The portal's URLs plus the bare view the status page is compared with."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

from .views import bare

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *portal_urlpatterns]
