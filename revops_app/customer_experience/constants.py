"""Names of the customer-experience feature: survey responses, CX settings, roles, shipped records, custom fields."""

from revops_app.revops.constants import ROLE_ACCOUNTS_MANAGER, ROLE_SYSTEM_MANAGER

CX_RESPONSE_DOCTYPE = "CX Survey Response"
CX_SETTINGS_DOCTYPE = "RevOps CX Settings"
CX_TEAM_DOCTYPE = "RevOps CX Team Member"


# Issue statuses that count as open (ERPNext's Issue.status).
OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")

# The worker a failed rules run is replayed through from its RevOps Integration Log row (registered in
# revops_app.revops.jobs.RETRYABLE_WORKERS), and the idempotency key of that row: one per response.
CX_RULES_WORKER = "revops_app.customer_experience.rules.reapply_rules"
CX_RULES_EVENT = "rules"


def rules_failure_key(response: str) -> str:
	return f"cx-rules:{response}"


class CXStatus:
	PROCESSED = "Processed"
	UNMATCHED = "Unmatched"
	ERROR = "Error"

	ALL = (PROCESSED, UNMATCHED, ERROR)


# Results per item of revops_app.api.cx.ingest_responses (the sidecar codes against these).
class IngestResult:
	CREATED = "created"
	DUPLICATE = "duplicate"
	UNMATCHED = "unmatched"
	ERROR = "error"


# The integration user the sidecar authenticates as (API key + secret) holds this role.
ROLE_CX_INTEGRATION = "RevOps CX Integration"
ROLE_SUPPORT_TEAM = "Support Team"
ROLE_SALES_MANAGER = "Sales Manager"
CX_READ_ROLES = (ROLE_ACCOUNTS_MANAGER, ROLE_SALES_MANAGER, ROLE_SUPPORT_TEAM, ROLE_SYSTEM_MANAGER)

# Records the install step creates (names are what the desk shows).
CX_DEFAULT_SLA = "RevOps CX Recovery"
CX_HOLIDAY_LIST = "RevOps CX Support Calendar"
CX_THANK_YOU_TEMPLATE = "RevOps CX Promoter Thank You"
CX_ESCALATION_TEMPLATE = "RevOps CX Escalation"

# Custom fields the CX glue writes (declared in custom_fields.py here).
CF_ISSUE_CX_RESPONSE = "revops_cx_survey_response"
CF_ISSUE_CX_ESCALATION_LEVEL = "revops_cx_escalation_level"
CF_CUSTOMER_LATEST_NPS = "revops_latest_nps"
CF_CUSTOMER_LATEST_CSAT = "revops_latest_csat"
CF_CUSTOMER_LATEST_CES = "revops_latest_ces"
CF_CUSTOMER_CX_SEGMENT = "revops_cx_segment"
CF_CUSTOMER_CHURN_RISK = "revops_churn_risk"
CF_CUSTOMER_CHURN_REASON = "revops_churn_risk_reason"
CF_CUSTOMER_CHURN_FLAGGED_ON = "revops_churn_flagged_on"
CF_CUSTOMER_CX_TIMELINE = "revops_cx_timeline"
CF_CUSTOMER_CX_UPDATED_ON = "revops_cx_updated_on"
# The Customer's CX state as the rules keep it (latest scores, segment, churn risk and why).
CX_STATE_FIELDS = (
	CF_CUSTOMER_LATEST_NPS,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_FLAGGED_ON,
)
