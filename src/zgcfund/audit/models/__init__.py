from zgcfund.audit.models.event import AuditEvent, Visibility
from zgcfund.audit.models.security import SecurityEvent, SecurityEventKind

__all__ = ["AuditEvent", "SecurityEvent", "SecurityEventKind", "Visibility"]
