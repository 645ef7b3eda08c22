app_name = "revops_app"
app_title = "RevOps"
app_publisher = "revops_app contributors"
app_description = "Stripe pay links with self-posting Payment Entries, dunning, collections reports and CX outcomes for ERPNext"
app_email = "maintainers@revops-app.invalid"
app_license = "MIT"

required_apps = ["frappe/erpnext"]

# The Apps screen (v15 /apps, v16 desktop). /app/... routes work on v16 too (it redirects them to /desk/...).
# v16 also reads the app-level folders workspace_sidebar/ and desktop_icon/ (v15 ignores them).
add_to_apps_screen = [
	{
		"name": "revops_app",
		"logo": "/assets/revops_app/images/revops-logo.svg",
		"title": "RevOps",
		"route": "/app/collections",
		"has_permission": "revops_app.revops.permissions.can_open_app",
	}
]

export_python_type_annotations = True
require_type_annotated_api_methods = True

before_install = "revops_app.revops.install.before_install"
after_install = "revops_app.revops.install.after_install"
after_migrate = "revops_app.revops.install.after_migrate"
before_uninstall = "revops_app.revops.install.before_uninstall"
before_tests = "revops_app.tests.utils.before_tests"

# The app's endpoints answer bad input briefly, including bodies Frappe cannot parse before app code runs.
after_request = ["revops_app.api.arguments.answer_bad_input"]

website_route_rules = [
	{"from_route": "/pay/<token>", "to_route": "pay"},
	{"from_route": "/customer-pay/<token>", "to_route": "customer_pay"},
]

doc_events = {
	"Sales Invoice": {
		"on_submit": [
			"revops_app.revenue_collections.pay_links.on_sales_invoice_submit",
			"revops_app.revenue_collections.customer_pages.on_sales_invoice_submit",
			"revops_app.revops.signals.push.on_change",
		],
		"on_cancel": [
			"revops_app.revenue_collections.pay_links.on_sales_invoice_cancel",
			"revops_app.revops.signals.push.on_change",
		],
	},
	"Payment Entry": {
		"on_submit": [
			"revops_app.revenue_collections.pay_links.on_payment_entry_change",
			"revops_app.revops.signals.push.on_change",
		],
		"on_cancel": [
			"revops_app.revenue_collections.pay_links.on_payment_entry_change",
			"revops_app.revops.signals.push.on_change",
		],
	},
	# real-time push of score-moving changes to the sidecar (revops/signals/push.py)
	"Quotation": {
		"on_submit": "revops_app.revops.signals.push.on_change",
		"on_cancel": "revops_app.revops.signals.push.on_change",
	},
	# a first order is an outcome the sidecar learns from (signals/first_orders.py)
	"Sales Order": {
		"on_submit": "revops_app.revops.signals.push.on_change",
		"on_cancel": "revops_app.revops.signals.push.on_change",
	},
	"Contract": {"on_update": "revops_app.revops.signals.push.on_change"},
	"Issue": {"on_update": "revops_app.revops.signals.push.on_change"},
	"Delivery Note": {
		"on_submit": "revops_app.revenue_collections.pay_links.on_delivery_note_submit",
	},
	"Customer": {
		"validate": "revops_app.revenue_collections.dunning.policies.guard_customer_dunning_fields",
	},
}

scheduler_events = {
	"hourly": [
		"revops_app.revops.jobs.sweep_stuck_logs",
		"revops_app.revenue_collections.settlement.backstop.run",  # Stripe events the webhook missed
		"revops_app.customer_experience.escalation.escalate_slipped_issues",
	],
	"daily": [
		"revops_app.customer_experience.customer_state.refresh_all_customers",
		"revops_app.revenue_collections.settlement.balance_check.run",  # Stripe balance vs clearing account
		"revops_app.revops.signals.push.push_newly_overdue",
		"revops_app.revenue_collections.promise_resolution.daily",  # promises to pay -> Kept / Broken
	],
	"daily_long": [
		"revops_app.revenue_collections.dunning.run.daily",
	],
}

# The Customer form's timeline section (customer_experience/customer_timeline.py via api.signals)
doctype_js = {"Customer": "public/js/customer_timeline.js"}

override_doctype_dashboards = {
	"Customer": "revops_app.customer_experience.dashboard.customer_dashboard",
}

# A log row names the document it is about; deleting that document must not be refused for it.
ignore_links_on_delete = ["RevOps Integration Log"]

default_log_clearing_doctypes = {
	"RevOps Integration Log": 90,
}
