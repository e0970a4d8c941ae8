"""Office pages for the implementation period (mounted under /office/implementation/ in the ``office``
namespace)."""

from django.urls import path

from zgcfund.implementation.views import contracts, report_office

urlpatterns = [
    path("", contracts.contract_list, name="contracts"),
    path("applications/<int:pk>/contract/new/", contracts.contract_new, name="contract_new"),
    path("applications/<int:pk>/contract/", contracts.contract_detail, name="contract"),
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
