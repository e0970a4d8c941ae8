"""Office pages for organizations, accounts and the security log (mounted under /office/ with the
``office`` namespace)."""

from django.urls import path

from zgcfund.accounts.views import office, office_accounts

urlpatterns = [
    path("organizations/", office.organizations, name="organizations"),
    path("organizations/<int:pk>/", office.organization_detail, name="organization_detail"),
    path("accounts/", office_accounts.accounts, name="accounts"),
    path("accounts/new/", office_accounts.account_new, name="account_new"),
    path("accounts/<int:pk>/", office_accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/set-password-link/", office_accounts.account_send_link, name="account_send_link"),
    path("security-log/", office_accounts.security_log_page, name="security_log"),
]
