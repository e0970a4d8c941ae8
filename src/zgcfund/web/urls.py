from django.urls import include, path

from zgcfund.applications.views import editor
from zgcfund.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("zgcfund.accounts.urls")),
    path("dashboard/", editor.dashboard, name="dashboard"),
    path("applications/", include("zgcfund.applications.urls")),
    path("implementation/", include("zgcfund.implementation.urls")),
    path("office/", include("zgcfund.web.office_urls")),
    path("implementation/", include("zgcfund.implementation.revenue_urls")),
    path("expert/", include("zgcfund.review.expert_urls")),
    path("public/", include("zgcfund.review.public_urls")),
]

# Production (DEBUG off) answers every error with a Chinese page, never Django's debug page: 400.html and
# 404.html (with the site's navigation) through Django's defaults, 403 logged, 500 standalone (no database).
handler400 = "django.views.defaults.bad_request"
handler403 = "zgcfund.web.views.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "zgcfund.web.errors.server_error"
