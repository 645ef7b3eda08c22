"""Names every feature shares: the app, the settings and log DocTypes, integrations, log statuses, roles, queues.

Each feature keeps its own names next to it (`revenue_collections/constants.py`,
`customer_experience/constants.py`); this module holds only what more than one feature uses.
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
