from zgcfund.audit.models.event import AuditEvent

__all__ = ["AuditEvent"]
