"""Office pages for review (mounted under /office/ in the ``office`` namespace)."""

from django.urls import path

from zgcfund.review.views import formal

urlpatterns = [
    path("formal-review/", formal.queue, name="formal_queue"),
    path("formal-review/<int:pk>/", formal.review, name="formal_review"),
]
