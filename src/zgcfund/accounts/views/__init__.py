"""Accounts pages, one module per area: ``registration`` (register, privacy notice), ``auth`` (login,
password reset), ``organization`` (organization page, members, invitations), ``office`` (the office's
review of organizations), ``office_accounts`` (the office's accounts page and security log); ``access``
has the shared access checks."""
