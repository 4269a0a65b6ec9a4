from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AreaViewSet, LocateView

router = SimpleRouter()
router.register("geo/areas", AreaViewSet, basename="area")
urlpatterns = [path("geo/locate/", LocateView.as_view(), name="geo-locate"), *router.urls]
