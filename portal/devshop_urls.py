"""The portal's URLs with devshop, the local Shopify, at /devshop/: demo and test settings only."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("devshop/", include("devshop.urls")), *portal_urlpatterns]
