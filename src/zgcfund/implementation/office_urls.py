"""Office pages for the implementation period (mounted under /office/implementation/ in the ``office``
namespace)."""

from django.urls import path

from zgcfund.implementation.views import contracts, results

urlpatterns = [
    path("", contracts.contract_list, name="contracts"),
    path("applications/<int:pk>/contract/new/", contracts.contract_new, name="contract_new"),
    path("applications/<int:pk>/contract/", contracts.contract_detail, name="contract"),
    path("results/", results.dashboard, name="results"),
    path("results/export.xlsx", results.export, name="results_export"),
    path("results/report.pdf", results.pdf, name="results_pdf"),
]
