"""Names a sync pass shares with the CLI and the benchmarks: store cursors, HubSpot properties, e-mail rules."""

from __future__ import annotations

from datetime import timedelta

from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY
from sidecar.scoring import COMPANY_PROPERTIES, CONTACT_PROPERTIES

EXTRA_CONTACT_PROPERTIES = (
	"lastmodifieddate",
	"hs_last_sales_activity_timestamp",
	"lifecyclestage",
	"hubspot_owner_id",
)
EXTRA_COMPANY_PROPERTIES = ("hs_lastmodifieddate", "domain", ERP_CUSTOMER_PROPERTY)
# the properties requested from HubSpot: what scoring needs plus what the pass itself reads
CONTACT_READ_PROPERTIES = list(dict.fromkeys([*CONTACT_PROPERTIES, *EXTRA_CONTACT_PROPERTIES]))
COMPANY_READ_PROPERTIES = list(dict.fromkeys([*COMPANY_PROPERTIES, *EXTRA_COMPANY_PROPERTIES]))
CONVERTED_STAGES = {"opportunity", "customer", "evangelist"}
FREEMAIL = {
	"gmail.com",
	"googlemail.com",
	"yahoo.com",
	"hotmail.com",
	"outlook.com",
	"live.com",
	"icloud.com",
	"gmx.de",
	"web.de",
	"proton.me",
}
CURSOR_ERP = "erp_signals"
CURSOR_CONTACTS = "hubspot_contacts_modified"
CURSOR_COMPANIES = "hubspot_companies_modified"
CURSOR_FULL = "last_full_pass"
CURSOR_PROPERTIES = "hubspot_properties_version"
PROPERTIES_VERSION = 1
OVERLAP = timedelta(minutes=5)  # re-read a little before the cursor: HubSpot's search index lags writes
SEARCH_CHUNK = 100  # values per IN filter of a HubSpot search
