"""Office pages for review (mounted under /office/ in the ``office`` namespace)."""

from django.urls import path

from zgcfund.review.views import assign, formal

urlpatterns = [
    path("formal-review/", formal.queue, name="formal_queue"),
    path("formal-review/<int:pk>/", formal.review, name="formal_review"),
    path("assign/", assign.assign_home, name="assign_home"),
    path("assign/<str:code>/", assign.assign_list, name="assign"),
    path("assign/application/<int:pk>/", assign.assign_application, name="assign_application"),
    path("assignments/<int:pk>/unassign/", assign.unassign, name="unassign"),
    path("expert-reviews/<int:pk>/", assign.reviews, name="expert_reviews"),
]
