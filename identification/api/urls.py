from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CountryViewSet, IdentificationView, ScreeningFormViewSet, ScreeningListView

router = SimpleRouter()
router.register("screening-forms", ScreeningFormViewSet, basename="screening-form")
router.register("countries", CountryViewSet, basename="country")

urlpatterns = [
    path("referrals/<uuid:pk>/screenings/", ScreeningListView.as_view(), name="referral-screenings"),
    path("referrals/<uuid:pk>/identification/", IdentificationView.as_view(), name="referral-identification"),
    *router.urls,
]
