"""Who may open which page, and who may do which act: every named URL of the app, for every role.

The URL list comes from the resolver, so a new URL without a row here fails the test.

A GET row says who sees the page. A POST row says what each person's POST does: either the act
is DONE (they land on the row's page and the database shows the act), or it is refused (sent to
log in, 404, 405, 409, the form again with an error, or back with an error message) and nothing
changed. Whatever is not DONE must leave the database as it was; a GET changes nothing either.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.forms import BaseForm
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from arbitration import services as arbitration
from disputes import selectors, services
from disputes.models import DeadlineKind, Dispute, DisputeState, Party, Remedy, SellerRating
from orders import services as order_services
from orders.models import OrderState
from tests.factories import ArbiterFactory, open_dispute
from tests.snapshots import changes, rolled_back, table_digests

# Outcomes. A GET is OK when the page is shown; a POST is DONE when the act happened.
OK, DONE = "ok", "done"
LOGIN, NOT_FOUND, NOT_ALLOWED, CONFLICT = "login", "404", "405", "409"
FORM_ERROR = "form error"  # the form again, with what was wrong
REFUSED = "refused with a message"  # back to the page, with an error message
S = DisputeState
ROLES = ["anonymous", "buyer", "other_buyer", "seller", "other_seller", "arbiter"]


# --- The case each person meets ------------------------------------------------------------------
# Objects belong to `buyer` and `seller`. `w` holds the six people, plus `judge`, an arbiter
# who ruled before an appeal, and `spare`, an arbiter to reassign a case to.


def waiting_for_seller(w):
    return open_dispute(buyer=w.buyer, seller=w.seller)


def waiting_for_buyer(w):
    """The seller rejected the claim and offered 10.00 instead."""
    case = waiting_for_seller(w)
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("10.00"))
    services.dispute_seller_reject(dispute=case, actor=w.seller, explanation="No.", counter=counter)
    return case


def escalated(w):
    case = waiting_for_buyer(w)
    services.dispute_escalate_by_buyer(dispute=case, actor=w.buyer)
    return case


def taken(w):
    """Escalated and taken by `arbiter`."""
    case = escalated(w)
    arbitration.case_take_next(arbiter=w.arbiter)
    return case


def appeal_taken(w):
    """The judge ruled a partial refund, the seller appealed, and `arbiter` took the appeal."""
    case = escalated(w)
    arbitration.case_take_next(arbiter=w.judge)
    decision = arbitration.Decision(
        outcome="partial_refund", rationale="Cracked.", policy_clause="damaged", amount=Decimal(10)
    )
    arbitration.case_rule(dispute=case, arbiter=w.judge, decision=decision)
    services.dispute_appeal(dispute=case, actor=w.seller, statement="Look again.")
    arbitration.case_take_next(arbiter=w.arbiter)
    return case


def withdrawn(w):
    case = waiting_for_seller(w)
    services.dispute_cancel(dispute=case, actor=w.buyer)
    return case


def return_shipped(w):
    """The seller accepted a return and refund; the buyer sent the item back."""
    proposal = services.Proposal(Remedy.RETURN_AND_REFUND)
    case = open_dispute(buyer=w.buyer, seller=w.seller, proposal=proposal)
    services.dispute_seller_accept(dispute=case, actor=w.seller)
    services.dispute_ship_return(
        dispute=case, actor=w.buyer, carrier="dhl", tracking_number="RET00000042"
    )
    return case


def replacement_shipped(w):
    """The seller accepted a replacement and shipped it."""
    proposal = services.Proposal(Remedy.REPLACEMENT)
    case = open_dispute(buyer=w.buyer, seller=w.seller, proposal=proposal)
    services.dispute_seller_accept(dispute=case, actor=w.seller)
    services.dispute_ship_replacement(
        dispute=case, actor=w.seller, carrier="dhl", tracking_number="NEW00000042", delivery_days=7
    )
    return case


def receipt_confirmed(w):
    case = waiting_for_seller(w)
    order_services.order_confirm_receipt(order=case.order, actor=w.buyer)
    return case


# --- What DONE means for each act, read back from the database ----------------------------------


@dataclass(frozen=True)
class Done:
    """The act happened: the POST redirects to `then` and `happened(case, person, client)`."""

    then: str
    happened: Callable[[Dispute, object, object], bool]


def signed_out(case, person, client):
    return "_auth_user_id" not in client.session


def receipt_confirmed_now(case, person, client):
    return case.order.state == OrderState.RECEIVED


def assigned_to_them(case, person, client):
    return case.assignee == person


def unassigned(case, person, client):
    return case.assignee is None


def ruled_by_them(case, person, client):
    return case.state == DisputeState.RESOLVED and case.rulings.filter(arbiter=person).exists()


def appeal_decided_by_them(case, person, client):
    return (
        case.final_at is not None and case.rulings.filter(arbiter=person, on_appeal=True).exists()
    )


def seller_asked_for_evidence(case, person, client):
    return case.evidence_requested_from == Party.SELLER


def rated_by_them(case, person, client):
    return SellerRating.objects.filter(dispute=case, buyer=person, stars=4).exists()


def their_message_posted(case, person, client):
    return case.messages.filter(author=person, body="Hello").exists()


def in_state(state):
    return lambda case, person, client: case.state == state


def refunded_on_return(case, person, client):
    return case.state == DisputeState.RESOLVED and case.refunds.exists()


def delivery_recorded(case, person, client):
    return case.return_delivered_at is not None


def moved_on_by_the_test_clock(case, person, client):
    """The seller's time ran out at once: the claim was carried out, after the move."""
    moved = case.events.filter(code="disputes.sandbox.advanced", actor=person).exists()
    return moved and case.state == DisputeState.RESOLVED


def all_their_notifications_read(case, person, client):
    return not person.notifications.filter(read_at__isnull=True).exists()


def reads_spanish_now(case, person, client):
    """The language cookie says Spanish (taken from the jar, so that the next person's visit
    proves its own), and a signed-in person's account too."""
    cookie = client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    saved = person is None or User.objects.get(pk=person.pk).language == "es"
    return cookie is not None and cookie.value == "es" and saved


@dataclass(frozen=True)
class Row:
    method: str
    expected: dict[str, str]
    given: Callable = waiting_for_seller
    data: Callable | dict = field(default_factory=dict)
    done: Done | None = None
    sandbox: bool = False  # visited in a sandbox deployment (settings.PARLEY_SANDBOX)


def _get(default=NOT_FOUND, anonymous=LOGIN, **per_role):
    return _row("get", default, anonymous, per_role)


def _post(
    default=NOT_FOUND,
    anonymous=LOGIN,
    *,
    given=waiting_for_seller,
    data=None,
    done=None,
    sandbox=False,
    **per_role,
):
    rest = {"given": given, "data": data or {}, "done": done, "sandbox": sandbox}
    return _row("post", default, anonymous, per_role, **rest)


def _row(method, default, anonymous, per_role, **rest):
    expected = {role: per_role.get(role, default) for role in ROLES}
    expected["anonymous"] = anonymous
    return Row(method, expected, **rest)


PARTY_ONLY = {"buyer": OK, "seller": OK}
PREPARED = "back to casefile:export, act not seen"  # an export asked for; the case unchanged
EVIDENCE = {"party": Party.SELLER, "request": "A photo of the label?", "hours": 48}
CONFIRMED = {"confirmed": "1"}  # what an act's confirm step posts (core.confirm)
RULING = {
    "outcome": "full_refund",
    "policy_clause": "damaged",
    "rationale": "Cracked on arrival.",
    **CONFIRMED,
}
UPHOLD = {
    "decision": "uphold",
    "policy_clause": "damaged",
    "rationale": "The ruling stands.",
    **CONFIRMED,
}
RATING = {"stars": 4, "comment": "Fair in the end."}
NEXT_DEADLINE = {"to": "next_deadline"}


def _buyer_claim(case, w):
    return {"offer": selectors.current_offer(case, Party.BUYER).pk, **CONFIRMED}


def _to_spare(case, w):
    return {"to": w.spare.pk}


# url name -> Row. POST rows: the case each person meets (`given`), what is posted, and DONE.
MATRIX = {
    "home": _get(default=OK),
    "login": _get(default=OK, anonymous=OK),
    # Signs out; for an anonymous visitor there is nobody to sign out, the landing is the same.
    "logout": _post(default=DONE, anonymous=DONE, done=Done("login", signed_out)),
    "password_change": _get(default=OK),
    "password_change_done": _get(default=OK),
    # Each person's language and time zone (the act: tests/test_language_and_zone.py).
    "account": _get(default=OK),
    # The header's language switch, on every page, for visitors too.
    "switch_language": _post(
        default=DONE,
        anonymous=DONE,
        data={"language": "es", "next": "/"},
        done=Done("home", reads_spanish_now),
    ),
    "health": _get(default=OK, anonymous=OK),
    "orders:buyer_orders": _get(buyer=OK, other_buyer=OK),
    "orders:buyer_new_order": _get(buyer=OK, other_buyer=OK),
    "orders:buyer_order_detail": _get(buyer=OK),
    "orders:buyer_confirm_receipt": _post(
        buyer=DONE, done=Done("orders:buyer_order_detail", receipt_confirmed_now)
    ),
    "orders:seller_dashboard": _get(seller=OK, other_seller=OK),
    "orders:seller_order_detail": _get(seller=OK),
    "orders:seller_ship": _get(seller=OK),
    "orders:seller_store": _get(seller=OK, other_seller=OK),  # each seller's own store
    "arbitration:queue": _get(arbiter=OK),
    "arbitration:case_clocks": _get(arbiter=OK),
    "arbitration:record_return_delivery": _post(
        given=return_shipped, arbiter=DONE, done=Done("arbitration:case", delivery_recorded)
    ),
    "arbitration:take_next": _post(
        given=escalated, arbiter=DONE, done=Done("arbitration:case", assigned_to_them)
    ),
    "arbitration:metrics": _get(arbiter=OK),
    # A sandbox's test clock (outside one: refused, ILL_TIMED).
    "arbitration:test_clock": _post(
        sandbox=True,
        data=NEXT_DEADLINE,
        arbiter=DONE,
        done=Done("arbitration:case", moved_on_by_the_test_clock),
    ),
    "arbitration:case": _get(arbiter=OK),
    "arbitration:release": _post(
        given=taken, arbiter=DONE, done=Done("arbitration:case", unassigned)
    ),
    # Only a lead arbiter reassigns, and `arbiter` is not one (test_arbitration has a lead).
    "arbitration:reassign": _post(given=taken, data=_to_spare, arbiter=REFUSED),
    "arbitration:rule": _post(
        given=taken, data=RULING, arbiter=DONE, done=Done("arbitration:case", ruled_by_them)
    ),
    "arbitration:decide_appeal": _post(
        given=appeal_taken,
        data=UPHOLD,
        arbiter=DONE,
        done=Done("arbitration:case", appeal_decided_by_them),
    ),
    "arbitration:request_evidence": _post(
        given=taken,
        data=EVIDENCE,
        arbiter=DONE,
        done=Done("arbitration:case", seller_asked_for_evidence),
    ),
    "disputes:appeal": _get(**PARTY_ONLY),
    "disputes:rate": _post(
        given=withdrawn, data=RATING, buyer=DONE, done=Done("disputes:detail", rated_by_them)
    ),
    "disputes:open": _get(buyer=OK),
    "disputes:buyer_list": _get(buyer=OK, other_buyer=OK),
    "disputes:seller_list": _get(seller=OK, other_seller=OK),
    "disputes:detail": _get(**PARTY_ONLY),
    "disputes:message": _post(
        data={"body": "Hello"},
        buyer=DONE,
        seller=DONE,
        done=Done("disputes:detail", their_message_posted),
    ),
    "disputes:modify": _get(buyer=OK),
    "disputes:reject": _get(seller=OK),
    "disputes:seller_accept": _post(
        data=_buyer_claim, seller=DONE, done=Done("disputes:detail", in_state(S.RESOLVED))
    ),
    "disputes:accept_offer": _post(
        given=waiting_for_buyer,
        data=CONFIRMED,
        buyer=DONE,
        done=Done("disputes:detail", in_state(S.RESOLVED)),
    ),
    "disputes:escalate": _post(
        given=waiting_for_buyer, buyer=DONE, done=Done("disputes:detail", in_state(S.ESCALATED))
    ),
    "disputes:cancel": _post(
        data=CONFIRMED, buyer=DONE, done=Done("disputes:detail", in_state(S.CANCELLED))
    ),
    "disputes:ship_return": _get(buyer=OK),
    "disputes:test_clock": _post(
        sandbox=True,
        data=NEXT_DEADLINE,
        buyer=DONE,
        seller=DONE,
        done=Done("disputes:detail", moved_on_by_the_test_clock),
    ),
    "disputes:confirm_return": _post(
        given=return_shipped, seller=DONE, done=Done("disputes:detail", refunded_on_return)
    ),
    "disputes:record_return_delivery": _post(
        given=return_shipped, seller=DONE, done=Done("disputes:detail", delivery_recorded)
    ),
    "disputes:ship_replacement": _get(seller=OK),
    "disputes:confirm_replacement": _post(
        given=replacement_shipped, buyer=DONE, done=Done("disputes:detail", in_state(S.RESOLVED))
    ),
    "notifications:inbox": _get(default=OK),
    "notifications:choices": _get(default=OK),
    # The rules in words are public: every version, signed in or not.
    "policies:current": _get(default=OK, anonymous=OK),
    "policies:version": _get(default=OK, anonymous=OK),
    "notifications:read_all": _post(
        default=DONE, done=Done("notifications:inbox", all_their_notifications_read)
    ),
    # Evidence files: the two parties and arbiters, nobody else.
    "disputes:evidence_file": _get(arbiter=OK, **PARTY_ONLY),
    "disputes:evidence_thumb": _get(arbiter=OK, **PARTY_ONLY),
    # The case file: each party gets theirs, arbiters staff's; nobody else learns it exists.
    "casefile:json": _get(arbiter=OK, **PARTY_ONLY),
    "casefile:evidence": _get(arbiter=OK, **PARTY_ONLY),
    "casefile:pdf": _get(arbiter=OK, **PARTY_ONLY),
    # Preparing a big case's PDF adds an export (no change to the case) and shows its page.
    "casefile:prepare": _post(arbiter=PREPARED, buyer=PREPARED, seller=PREPARED),
    # An export is its asker's alone (tests/test_case_file_pdf_delivery.py); none by this id.
    "casefile:export": _get(),
    "casefile:export_download": _get(),
    # A login link is its own credential: without a valid one, everybody gets the same page and
    # nobody is signed in (valid, used and late links: tests/test_api_login_links.py).
    "integration:login_link": _get(default="410", anonymous="410"),
}

# Django's own admin has its own staff gate and is tested by Django; the API is reached with
# keys, not sessions, and its scoping is tested in tests/test_api_*.py.
EXCLUDED_NAMESPACES = {"admin", "api"}


def _named_urls(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_urls(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


ALL_URLS = dict(_named_urls(get_resolver().url_patterns))


def test_every_url_has_a_row_in_the_matrix():
    assert set(ALL_URLS) == set(MATRIX), "add the new URL to MATRIX with who may see it"


@pytest.fixture
def w(buyer, other_buyer, seller, other_seller, arbiter):
    return SimpleNamespace(
        anonymous=None,
        buyer=buyer,
        other_buyer=other_buyer,
        seller=seller,
        other_seller=other_seller,
        arbiter=arbiter,
        judge=ArbiterFactory(username="jo"),
        spare=ArbiterFactory(username="sam"),
    )


def _kwargs_for(url_name: str, case) -> dict:
    offer = selectors.current_offer(case, Party.SELLER) or case.offers.first()
    values = {
        "reference": case.order.reference,
        "dispute_ref": case.reference,
        "offer_id": offer.pk,
        "public_id": case.evidence.first().public_id,
        "version": case.policy.version,
        "token": "not-a-link",
    }
    return {name: values[name] for name in ALL_URLS[url_name].pattern.converters}


def _has_form_errors(response) -> bool:
    contexts = response.context if isinstance(response.context, list) else [response.context]
    values = [v for c in contexts if c is not None for v in c.flatten().values()]
    return any(isinstance(v, BaseForm) and v.errors for v in values)


def _has_error_message(response) -> bool:
    return any(m.level == messages.ERROR for m in get_messages(response.wsgi_request))


def _outcome(response, row: Row, case, person, client) -> str:
    """What the response and the database say happened, in the matrix's words."""
    status = response.status_code
    if status == 302:
        location = response["Location"]
        if row.done and location == reverse(row.done.then, kwargs=_kwargs_for(row.done.then, case)):
            fresh = Dispute.objects.select_related("order").get(pk=case.pk)
            if row.done.happened(fresh, person, client):
                return DONE
        if location.startswith(reverse("login")):
            return LOGIN
        if row.method == "get":
            return OK
        if _has_error_message(response):
            return REFUSED
        return f"back to {resolve(location.split('?')[0]).view_name}, act not seen"
    if status in (200, 400) and row.method == "post" and _has_form_errors(response):
        return FORM_ERROR
    if status == 200 and row.method == "get":
        return OK
    return str(status)


def _visit(client, url_name, row: Row, person, w, case=None) -> str:
    case = case or row.given(w)
    url = reverse(url_name, kwargs=_kwargs_for(url_name, case))
    data = row.data(case, w) if callable(row.data) else row.data
    client.logout()
    if person is not None:
        client.force_login(person)
    before = table_digests()  # every table an act can write, in one query
    with override_settings(PARLEY_SANDBOX=row.sandbox):
        response = getattr(client, row.method)(url, data)
    outcome = _outcome(response, row, case, person, client)
    if outcome != DONE:
        changed = changes(before, table_digests())
        if changed:
            outcome += f", yet changed {changed}"
    return outcome


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access(client, w, url_name):
    row = MATRIX[url_name]
    case, seen = row.given(w), {}
    for role in ROLES:
        # Each person meets the case alone; what they did is rolled back before the next one
        # (so all meet it as it was made, made once).
        with rolled_back():
            seen[role] = _visit(client, url_name, row, getattr(w, role), w, case)
    assert seen == row.expected, url_name


def _claim_of_whole_order(case, w):
    """A valid change of claim: every line as before, a replacement instead."""
    lines = {f"line_{line.pk}": line.quantity for line in case.order.lines.all()}
    return {"remedy": "replacement", **lines}


def claim_changed(w):
    """The buyer changed the claim after the seller's page showed the first one."""
    case = waiting_for_seller(w)
    services.dispute_modify(
        dispute=case, actor=w.buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    return case


def _first_claim(case, w):
    return {"offer": case.offers.filter(party=Party.BUYER).earliest("pk").pk, **CONFIRMED}


def _stopped_clock(case, w):
    """Extend the seller's answer clock, which stopped when the buyer withdrew."""
    clock = case.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    return {"deadline": clock.pk, "action": "extend", "hours": 24, "reason": "Carrier strike."}


NOTHING_TO_TAKE = "back to arbitration:queue, act not seen"
RETURN_SLIP = {"carrier": "dhl", "tracking_number": "RET00000042"}
REPLACEMENT_SLIP = {"carrier": "dhl", "tracking_number": "NEW00000042", "delivery_days": 7}

# The rightful person at the wrong moment, or with a form that does not hold: refused, and
# nothing changed. (url name, the case they meet, who, method, data, expected)
ILL_TIMED = [
    (
        "disputes:seller_accept",
        waiting_for_seller,
        "seller",
        "post",
        CONFIRMED,
        REFUSED,
    ),  # no offer
    ("disputes:seller_accept", claim_changed, "seller", "post", _first_claim, CONFLICT),
    ("disputes:seller_accept", claim_changed, "seller", "get", _first_claim, CONFLICT),
    ("disputes:accept_offer", waiting_for_seller, "buyer", "post", CONFIRMED, CONFLICT),
    ("disputes:accept_offer", waiting_for_seller, "buyer", "get", {}, CONFLICT),
    ("disputes:escalate", waiting_for_seller, "buyer", "post", {}, CONFLICT),
    ("disputes:cancel", withdrawn, "buyer", "post", CONFIRMED, CONFLICT),
    ("disputes:confirm_return", waiting_for_seller, "seller", "post", {}, CONFLICT),
    ("disputes:message", withdrawn, "seller", "post", {"body": "Hello?"}, CONFLICT),
    ("disputes:message", waiting_for_seller, "buyer", "post", {"body": " "}, FORM_ERROR),
    ("disputes:modify", escalated, "buyer", "post", _claim_of_whole_order, CONFLICT),
    ("disputes:reject", waiting_for_buyer, "seller", "post", {"explanation": "No."}, CONFLICT),
    ("disputes:ship_return", waiting_for_seller, "buyer", "post", RETURN_SLIP, CONFLICT),
    ("disputes:ship_replacement", waiting_for_seller, "seller", "post", REPLACEMENT_SLIP, CONFLICT),
    (
        "disputes:ship_replacement",
        waiting_for_seller,
        "seller",
        "post",
        {"carrier": "dhl"},
        FORM_ERROR,
    ),
    ("disputes:confirm_replacement", waiting_for_seller, "buyer", "post", {}, CONFLICT),
    ("disputes:record_return_delivery", waiting_for_seller, "seller", "post", {}, CONFLICT),
    ("arbitration:record_return_delivery", waiting_for_seller, "arbiter", "post", {}, REFUSED),
    ("disputes:appeal", waiting_for_seller, "seller", "post", {"statement": "Again."}, CONFLICT),
    ("disputes:rate", waiting_for_seller, "buyer", "post", {"stars": 4}, REFUSED),  # still open
    ("disputes:rate", withdrawn, "buyer", "post", {}, FORM_ERROR),
    ("orders:buyer_confirm_receipt", receipt_confirmed, "buyer", "post", {}, REFUSED),
    ("arbitration:take_next", waiting_for_seller, "arbiter", "post", {}, NOTHING_TO_TAKE),
    ("arbitration:release", escalated, "arbiter", "post", {}, REFUSED),  # not taken
    ("arbitration:reassign", taken, "arbiter", "post", {}, REFUSED),  # to nobody
    ("arbitration:rule", escalated, "arbiter", "post", RULING, FORM_ERROR),  # not taken
    ("arbitration:rule", taken, "arbiter", "post", {}, FORM_ERROR),
    ("arbitration:rule", appeal_taken, "arbiter", "post", RULING, REFUSED),  # an appeal
    ("arbitration:decide_appeal", taken, "arbiter", "post", UPHOLD, REFUSED),  # no appeal
    ("arbitration:decide_appeal", appeal_taken, "arbiter", "post", {}, FORM_ERROR),
    ("arbitration:request_evidence", waiting_for_seller, "arbiter", "post", EVIDENCE, REFUSED),
    ("arbitration:case_clocks", withdrawn, "arbiter", "post", _stopped_clock, FORM_ERROR),
    # Not a sandbox deployment: the test clock is refused with its reason.
    ("disputes:test_clock", waiting_for_seller, "buyer", "post", NEXT_DEADLINE, "403"),
    ("disputes:test_clock", waiting_for_seller, "seller", "post", NEXT_DEADLINE, "403"),
    ("arbitration:test_clock", waiting_for_seller, "arbiter", "post", NEXT_DEADLINE, "403"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "given", "who", "method", "data", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1].__name__}-{row[3]}") for row in ILL_TIMED],
)
def test_ill_timed_acts_are_refused_and_change_nothing(
    client, w, url_name, given, who, method, data, expected
):
    row = Row(method, {who: expected}, given=given, data=data)
    assert _visit(client, url_name, row, getattr(w, who), w) == expected, (who, url_name)


@pytest.mark.django_db
def test_not_found_page_is_the_products(client, buyer):
    client.force_login(buyer)
    response = client.get("/buyer/orders/PA-NOPE0000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "find that page" in page and "Go to your portal" in page
