"""Names of the collections feature: pay links and Stripe webhooks, settlement, disputes, dunning."""

from revops_app.revops.constants import ROLE_ACCOUNTS_MANAGER, ROLE_SYSTEM_MANAGER

# Pay links and the Stripe webhook
PAYMENT_LINK_DOCTYPE = "RevOps Payment Link"
PAY_ROUTE = "pay"  # /pay/<token>, served by revops_app/www/pay.py
WEBHOOK_METHOD = "revops_app.api.webhooks.stripe"
CHECKOUT_METHOD = "revops_app.api.pay.checkout"
# The worker every stored Stripe event is replayed through (registered in RETRYABLE_WORKERS).
STRIPE_WORKER = "revops_app.revenue_collections.settlement.worker.process_event"
DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"

# Custom fields (created by revops_app/revops/custom_fields.py).
CF_PAY_URL = "revops_pay_url"  # Sales Invoice: the customer's /pay/<token> URL ({{ doc.revops_pay_url }})
CF_PAYMENT_INTENT = "revops_payment_intent"  # Payment Entry: the Stripe PaymentIntent it settles/refunds
CF_REFUND_OF = "revops_refund_of"  # Payment Entry (Pay): the receipt it reverses
CF_STRIPE_OBJECT = "revops_stripe_object"  # Payment Entry: refund / dispute id behind a reversal
CF_SETTLEMENT_FLAGS = "revops_settlement_flags"  # Payment Entry: partial, overpayment, fee_not_deducted ...

# Guest rate limits: the pay page's Pay button (per IP and token) and the webhook (per IP).
CHECKOUT_RATE_LIMIT = 10
CHECKOUT_RATE_WINDOW_SECONDS = 10 * 60
# Per link, whatever IP is claimed (X-Forwarded-For can change per request): presses that reach Stripe.
CHECKOUT_LINK_LIMIT = 20
CHECKOUT_LINK_WINDOW_SECONDS = 60 * 60
WEBHOOK_RATE_LIMIT = 600
WEBHOOK_RATE_WINDOW_SECONDS = 60

# Pay page views and previous Checkout Sessions
# The pay page's view beacon (guest, POST, rate-limited per IP and token): a page load is not a view.
VIEW_METHOD = "revops_app.api.pay.view"
VIEW_RATE_LIMIT = 30
VIEW_RATE_WINDOW_SECONDS = 10 * 60

# Stripe payouts (custom_fields.PAYOUT_FIELDS, settlement/payouts.py)
CF_STRIPE_PAYOUT = "revops_stripe_payout"  # Payment Entry (Internal Transfer): the payout id, unique
CF_PAYOUT_TRANSACTIONS = "revops_payout_transactions"  # its balance transactions, each with its voucher
PAYOUT_TRANSACTION_DOCTYPE = "RevOps Payout Transaction"

# Stripe dispute accounting
# Journal Entry custom fields (custom_fields.py here) written by the settlement worker.
CF_JE_STRIPE_DISPUTE = "revops_stripe_dispute"  # the Stripe dispute id a Journal Entry posts money for
# "<dispute id>:withdrawal" / "<dispute id>:reinstatement": unique, so each phase posts once ever.
CF_JE_DISPUTE_POSTING = "revops_dispute_posting"
# Journal Entry Account.user_remark prefix that marks the dispute-fee row (how posted fees are read back).
DISPUTE_FEE_REMARK = "Stripe dispute fee"

# Dunning
DUNNING_POLICY_DOCTYPE = "RevOps Dunning Policy"
DUNNING_POLICY_STEP_DOCTYPE = "RevOps Dunning Policy Step"
DUNNING_POLICY_GROUP_DOCTYPE = "RevOps Dunning Policy Customer Group"
# The reminder log; the aging report reads its sales_invoice, step, sent_at and outcome columns.
DUNNING_REMINDER_DOCTYPE = "RevOps Dunning Reminder"

# Custom fields on Customer (custom_fields.py here, dunning block).
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
DUNNING_MANAGER_ROLES = (ROLE_ACCOUNTS_MANAGER, ROLE_SYSTEM_MANAGER)

# Shipped with the app (dunning/install.py); finance users may edit, never renamed by upgrades.
DEFAULT_DUNNING_POLICY = "Standard Dunning"
DUNNING_TEMPLATE_BEFORE_DUE = "RevOps Dunning: Upcoming Due Date"
DUNNING_TEMPLATE_OVERDUE = "RevOps Dunning: Payment Overdue"
DUNNING_TEMPLATE_FINAL = "RevOps Dunning: Final Notice"

DUNNING_DAILY_JOB = "revops_app.revenue_collections.dunning.run.daily"

# Promises to pay (revenue_collections/promises.py; rules in core/collections/promises.py)
PROMISE_DOCTYPE = "RevOps Payment Promise"
PROMISE_INVOICE_DOCTYPE = "RevOps Payment Promise Invoice"
PROMISE_METHOD = "revops_app.api.pay.promise"  # the invoice pay page's promise form posts here
PROMISE_RATE_LIMIT = 10
PROMISE_RATE_WINDOW_SECONDS = 10 * 60
PROMISE_DAILY_JOB = "revops_app.revenue_collections.promise_resolution.daily"
