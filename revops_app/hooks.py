app_name = "revops_app"
app_title = "RevOps"
app_publisher = "revops_app contributors"
app_description = "Stripe pay links with self-posting Payment Entries, dunning, collections reports and CX outcomes for ERPNext"
app_email = "maintainers@revops-app.invalid"
app_license = "MIT"

required_apps = ["frappe/erpnext"]

export_python_type_annotations = True
require_type_annotated_api_methods = True

after_install = "revops_app.erp.install.after_install"
after_migrate = "revops_app.erp.install.after_migrate"
before_uninstall = "revops_app.erp.install.before_uninstall"
before_tests = "revops_app.tests.utils.before_tests"

scheduler_events = {
	"hourly": [
		"revops_app.erp.integration_log.sweep_stuck_logs",
	],
	"daily_long": [
		"revops_app.erp.dunning.daily",
	],
}

doc_events = {
	"Customer": {
		"validate": "revops_app.erp.dunning.guard_customer_dunning_fields",
	},
}

default_log_clearing_doctypes = {
	"RevOps Integration Log": 90,
}
