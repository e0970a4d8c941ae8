"""Office pages for programme years, set-up and application windows (mounted under /office/)."""

from django.urls import path

from zgcfund.programmes import setup_views, views

urlpatterns = [
    path("windows/", views.windows, name="windows"),
    path("windows/<str:code>/", views.window_edit, name="window_edit"),
    path("windows/<str:code>/extensions/", views.extensions, name="window_extensions"),
    path("programmes/", setup_views.setup_home, name="programmes"),
    path("programmes/<str:code>/", setup_views.programme, name="programme"),
    path("programmes/<str:code>/v<int:version>/", setup_views.version, name="programme_version"),
    path("programmes/<str:code>/v<int:version>/source.yaml", setup_views.version_source, name="programme_source"),
    path("programmes/<str:code>/scheme/", setup_views.scheme_edit, name="scheme_edit"),
    path("programmes/<str:code>/conditions/", setup_views.conditions_edit, name="conditions_edit"),
    path("programmes/<str:code>/plan/", setup_views.plan_edit, name="selection_plan"),
]
