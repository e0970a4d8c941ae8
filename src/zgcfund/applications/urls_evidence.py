"""Evidence file URLs (upload, list, download, thumbnail, delete); included in the ``applications``
namespace under ``/applications/``."""

from django.urls import path

from zgcfund.applications.views import evidence

urlpatterns = [
    path("<int:pk>/records/<int:record_pk>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("<int:pk>/clauses/<str:clause>/list-evidence/", evidence.list_evidence, name="list_evidence"),
    path("evidence/<int:evidence_pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_pk>/thumbnail/", evidence.evidence_thumbnail, name="evidence_thumbnail"),
    path("evidence/<int:evidence_pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("evidence/<int:evidence_pk>/material/", evidence.evidence_material, name="evidence_material"),
]
