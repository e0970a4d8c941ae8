"""Implementation pages outside the office (namespace ``implementation``, mounted under /implementation/): the
organization's report pages during the implementation period, and the acceptance report PDF, which the
organization downloads once the acceptance is concluded (the office too)."""

from django.urls import path

from zgcfund.implementation.views import acceptance, contracts, reports

app_name = "implementation"

urlpatterns = [
    path("applications/<int:pk>/acceptance.pdf", acceptance.acceptance_pdf, name="acceptance_pdf"),
    path("applications/<int:pk>/contract.pdf", contracts.contract_pdf, name="contract_pdf"),
    path("<int:pk>/", reports.reports_home, name="reports"),
    path("<int:pk>/rounds/<int:round_pk>/", reports.report_page, name="report"),
    path("<int:pk>/rounds/<int:round_pk>/extra/", reports.extra_work, name="extra_work"),
    path("<int:pk>/rounds/<int:round_pk>/submit/", reports.report_submit, name="report_submit"),
    path("<int:pk>/commitments/<int:commitment_pk>/delivery/", reports.delivery, name="delivery"),
    path("<int:pk>/commitments/<int:commitment_pk>/delete/", reports.extra_delete, name="extra_delete"),
    path("<int:pk>/commitments/<int:commitment_pk>/evidence/", reports.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", reports.evidence_download, name="evidence_download"),
    path("<int:pk>/evidence/<int:evidence_pk>/delete/", reports.evidence_delete, name="evidence_delete"),
]
