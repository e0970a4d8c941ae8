from django.contrib.auth import views as auth_views
from django.urls import path

from zgcfund.accounts.views import auth, inbox, organization, registration

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", registration.register, name="register"),
    path("register/check-credit-code/", registration.check_credit_code, name="check_credit_code"),
    path("register/sent/", registration.register_sent, name="register_sent"),
    path("register/confirm/<str:token>/", registration.register_confirm, name="register_confirm"),
    path("privacy/", registration.privacy, name="privacy"),
    path("inbox/", inbox.notice_list, name="inbox"),
    path("inbox/<int:pk>/", inbox.notice_detail, name="inbox_notice"),
    path("inbox/read-all/", inbox.notice_read_all, name="inbox_read_all"),
    path("organization/", organization.organization, name="organization"),
    path("organization/edit/", organization.organization_edit, name="organization_edit"),
    path("organization/profile/", organization.organization_profile, name="organization_profile"),
    path("organization/<int:pk>/certificate/", organization.organization_certificate, name="organization_certificate"),
    path("organization/members/", organization.members, name="members"),
    path("organization/members/<int:pk>/remove/", organization.member_remove, name="member_remove"),
    path("organization/invitations/<int:pk>/revoke/", organization.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", organization.invitation_accept, name="invitation_accept"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("set-password/<uidb64>/<token>/", auth.SetPasswordView.as_view(), name="set_password"),
    path("set-password/done/", auth.SetPasswordCompleteView.as_view(), name="set_password_complete"),
]
