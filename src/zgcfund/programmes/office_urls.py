"""Office pages for programme years and application windows (mounted under /office/)."""

from django.urls import path

from zgcfund.programmes import views

urlpatterns = [
    path("windows/", views.windows, name="windows"),
    path("windows/<str:code>/", views.window_edit, name="window_edit"),
    path("windows/<str:code>/extensions/", views.extensions, name="window_extensions"),
]
