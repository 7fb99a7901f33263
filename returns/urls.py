from django.urls import path

from . import views, webhooks

app_name = "returns"

urlpatterns = [
    path("", views.start, name="start"),
    path("order/", views.order_page, name="order"),
    path("r/<str:token>/", views.status, name="status"),
    path("r/<str:token>/submitted/", views.submitted, name="submitted"),
    path("lookup/<str:signed>/", views.lookup_link, name="lookup_link"),
    path("r/<str:token>/cancel/", views.cancel, name="cancel"),
    path("webhooks/shopify/", webhooks.shopify_webhook, name="shopify_webhook"),
]
