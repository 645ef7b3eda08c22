"""Step 2, score: every gathered contact (in id order) and, on full passes, every company with contacts.

Pure apart from the model's memos: nothing is compared with the store or written here. Company scores are
computed on full passes (with `scoring.push_company_scores`), where every contact of a company is known, and
on incremental passes for the companies whose earlier write is pending (gather reads all their contacts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sidecar.scoring import LeadSignals, ScoreResult, build_company_signals, build_signals
from sidecar.sync.context import PassContext
from sidecar.sync.gather import Gathered
from sidecar.sync.match import company_id_of

TOP_N = 25  # best scores of a pass kept with their breakdown (PassResult.top)


@dataclass
class ContactScore:
	contact_id: str
	contact: dict
	company_id: str | None
	customer: str | None  # matched ERP customer
	signals: LeadSignals
	result: ScoreResult


@dataclass
class CompanyScore:
	company_id: str
	customer: str | None  # the first matched customer among its contacts
	result: ScoreResult


@dataclass
class Scored:
	contacts: list[ContactScore] = field(default_factory=list)
	companies: list[CompanyScore] | None = None  # None: company scores are not pushed this pass


def score(ctx: PassContext, gathered: Gathered, stats: dict[str, Any]) -> Scored:
	scored = Scored(contacts=_score_contacts(ctx, gathered))
	stats["contacts_scored"] = len(scored.contacts)
	if ctx.cfg.get("scoring.push_company_scores"):
		if ctx.mode == "full":
			scored.companies = _score_companies(ctx, gathered, scored.contacts)
		elif gathered.company_targets:  # a company write that failed before: every contact of it was read
			scored.companies = [
				c
				for c in _score_companies(ctx, gathered, scored.contacts)
				if c.company_id in gathered.company_targets
			]
	return scored


def _score_contacts(ctx: PassContext, gathered: Gathered) -> list[ContactScore]:
	out: list[ContactScore] = []
	total = len(gathered.contacts)
	for n, (cid, contact) in enumerate(sorted(gathered.contacts.items(), key=lambda kv: kv[0])):
		company_id = company_id_of(contact)
		company = gathered.companies.get(company_id) if company_id else None
		customer = gathered.matches.get(cid)
		record = gathered.erp.get(customer) if customer else None
		signals = build_signals(contact, company, record, ctx.as_of)
		result = ctx.model.score(signals, ctx.as_of)
		out.append(ContactScore(cid, contact, company_id, customer, signals, result))
		ctx.report("scoring contacts", n + 1, total)
	return out


def _score_companies(
	ctx: PassContext, gathered: Gathered, contacts: list[ContactScore]
) -> list[CompanyScore]:
	signals_by_company: dict[str, list[LeadSignals]] = {}
	company_customer: dict[str, str] = {}
	for c in contacts:
		if c.company_id:
			signals_by_company.setdefault(c.company_id, []).append(c.signals)
			if c.customer:
				company_customer.setdefault(c.company_id, c.customer)
	out: list[CompanyScore] = []
	for company_id, contact_signals in signals_by_company.items():
		company = gathered.companies.get(company_id)
		if company is None:
			continue
		customer = company_customer.get(company_id)
		record = gathered.erp.get(customer) if customer else None
		company_signals = build_company_signals(company, record, ctx.as_of)
		result = ctx.model.score_company(company_signals, contact_signals, ctx.as_of)
		out.append(CompanyScore(company_id, customer, result))
	return out


def top_scores(scored: Scored, n: int = TOP_N) -> list[dict[str, Any]]:
	"""The `n` best contact scores (ties by id) with name, e-mail, ERP customer and the breakdown."""
	best = sorted(scored.contacts, key=lambda c: (-c.result.total, c.contact_id))[:n]
	out = []
	for c in best:
		props = c.contact.get("properties") or {}
		out.append(
			{
				"contact_id": c.contact_id,
				"name": " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p),
				"email": props.get("email"),
				"erp_customer": c.customer,
				**c.result.to_dict(),
			}
		)
	return out
