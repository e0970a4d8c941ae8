"""Office pages for organizations (mounted under /office/ with the ``office`` namespace)."""

from django.urls import path

from zgcfund.accounts.views import office

urlpatterns = [
    path("organizations/", office.organizations, name="organizations"),
    path("organizations/<int:pk>/", office.organization_detail, name="organization_detail"),
]
