from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ExchangeRowsView

router = SimpleRouter(trailing_slash=True)

urlpatterns = router.urls + [
    path("exchange/resources/<str:code>/rows/", ExchangeRowsView.as_view(),
         name="exchange-rows"),
]
