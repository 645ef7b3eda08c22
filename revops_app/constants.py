"""Names shared by the Frappe glue: DocTypes, integrations, statuses, roles.

One place for every string the glue would otherwise repeat, so a rename is a one-line change
and the schema-fidelity tests can read what the app claims to use.
"""

APP_NAME = "revops_app"

SETTINGS_DOCTYPE = "RevOps Settings"
LOG_DOCTYPE = "RevOps Integration Log"

# Integrations recorded in the shared log (the `integration` Select of RevOps Integration Log).
INTEGRATION_STRIPE = "Stripe"
INTEGRATION_DUNNING = "Dunning"
INTEGRATION_CX = "CX"
INTEGRATION_SIDECAR = "Sidecar"
INTEGRATIONS = (INTEGRATION_STRIPE, INTEGRATION_DUNNING, INTEGRATION_CX, INTEGRATION_SIDECAR)


class LogStatus:
	QUEUED = "Queued"
	SUCCESS = "Success"
	ERROR = "Error"
	INVALID = "Invalid"
	SKIPPED = "Skipped"

	ALL = (QUEUED, SUCCESS, ERROR, INVALID, SKIPPED)
	# A log in one of these states may be replayed by the retry actions.
	RETRYABLE = (QUEUED, ERROR)


# Roles. Finance users work the collections side; System Manager configures.
ROLE_ACCOUNTS_MANAGER = "Accounts Manager"
ROLE_ACCOUNTS_USER = "Accounts User"
ROLE_SYSTEM_MANAGER = "System Manager"
FINANCE_ROLES = (ROLE_ACCOUNTS_MANAGER, ROLE_ACCOUNTS_USER, ROLE_SYSTEM_MANAGER)

# Queues used with frappe.enqueue: webhooks must not wait behind long reports.
QUEUE_WEBHOOKS = "short"
QUEUE_LONG = "long"

# --- Stripe pay links and webhooks (issue 3) ----------------------------------------------------
PAYMENT_LINK_DOCTYPE = "RevOps Payment Link"
PAY_ROUTE = "pay"  # /pay/<token>, served by revops_app/www/pay.py
WEBHOOK_METHOD = "revops_app.api.webhooks.stripe"
CHECKOUT_METHOD = "revops_app.api.pay.checkout"
# The worker every stored Stripe event is replayed through (registered in RETRYABLE_WORKERS).
STRIPE_WORKER = "revops_app.erp.stripe_settlement.process_event"
DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"

# Custom fields (created by revops_app/erp/custom_fields.py).
CF_PAY_URL = "revops_pay_url"  # Sales Invoice: the customer's /pay/<token> URL ({{ doc.revops_pay_url }})
CF_PAYMENT_INTENT = "revops_payment_intent"  # Payment Entry: the Stripe PaymentIntent it settles/refunds
CF_REFUND_OF = "revops_refund_of"  # Payment Entry (Pay): the receipt it reverses
CF_STRIPE_OBJECT = "revops_stripe_object"  # Payment Entry: refund / dispute id behind a reversal
CF_SETTLEMENT_FLAGS = "revops_settlement_flags"  # Payment Entry: partial, overpayment, fee_not_deducted ...

# Guest rate limits: the pay page's Pay button (per IP and token) and the webhook (per IP).
CHECKOUT_RATE_LIMIT = 10
CHECKOUT_RATE_WINDOW_SECONDS = 10 * 60
WEBHOOK_RATE_LIMIT = 600
WEBHOOK_RATE_WINDOW_SECONDS = 60
# --- end Stripe pay links and webhooks ----------------------------------------------------------

# --- customer experience (issue 6) ---------------------------------------------------------------
CX_RESPONSE_DOCTYPE = "CX Survey Response"
CX_SETTINGS_DOCTYPE = "RevOps CX Settings"
CX_TEAM_DOCTYPE = "RevOps CX Team Member"


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

# Custom fields the CX glue writes (declared in erp/custom_fields.py).
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
# --- end customer experience ---------------------------------------------------------------------

# --- dunning (issue 4) ----------------------------------------------------------------------------
DUNNING_POLICY_DOCTYPE = "RevOps Dunning Policy"
DUNNING_POLICY_STEP_DOCTYPE = "RevOps Dunning Policy Step"
DUNNING_POLICY_GROUP_DOCTYPE = "RevOps Dunning Policy Customer Group"
# The reminder log; the aging report reads its sales_invoice, step, sent_at and outcome columns.
DUNNING_REMINDER_DOCTYPE = "RevOps Dunning Reminder"

# Custom fields on Customer (see erp/custom_fields.py, dunning block).
CUSTOMER_DUNNING_POLICY_FIELD = "revops_dunning_policy"
CUSTOMER_PAUSED_UNTIL_FIELD = "revops_dunning_paused_until"
CUSTOMER_PAUSE_REASON_FIELD = "revops_dunning_pause_reason"
CUSTOMER_OPT_OUT_FIELD = "revops_dunning_opt_out"
CUSTOMER_DUNNING_FIELDS = (
	CUSTOMER_DUNNING_POLICY_FIELD,
	CUSTOMER_PAUSED_UNTIL_FIELD,
	CUSTOMER_PAUSE_REASON_FIELD,
	CUSTOMER_OPT_OUT_FIELD,
)
# Who may change those fields (and configure policies); Accounts User only reads.
DUNNING_MANAGER_ROLES = ("Accounts Manager", "System Manager")

# Shipped with the app (erp/dunning_install.py); finance users may edit, never renamed by upgrades.
DEFAULT_DUNNING_POLICY = "Standard Dunning"
DUNNING_TEMPLATE_BEFORE_DUE = "RevOps Dunning: Upcoming Due Date"
DUNNING_TEMPLATE_OVERDUE = "RevOps Dunning: Payment Overdue"
DUNNING_TEMPLATE_FINAL = "RevOps Dunning: Final Notice"

DUNNING_DAILY_JOB = "revops_app.erp.dunning.daily"
# --- end dunning ----------------------------------------------------------------------------------

# --- Stripe dispute accounting (issue 3b) --------------------------------------------------------
# Journal Entry custom fields (revops_app/erp/custom_fields.py) written by erp/stripe_settlement.py.
CF_JE_STRIPE_DISPUTE = "revops_stripe_dispute"  # the Stripe dispute id a Journal Entry posts money for
# "<dispute id>:withdrawal" / "<dispute id>:reinstatement": unique, so each phase posts once ever.
CF_JE_DISPUTE_POSTING = "revops_dispute_posting"
# Journal Entry Account.user_remark prefix that marks the dispute-fee row (how posted fees are read back).
DISPUTE_FEE_REMARK = "Stripe dispute fee"
# --- end Stripe dispute accounting ---------------------------------------------------------------

# --- pay page views and previous sessions (issue 3c) ---------------------------------------------
# The pay page's view beacon (guest, POST, rate-limited per IP and token): a page load is not a view.
VIEW_METHOD = "revops_app.api.pay.view"
VIEW_RATE_LIMIT = 30
VIEW_RATE_WINDOW_SECONDS = 10 * 60
# --- end pay page views and previous sessions ----------------------------------------------------
