"""Entries recorded before ``visibility`` existed are office-only (0002's default). Open to the
applicant the ones that are its own actions or outcomes told to it; entries naming experts,
objectors, selection internals, set-up and downloads stay with the office."""

from django.db import migrations

ORGANIZATION_ACTIONS = (
    "application.create", "application.choices", "application.import", "application.submit",
    "record.create", "record.update", "record.delete", "records.import_list",
    "evidence.upload", "evidence.commitment", "evidence.delete",
    "formal.passed", "formal.returned",
    "organization.register", "organization.update", "organization.approve", "organization.reject",
    "invitation.create", "invitation.revoke", "invitation.accept", "member.remove",
    "window.extend",
)


def open_to_organization(apps, schema_editor):  # _base_manager: audit events are append-only (audit.immutable)
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent._base_manager.filter(action__in=ORGANIZATION_ACTIONS).update(visibility="organization")


def back_to_office(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent._base_manager.filter(action__in=ORGANIZATION_ACTIONS).update(visibility="office")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_visibility_security_log"),
    ]

    operations = [
        migrations.RunPython(open_to_organization, back_to_office),
    ]
