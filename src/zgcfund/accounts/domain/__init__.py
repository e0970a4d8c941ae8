"""Accounts services: registration, the office's review of organizations, invitations, organization
edits and login throttling, one module each. This package itself imports nothing from Django models,
so anything may import the constants below."""

PRIVACY_NOTICE_VERSION = "2025-1"
"""Version of the privacy notice (个人信息告知) shown at registration; stored on each organization."""
