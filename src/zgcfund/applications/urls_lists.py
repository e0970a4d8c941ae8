"""Excel list templates and imports (K1.1, K1.3, K3.2, K3.3)."""

from django.urls import path

from zgcfund.applications.views import lists

urlpatterns: list = [
    path("<int:pk>/lists/<str:clause>/template.xlsx", lists.list_template, name="list_template"),
    path("<int:pk>/lists/<str:clause>/import/", lists.list_import, name="list_import"),
]
