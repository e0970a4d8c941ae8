"""Office pages for application windows (mounted under /office/). The programme set-up pages (scheme,
conditions, selection plan) drive the review domain and live in review.views.setup."""

from django.urls import path

from zgcfund.programmes import views

urlpatterns = [
    path("windows/", views.windows, name="windows"),
    path("windows/<str:code>/", views.window_edit, name="window_edit"),
    path("windows/<str:code>/extensions/", views.extensions, name="window_extensions"),
]
