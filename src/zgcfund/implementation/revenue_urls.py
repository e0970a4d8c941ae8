"""The organization's K1.3 revenue pages (mounted under /implementation/ in the ``revenue`` namespace); the
office's copy is in office_urls."""

from django.urls import path

from zgcfund.implementation.views import revenue

app_name = "revenue"

urlpatterns = [
    path("applications/<int:pk>/revenue/", revenue.revenue_page, name="page"),
    path("applications/<int:pk>/revenue/<str:credit_code>/template.xlsx", revenue.revenue_template, name="template"),
    path("applications/<int:pk>/revenue/<str:credit_code>/upload/", revenue.revenue_upload, name="upload"),
    path("applications/<int:pk>/revenue/<str:credit_code>/workbook.xlsx", revenue.revenue_workbook, name="workbook"),
]
