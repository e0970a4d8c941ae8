"""Implementation pages outside the office (namespace ``implementation``): the acceptance report PDF, which
the organization downloads once the acceptance is concluded (the office too)."""

from django.urls import path

from zgcfund.implementation.views import acceptance

app_name = "implementation"

urlpatterns = [
    path("applications/<int:pk>/acceptance.pdf", acceptance.acceptance_pdf, name="acceptance_pdf"),
]
