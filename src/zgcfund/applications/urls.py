from django.urls import path

from zgcfund.applications.urls_evidence import urlpatterns as evidence_patterns
from zgcfund.applications.urls_lists import urlpatterns as list_patterns
from zgcfund.applications.views import editor, notices, submission, transfer

app_name = "applications"

urlpatterns = [
    path("notices/", notices.notices, name="notices"),
    path("<int:pk>/", editor.overview, name="overview"),
    path("<int:pk>/clauses/<str:clause>/", editor.clause_page, name="clause"),
    path("<int:pk>/clauses/<str:clause>/records/new/", editor.record_new, name="record_new"),
    path("<int:pk>/records/<int:record_pk>/edit/", editor.record_edit, name="record_edit"),
    path("<int:pk>/records/<int:record_pk>/delete/", editor.record_delete, name="record_delete"),
    path("<int:pk>/choices/<str:group>/", editor.choices, name="choices"),
    path("<int:pk>/panel/", editor.panel, name="panel"),
    path("<int:pk>/history/", editor.history, name="history"),
    path("<int:pk>/export.json", transfer.export_json, name="export_json"),
    path("<int:pk>/import/", transfer.import_json, name="import_json"),
    path("<int:pk>/submit/", submission.submit, name="submit"),
    path("<int:pk>/status/", submission.status, name="status"),
    path("<int:pk>/withdraw/", submission.withdraw, name="withdraw"),
    path("<int:pk>/draft.pdf", submission.draft_pdf, name="draft_pdf"),
    path("<int:pk>/commitment.pdf", submission.commitment_pdf, name="commitment_pdf"),
    path("<int:pk>/submissions/<int:number>/pdf/", submission.submission_pdf, name="submission_pdf"),
    *evidence_patterns,
    *list_patterns,
]
