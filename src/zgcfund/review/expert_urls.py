"""Expert pages (mounted under /expert/ in the ``expert`` namespace)."""

from django.urls import path

from zgcfund.review.views import expert

app_name = "expert"

urlpatterns = [
    path("", expert.tasks, name="tasks"),
    path("conflicts/", expert.conflicts, name="conflicts"),
    path("reviews/<int:pk>/", expert.review_page, name="review"),
]
