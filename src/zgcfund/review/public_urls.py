"""Public pages (no login), mounted under /public/ in the ``public`` namespace."""

from django.urls import path

from zgcfund.review.views import public

app_name = "public"

urlpatterns = [
    path("<str:code>/", public.notice, name="notice"),
    path("<str:code>/selection.xlsx", public.export_xlsx, name="export_xlsx"),
    path("<str:code>/selection.csv", public.export_csv, name="export_csv"),
]
