"""Placeholder of the console's URLconf (the console skeleton's own version replaces it at merge)."""

from django.urls import include, path

app_name = "console"

urlpatterns = [
    path("", include("console.urls_admin")),
]
