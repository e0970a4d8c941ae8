"""Office pages for the implementation period (mounted under /office/implementation/ in the ``office``
namespace)."""

from django.urls import path

from zgcfund.implementation.views import acceptance, contracts, funds, report_office, results, revenue

urlpatterns = [
    path("", contracts.contract_list, name="contracts"),
    path("applications/<int:pk>/contract/new/", contracts.contract_new, name="contract_new"),
    path("applications/<int:pk>/contract/", contracts.contract_detail, name="contract"),
    path("applications/<int:pk>/contract/pdf/", contracts.contract_pdf, name="contract_pdf"),
    path("applications/<int:pk>/revenue/", revenue.office_revenue, name="revenue"),
    path("revenue/", revenue.office_overview, name="revenue_overview"),
    path("applications/<int:pk>/acceptance/", acceptance.acceptance, name="acceptance"),
    path("applications/<int:pk>/acceptance/commitments/<int:commitment_pk>/", acceptance.assess,
         name="acceptance_assess"),
    path("applications/<int:pk>/acceptance/conclude/", acceptance.conclude, name="acceptance_conclude"),
]
urlpatterns += [
    path("funds/", funds.funds_overview, name="funds"),
    path("funds/export.xlsx", funds.funds_export, name="funds_export"),
    path("funds/applications/<int:pk>/", funds.funds_contract, name="funds_contract"),
    path("funds/applications/<int:pk>/disbursements/propose/", funds.disbursement_propose,
         name="disbursement_propose"),
    path("funds/disbursements/<int:pk>/paid/", funds.disbursement_pay, name="disbursement_pay"),
    path("funds/applications/<int:pk>/refunds/new/", funds.refund_new, name="refund_new"),
    path("funds/refunds/<int:pk>/returned/", funds.refund_returned, name="refund_returned"),
    path("results/", results.dashboard, name="results"),
    path("results/export.xlsx", results.export, name="results_export"),
    path("results/report.pdf", results.pdf, name="results_pdf"),
    path("applications/<int:pk>/start/", report_office.start_implementation, name="start_implementation"),
    path("applications/<int:pk>/request-report/", report_office.request_report, name="request_report"),
    path("rounds/", report_office.rounds, name="report_rounds"),
    path("rounds/new/", report_office.round_form, name="report_round_new"),
    path("rounds/<int:pk>/", report_office.round_detail, name="report_round"),
    path("rounds/<int:pk>/edit/", report_office.round_form, name="report_round_edit"),
    path("rounds/<int:pk>/applications/<int:application_pk>/extend/", report_office.extend, name="report_extend"),
    path("reports/<int:pk>/", report_office.report_review, name="report_review"),
    path("reports/<int:pk>/return/", report_office.report_return, name="report_return"),
    path("reports/<int:pk>/accept/", report_office.report_accept, name="report_accept"),
]
