"""Models, one module per concept: the study, peer-support operations,
questionnaires, and accounts. Every study model keeps a history (audit trail)
and is soft-deleted."""

from .accounts import ApiToken, Membership, Role, User
from .operations import Allocation, Contact, Person, Policy, StudyDownload
from .questionnaires import QuestionnaireResponse
from .study import Coding, Consent, Employment, Participant, ServiceUse, Site, StudyConfig, Transcript

AUDITED_MODELS = (
    StudyConfig, Site, Participant, Consent, Employment, ServiceUse, Transcript, Coding,
    Person, Allocation, Contact, Policy, QuestionnaireResponse, Membership, User, StudyDownload,
)

__all__ = [
    "AUDITED_MODELS",
    "Allocation",
    "ApiToken",
    "Coding",
    "Consent",
    "Contact",
    "Employment",
    "Membership",
    "Participant",
    "Person",
    "Policy",
    "QuestionnaireResponse",
    "Role",
    "ServiceUse",
    "Site",
    "StudyConfig",
    "StudyDownload",
    "Transcript",
]
