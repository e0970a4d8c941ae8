from zgcfund.applications.models.application import Application
from zgcfund.applications.models.evidence import EvidenceFile
from zgcfund.applications.models.notice import RegistrationNotice
from zgcfund.applications.models.record import Record, RecordPhase
from zgcfund.applications.models.submission import Submission

__all__ = ["Application", "EvidenceFile", "Record", "RecordPhase", "RegistrationNotice", "Submission"]
