"""/office/: the programme office's pages, collected from the apps (namespace ``office``)."""

from django.urls import include, path

from zgcfund.accounts.office_urls import urlpatterns as organization_patterns
from zgcfund.applications.views.notices import office_notices
from zgcfund.programmes.office_urls import urlpatterns as programme_patterns
from zgcfund.review.office_urls import urlpatterns as review_patterns
from zgcfund.web import office_views

app_name = "office"

urlpatterns = [
    path("", office_views.dashboard, name="dashboard"),
    path("notices/", office_notices, name="notices"),
    *organization_patterns,
    *programme_patterns,
    *review_patterns,
    path("implementation/", include("zgcfund.implementation.office_urls")),
]
