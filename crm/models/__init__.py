"""The CRM tables. Importing this package registers every table with SQLModel."""

from crm.models.appointment import HOLD_MINUTES, Appointment, AppointmentStatus, SlotHold
from crm.models.audit import LEGACY_CHAIN, PLATFORM_CHAIN, AuditEvent
from crm.models.base import new_id, utcnow
from crm.models.channel import (
    ChannelConnection,
    ChannelConnectionPublic,
    ChannelKind,
    DeliveryStatus,
    InboundKey,
    InboundState,
    IntakeState,
    LeadAdIntake,
    OutboundDelivery,
    WebhookEvent,
    WebhookStatus,
)
from crm.models.console import ConsoleSession, Invitation, InvitationPurpose
from crm.models.contact import ChannelIdentity, Contact
from crm.models.conversation import (
    Channel,
    Conversation,
    ConversationStatus,
    Message,
    MessageRole,
)
from crm.models.corpus import (
    CORPUS_STYLES,
    ContactPreference,
    CorpusIntake,
    CorpusRecord,
    IntakeOutcome,
    RecordStatus,
    TenantTrainingSettings,
    TenantTrainingSettingsBase,
)
from crm.models.lead import UTM_FIELDS, Lead, LeadSource, LeadStage, Temperature
from crm.models.privacy import (
    LEDGER_TABLES,
    ConsentPurpose,
    ContactConsent,
    ErasureTombstone,
    ExpiredContactAction,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    SubjectKind,
    TenantPrivacySettings,
    TenantPrivacySettingsBase,
    TombstoneKind,
)
from crm.models.staff import ROLE_SCOPES, ApiToken, Role, Scope, User, scopes_for
from crm.models.tenant import (
    ALL_TOOLS,
    WEEKDAYS,
    AgentConfig,
    AgentConfigBase,
    FaqEntry,
    Service,
    Tenant,
    hours_for,
)
from crm.models.verification import VerificationCode

__all__ = [
    "ALL_TOOLS", "HOLD_MINUTES", "UTM_FIELDS", "WEEKDAYS", "AgentConfig", "AgentConfigBase",
    "ApiToken", "Appointment", "AppointmentStatus", "Channel", "ChannelConnection",
    "ChannelConnectionPublic", "ChannelIdentity", "ChannelKind", "Contact", "DeliveryStatus",
    "InboundKey", "InboundState", "IntakeState", "LeadAdIntake", "OutboundDelivery",
    "WebhookEvent", "WebhookStatus",
    "Conversation", "ConversationStatus", "FaqEntry", "Lead", "LeadSource", "LeadStage",
    "Message", "MessageRole", "Role", "Service", "SlotHold", "Temperature", "Tenant", "User",
    "hours_for", "new_id", "utcnow",
    "AuditEvent", "CORPUS_STYLES", "ContactPreference", "CorpusIntake", "CorpusRecord",
    "IntakeOutcome", "RecordStatus", "TenantTrainingSettings", "TenantTrainingSettingsBase",
    "LEDGER_TABLES", "LEGACY_CHAIN", "PLATFORM_CHAIN", "ROLE_SCOPES", "ConsentPurpose",
    "ContactConsent", "ErasureTombstone", "ExpiredContactAction", "PrivacyRequest",
    "RequestStatus", "RequestType", "Scope", "SubjectKind", "TenantPrivacySettings",
    "TenantPrivacySettingsBase", "TombstoneKind", "VerificationCode", "scopes_for",
    "ConsoleSession", "Invitation", "InvitationPurpose",
]
