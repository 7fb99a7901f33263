from django.urls import re_path

from . import views

app_name = "devshop"

urlpatterns = [re_path(r"^(?P<path>.*)$", views.endpoint, name="endpoint")]
