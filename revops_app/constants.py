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
