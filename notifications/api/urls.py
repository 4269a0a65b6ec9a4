from django.urls import path

from .views import NotificationPreferencesView

urlpatterns = [
    path("me/notification-preferences/", NotificationPreferencesView.as_view(), name="me-notification-preferences"),
]
