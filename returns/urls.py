from django.urls import path

from . import views, views_photos, views_withdrawal, webhooks

app_name = "returns"

urlpatterns = [
    path("", views.start, name="start"),
    path("order/", views.order_page, name="order"),
    path("r/<str:token>/", views.status, name="status"),
    path("r/<str:token>/submitted/", views.submitted, name="submitted"),
    path("lookup/<str:signed>/", views.lookup_link, name="lookup_link"),
    path("r/<str:token>/cancel/", views.cancel, name="cancel"),
    path("r/<str:token>/photos/", views_photos.photos_add, name="photos_add"),
    path("r/<str:token>/photos/<str:signed>/", views_photos.photo, name="photo"),
    # The withdrawal function's stable address, linked from order emails and the shop's footer.
    path("withdraw/", views_withdrawal.withdraw_start, name="withdraw"),
    path("withdraw/order/", views_withdrawal.withdraw_choose, name="withdraw_choose"),
    path("withdraw/confirm/", views_withdrawal.withdraw_confirm, name="withdraw_confirm"),
    path("withdraw/done/<str:token>/", views_withdrawal.withdraw_done, name="withdraw_done"),
    path("webhooks/shopify/", webhooks.shopify_webhook, name="shopify_webhook"),
]
