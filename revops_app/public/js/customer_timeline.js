// Customer form: the "Customer Timeline" tab (custom HTML field revops_customer_timeline) lists the rows of
// revops_app.api.signals.customer_timeline (newest first: invoices, payments, reminders, promises, disputes,
// survey responses, recovery Issues, escalations, lead handoffs), each linked to its document; lead handoffs
// also link to the HubSpot task or contact. The endpoint checks read permission on the Customer; the first
// PAGE rows load with the form and "Show more" asks for PAGE more, up to MAX (the endpoint's own cap).
(() => {
	const FIELD = "revops_customer_timeline";
	const PAGE = 20;
	const MAX = 500;
	const esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));
	const is_web_link = (url) => /^https?:\/\//i.test(url || "");

	function row_html(row) {
		const doc_link = is_web_link(row.url) || (row.url || "").startsWith("/")
			? `<a href="${esc(row.url)}">${esc(row.name)}</a>`
			: esc(row.name);
		const outside = is_web_link(row.external_url)
			? ` <a href="${esc(row.external_url)}" target="_blank" rel="noopener noreferrer">${esc(__("open in HubSpot"))}</a>`
			: "";
		return `<tr>
			<td class="text-nowrap">${esc(row.when)}</td>
			<td class="text-nowrap">${esc(__(row.kind))}</td>
			<td><span class="text-muted">${esc(__(row.doctype))}</span> ${doc_link}</td>
			<td>${esc(row.summary)}${outside}</td>
		</tr>`;
	}

	function render(frm, rows, limit) {
		const field = frm.fields_dict[FIELD];
		if (!field) return;
		const $wrapper = field.$wrapper.empty();
		if (!rows.length) {
			$wrapper.html(`<p class="text-muted revops-customer-timeline-empty">${esc(__("Nothing on this customer's timeline yet."))}</p>`);
			return;
		}
		const more = rows.length >= limit && limit < MAX;
		$wrapper.html(`
			<table class="table table-bordered table-condensed revops-customer-timeline">
				<thead><tr><th>${esc(__("When"))}</th><th>${esc(__("What"))}</th>
					<th>${esc(__("Document"))}</th><th>${esc(__("Summary"))}</th></tr></thead>
				<tbody>${rows.map(row_html).join("")}</tbody>
			</table>
			<p class="text-muted small">${esc(__("Newest first; showing {0}.", [rows.length]))}
				${more ? `<button class="btn btn-xs btn-default revops-timeline-more">${esc(__("Show more"))}</button>` : ""}</p>`);
		$wrapper.find(".revops-timeline-more").on("click", () => load(frm, Math.min(limit + PAGE, MAX)));
	}

	function load(frm, limit) {
		const field = frm.fields_dict[FIELD];
		if (!field) return;
		if (frm.is_new()) {
			field.$wrapper.html(`<p class="text-muted">${esc(__("Save the customer to see its timeline."))}</p>`);
			return;
		}
		const customer = frm.doc.name;
		frappe.call({
			method: "revops_app.api.signals.customer_timeline",
			args: { customer, limit },
			callback: (r) => {
				if (frm.doc.name === customer) render(frm, r.message || [], limit);
			},
		});
	}

	frappe.ui.form.on("Customer", {
		refresh(frm) {
			load(frm, PAGE);
		},
	});
})();
