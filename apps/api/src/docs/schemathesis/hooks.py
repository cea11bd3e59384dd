"""Schemathesis hooks of the API's contract test (../schemathesis.spec.ts): what a fuzzer cannot know from a schema.

Each hook stands for one rule that no JSON Schema can state; everything a schema can state is in the document.
"""

import re
import uuid

import schemathesis

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
ENTITY_TAG = re.compile(r'^(?:\*|(?:W/)?"[0-9]{1,15}")$')


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # An Idempotency-Key is single-use (ADR 0008, Stripe's semantics): sent again with another request it is refused
    # with 422 idempotency.key_reused, by design. A well-formed key the generator repeats is made unique; a malformed
    # one is left for the API to refuse.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and IDEMPOTENCY_KEY.match(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    # The coverage phase draws header values from letters and digits only, so it cannot draw an entity tag (quoted):
    # it sends an unquoted one as valid data instead. A valid case gets `*` (whichever version is current).
    if_match = (case.headers or {}).get("If-Match")
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and isinstance(if_match, str) and not ENTITY_TAG.match(if_match):
        case.headers["If-Match"] = "*"
    # A page cursor is opaque: only one the API gave out is valid (a made-up one is 400 pagination.invalid_cursor).
    # Paging is tested by the resources' specs.
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
        # The change feed's cursor is a sequence up to the tenant's newest event (a later one is 400
        # pagination.invalid_cursor): the newest is stored state, which no schema knows.
        if case.operation.path == "/v1/events":
            case.query.pop("after", None)


# Rules across fields of a request, or against what is stored, which no request schema states: a case the schema
# calls valid may break them, and the API refuses it with their code. A refusal with any other code is a rule the
# document should state (apps/api/src/docs/request-strictness.ts) and fails the run.
UNSTATED_RULES = {
    # Webhook URLs: whether a string is an absolute URL by the WHATWG URL parser, whether http is allowed (the tenant's
    # configuration), and whether its host is a public address (what it names or resolves to).
    "webhook_endpoint.invalid_url",
    "webhook_endpoint.insecure_url",
    "webhook_endpoint.private_address",
    # `"*"` (every type) is listed alone: an exclusion between the items of one list. Each item is in the document's
    # enum, so a schema-valid list refused with this code is only ever this rule.
    "webhook_endpoint.unknown_event_type",
    # EN 16931's VAT category rules: which categories take a rate and an exemption reason.
    "vat.exemption_reason_not_allowed",
    "vat.exemption_reason_required",
    "vat.rate_required",
    "vat.rate_not_allowed",
    "vat.rate_must_be_zero",
    "vat.rate_must_be_positive",
    # The CEF VATEX code list (BT-121), taken in any letter case: a JSON Schema enum or pattern compares case, so the
    # document states the list in words (BR-CL-22) and the API checks it.
    "vat.unknown_exemption_code",
    # The largest amount depends on the currency's decimals (`Money.largest`): 9999999999999.99 EUR, 999999999999999 JPY.
    "money.out_of_range",
    # How many decimals an amount may have depends on its currency (2 for EUR, 0 for JPY, 3 for BHD).
    "money.precision_exceeded",
    # Uniqueness of a member across the items of a list (JSON Schema's uniqueItems compares whole items).
    "contact.duplicate_email",
    "marketable.duplicate_currency",
    # A sum over the items of a list.
    "payment_terms.instalments_must_total_100",
    # Billing plans (docs/billing-pricing.md): the tiers of a price rise, and only the last is open (an order across
    # the items of a list); a per-event minimum is not above the maximum (two members compared); charge and discount
    # codes are unique in a plan (a member across items).
    "price_model.tiers_not_rising",
    "price_model.tier_unbounded",
    "price_model.last_tier_bounded",
    "price_model.min_above_max",
    "plan.duplicate_charge_code",
    "plan.duplicate_discount_code",
    # Against what is stored: ending billing needs a plan to end, a plan keeps at most 1,000 versions, and a marketable
    # a charge or line names exists in the tenant and is active.
    "plan.nothing_to_end",
    "plan.too_many_versions",
    "line.marketable_not_found",
    "line.marketable_inactive",
    # A real billing run bills days that have begun: the latest `asOf` is today, a date no schema knows.
    "billing_run.as_of_in_future",
    # An e-invoice file is a body of bytes (`type: string`): that it is safe, well-formed UTF-8 XML with a UBL or CII
    # root is for the XML reader to say (ADR 0014, 0016). No JSON Schema describes XML, so any string is schema-valid.
    "format.doctype_refused",
    "format.too_deep",
    "format.malformed",
    "format.not_utf8",
    "format.unknown_root",
    "format.wrong_namespace",
    "format.invalid_base64",
}


@schemathesis.check
def refusals_name_unstated_rules(ctx, response, case):
    """A schema-valid request refused with 400 or 422 names only rules of UNSTATED_RULES (or any 422 rule of state)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        problem = response.json()
    except ValueError:
        raise AssertionError("a 400 answer without a problem document")
    codes = {issue.get("code") for issue in problem.get("errors") or []} or {problem.get("code")}
    stated = sorted(str(code) for code in codes - UNSTATED_RULES)
    if stated:
        raise AssertionError(
            f"Schema-valid data refused with {', '.join(stated)}: state the rule in the document, "
            "or add it to UNSTATED_RULES (apps/api/src/docs/schemathesis/hooks.py) saying why no schema can"
        )
    return None
