from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ReferralReturnView, ReturnViewSet

router = SimpleRouter()
router.register("returns", ReturnViewSet, basename="return")
urlpatterns = [
    path("referrals/<uuid:pk>/return/", ReferralReturnView.as_view(), name="referral-return"),
    *router.urls,
]
