"""Hostile input on every page: no 5xx, and nothing changes unless the act was the person's to do.

Every named URL of the app (walked from the resolver, as tests/test_access.py does) meets every
role (buyer, seller, arbiter, outsider, anonymous) with generated requests: a GET or a POST, on
the person's own case or order, on another party's, or on a made-up reference; with query
strings and bodies whose fields are valid, missing, or hostile (huge numbers, Unicode digits,
negative, zero and over-precise amounts, overlong strings, HTML, SQL, paths, NUL bytes, ids of
other parties' objects, junk files). Each request must answer below 500, and the rows an act can
write (orders, disputes, offers, clocks, timeline, messages, money, notifications, ...) must
stay exactly as they were unless the request was the act of someone allowed to do it, on their
own case, and the page said it was done.

The world (two parties with a case in every state, another pair with cases of their own, three
arbiters, an outsider) is built once for the module, inside a transaction rolled back at the end;
each request runs in a savepoint rolled back after it, so every example meets the same world.

Server errors already known (KNOWN_BUGS) are each reproduced exactly by a strict xfail test
below; the fuzz tells them apart from new ones by the view, the input that triggers them and the
exception. When a view is fixed, its xfail test passes, fails as XPASS, and both go.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.urls.converters import UUIDConverter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import casefile.pdf_views
from disputes.models import Deadline, Dispute
from tests.factories import ArbiterFactory, BuyerFactory, SellerFactory, shipped_order
from tests.snapshots import rolled_back, table_digests
from tests.test_access import (
    ALL_URLS,
    appeal_taken,
    escalated,
    return_shipped,
    taken,
    waiting_for_buyer,
    waiting_for_seller,
    withdrawn,
)

# Each test is bounded; a hang (a lock never released, say) fails instead of stalling the suite.
pytestmark = pytest.mark.timeout(180)

ROLES = ["buyer", "seller", "arbiter", "outsider", "anonymous"]
EXAMPLES = 24  # per (URL, role): 48 URLs x 5 roles x 24 = 5,760 requests

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- Hostile values -----------------------------------------------------------------------------

NUMBERS = [
    "0", "-0", "-1", "-0.01", "0.001", "12.345", "1e5", "1e1000000", "-1e1000000", "1E-7",
    "9" * 20, "9" * 5000, "NaN", "sNaN", "Infinity", "-inf", "1_000", " 12 ", "0x1F", "+5",
    "1,5", "²", "٣", "１２", "½", "١٢٫٥", "߃", "2147483648", "-9223372036854775809",
]  # fmt: skip
TEXT = [
    "", " ", "\t\n", "x" * 256, "x" * 4001, "x" * 6001, "é" * 20_000,
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7|add:7 }}", "{% debug %}",
    "' OR '1'='1", "'; DROP TABLE disputes_dispute; --", "1) UNION SELECT password FROM auth--",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "/dev/zero", "%00", "\x00", "a\x00b",
    "\u202egnp.exe", "🙂" * 50, "ﷺ", "𝟙𝟚", "\r\nSet-Cookie: x=1", "//evil.example/",
    "https://evil.example/", "javascript:alert(1)", "None", "null", "true", "[]", "{}",
]  # fmt: skip


# Any character a browser can send (UTF-8 cannot carry lone surrogates).
CHARACTERS = st.characters(exclude_categories=["Cs"])


def hostile() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS + TEXT),
        st.text(CHARACTERS, max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    )


def either(*good: str) -> st.SearchStrategy[str]:
    """A valid value half the time (to get past the first check), hostile otherwise."""
    return st.one_of(st.sampled_from(good), hostile()) if good else hostile()


AMOUNT = either("10", "20.00", "0.01", "49.99", "50", "50.01", "1000")
WHOLE = either("1", "2", "24", "48", "0", "-3", "720", "721")
WORDS = either("Hello", "Cracked on arrival.", "The carrier confirmed a delay.")
BOOL = either("on", "true", "1", "", "off", "false")


def ids(world, pool: str) -> st.SearchStrategy[str]:
    """Ids of the world's objects of one kind (the person's own and other parties'), or not."""
    return either(*[str(pk) for pk in getattr(world.ids, pool)])


def junk_photos() -> st.SearchStrategy[list[SimpleUploadedFile]]:
    """Files that are not photos (real photo uploads are the evidence tests' business)."""
    names = st.sampled_from(["photo.jpg", "x.png", "../../x.jpg", "a\x00.jpg", "é" * 300 + ".heic"])
    content = st.sampled_from([b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"GIF89a"])
    upload = st.builds(
        lambda n, c: SimpleUploadedFile(n, c, content_type="image/jpeg"), names, content
    )
    return st.lists(upload, max_size=2)


# --- What each URL takes ------------------------------------------------------------------------
# Field -> value strategy, given the world. Every URL has an entry (checked below), so a new page
# is fuzzed from the day it exists.

Fields = dict[str, Callable[[Any], st.SearchStrategy]]

RULING: Fields = {
    "outcome": lambda w: either(
        "full_refund", "partial_refund", "return_then_refund", "claim_rejected"
    ),
    "amount": lambda w: AMOUNT,
    "policy_clause": lambda w: either("damaged", "not_received", "not_as_described"),
    "rationale": lambda w: WORDS,
    "cited_evidence": lambda w: st.lists(ids(w, "evidence"), max_size=3),
    "seller_violation": lambda w: BOOL,
    "penalty_note": lambda w: WORDS,
}
PROPOSAL: Fields = {
    "remedy": lambda w: either("full_refund", "partial_refund", "replacement", "return_and_refund"),
    "amount": lambda w: AMOUNT,
    "photos": lambda w: junk_photos(),
}
LINES: Fields = {
    "lines-TOTAL_FORMS": lambda w: either("1", "3", "10", "11", "1000"),
    "lines-INITIAL_FORMS": lambda w: either("0"),
    "lines-MAX_NUM_FORMS": lambda w: either("10"),
    **{
        f"lines-{i}-{name}": value
        for i in range(2)
        for name, value in [
            ("title", lambda w: WORDS),
            ("quantity", lambda w: WHOLE),
            ("unit_price", lambda w: AMOUNT),
        ]
    },
}

FIELDS: dict[str, Fields] = {
    "home": {},
    "login": {
        "username": lambda w: either("bea", "sid", "ada", "x" * 300),
        "password": lambda w: either("pw-for-tests", "wrong"),
        "next": lambda w: either("/", "/buyer/orders/", "//evil.example/", "https://evil.example/"),
        "time_zone": lambda w: either("America/Sao_Paulo", "Asia/Vladivostok", "Mars/Base"),
    },
    "logout": {"next": lambda w: either("/", "//evil.example/")},
    "account": {
        "language": lambda w: either("en", "es", "pt-br", "ru", "de", "EN"),
        "time_zone": lambda w: either(
            "Europe/Lisbon", "america/sao paulo", "UTC", "Mars/Base", "../../etc/passwd"
        ),
    },
    "switch_language": {
        "language": lambda w: either("en", "es", "pt-br", "ru", "de"),
        "next": lambda w: either("/", "/buyer/orders/", "//evil.example/", "https://evil.example/"),
    },
    "password_change": {
        "old_password": lambda w: either("pw-for-tests", "wrong"),
        "new_password1": lambda w: either("Brand-new-passw0rd!", "short"),
        "new_password2": lambda w: either("Brand-new-passw0rd!", "other"),
    },
    "password_change_done": {},
    "health": {"format": lambda w: either("json")},
    "orders:buyer_orders": {"page": lambda w: WHOLE},
    "orders:buyer_new_order": {
        "store": lambda w: ids(w, "stores"),
        "currency": lambda w: either("USD", "EUR", "GBP", "XXX"),
        **LINES,
    },
    "orders:buyer_order_detail": {},
    "orders:buyer_confirm_receipt": {},
    "orders:seller_dashboard": {"ship_page": lambda w: WHOLE, "shipped_page": lambda w: WHOLE},
    "orders:seller_order_detail": {},
    "orders:seller_ship": {
        "carrier": lambda w: either("dhl", "ups", "royal_mail"),
        "tracking_number": lambda w: either("JD014600003828", "RET00000042", "12-34 56 78"),
        "delivery_days": lambda w: WHOLE,
        "ships_all": lambda w: BOOL,
    },
    "arbitration:queue": {
        "reason": lambda w: either("damaged", "not_received"),
        "min_amount": lambda w: AMOUNT,
        "max_amount": lambda w: AMOUNT,
        "min_age_days": lambda w: WHOLE,
        "assignee": lambda w: st.one_of(either("me", "unassigned"), ids(w, "users")),
        "appeals": lambda w: BOOL,
        "after": lambda w: either(*w.cursors),
    },
    "arbitration:case_clocks": {
        "deadline": lambda w: ids(w, "deadlines"),
        "action": lambda w: either("extend", "pause", "resume"),
        "hours": lambda w: WHOLE,
        "reason": lambda w: WORDS,
    },
    "arbitration:take_next": {},
    "arbitration:metrics": {},
    "arbitration:case": {},
    "arbitration:release": {},
    "arbitration:reassign": {"to": lambda w: ids(w, "users")},
    # `confirmed`: the confirm step's field (core.confirm); without it the act only asks.
    "arbitration:rule": {"confirmed": lambda w: BOOL, **RULING},
    "arbitration:decide_appeal": {
        "decision": lambda w: either("uphold", "replace"),
        "confirmed": lambda w: BOOL,
        **RULING,
    },
    "arbitration:request_evidence": {
        "party": lambda w: either("buyer", "seller", "arbiter"),
        "request": lambda w: WORDS,
        "hours": lambda w: WHOLE,
    },
    "disputes:appeal": {"statement": lambda w: WORDS, "photos": lambda w: junk_photos()},
    "disputes:rate": {"stars": lambda w: either("1", "4", "5", "6"), "comment": lambda w: WORDS},
    "disputes:open": {
        "reason": lambda w: either("damaged", "not_received", "wrong_item", "in_transit"),
        "description": lambda w: WORDS,
        **PROPOSAL,
    },
    "disputes:buyer_list": {"page": lambda w: WHOLE},
    "disputes:seller_list": {
        "page": lambda w: WHOLE,
        "behind": lambda w: either("disputes", "silence", "against", "penalties", "bad"),
        "days": lambda w: WHOLE,
    },
    "disputes:detail": {},
    "notifications:choices": {
        "updates": lambda w: BOOL,
        "messages": lambda w: BOOL,
        "reminders": lambda w: BOOL,
        "casework": lambda w: BOOL,
    },
    "policies:current": {},
    "policies:version": {},
    # A login link's page: its POST signs in with a link's token (none here is a real link).
    "integration:login_link": {},
    "disputes:message": {"body": lambda w: WORDS, "photos": lambda w: junk_photos()},
    "disputes:modify": {"note": lambda w: WORDS, **PROPOSAL},
    "disputes:reject": {
        "explanation": lambda w: WORDS,
        "counter_remedy": lambda w: either("", "partial_refund", "replacement", "full_refund"),
        "counter_amount": lambda w: AMOUNT,
        "photos": lambda w: junk_photos(),
    },
    "disputes:seller_accept": {"offer": lambda w: ids(w, "offers"), "confirmed": lambda w: BOOL},
    "disputes:accept_offer": {"confirmed": lambda w: BOOL},
    "disputes:escalate": {},
    "disputes:cancel": {"confirmed": lambda w: BOOL},
    "disputes:ship_return": {
        "carrier": lambda w: either("dhl", "ups"),
        "tracking_number": lambda w: either("RET00000042", "x"),
    },
    "disputes:confirm_return": {},
    "disputes:record_return_delivery": {},
    "arbitration:record_return_delivery": {
        "delivered_at": lambda w: either(
            "2026-12-05T10:15", "2026-13-45T99:99", "9999-12-31T23:59"
        ),
    },
    "disputes:ship_replacement": {
        "carrier": lambda w: either("dhl", "ups", "nope"),
        "tracking_number": lambda w: either("NEW00000042", "x" * 60),
        "delivery_days": lambda w: WHOLE,
    },
    "disputes:confirm_replacement": {},
    "disputes:test_clock": {"to": lambda w: either("next_deadline", "end", "tomorrow")},
    "arbitration:test_clock": {"to": lambda w: either("next_deadline", "end", "tomorrow")},
    "orders:seller_store": {
        "return_address": lambda w: WORDS,
        "return_postage_payer": lambda w: either("buyer", "seller", "nobody"),
    },
    "notifications:inbox": {"page": lambda w: WHOLE},
    "notifications:read_all": {},
    "disputes:evidence_file": {},
    "disputes:evidence_thumb": {},
    # The case file: its downloads, and asking a worker for a big case's PDF.
    "casefile:json": {},
    "casefile:evidence": {},
    "casefile:pdf": {},
    "casefile:prepare": {},
    "casefile:export": {},
    "casefile:export_download": {},
}

# Who may change anything through each URL (on their own case or order; arbiters on any case).
# Everyone else's request, and any refused request, must leave every row as it was.
MAY_ACT: dict[str, set[str]] = {
    "orders:buyer_new_order": {"buyer", "outsider"},
    "orders:buyer_confirm_receipt": {"buyer"},
    "orders:seller_ship": {"seller"},
    "arbitration:case_clocks": {"arbiter"},
    "arbitration:take_next": {"arbiter"},
    "arbitration:release": {"arbiter"},
    "arbitration:rule": {"arbiter"},
    "arbitration:decide_appeal": {"arbiter"},
    "arbitration:request_evidence": {"arbiter"},
    # arbitration:reassign: only lead arbiters, and nobody here is one.
    "disputes:open": {"buyer"},
    "disputes:appeal": {"buyer", "seller"},
    "disputes:rate": {"buyer"},
    "disputes:message": {"buyer", "seller"},
    "disputes:modify": {"buyer"},
    "disputes:reject": {"seller"},
    "disputes:seller_accept": {"seller"},
    "disputes:accept_offer": {"buyer"},
    "disputes:escalate": {"buyer"},
    "disputes:cancel": {"buyer"},
    "disputes:ship_return": {"buyer"},
    "disputes:confirm_return": {"seller"},
    "disputes:record_return_delivery": {"seller"},
    "arbitration:record_return_delivery": {"arbiter"},
    "disputes:ship_replacement": {"seller"},
    "disputes:confirm_replacement": {"buyer"},
    # The test clock, fuzzed in a sandbox (IN_A_SANDBOX): the parties on their case, staff on any.
    "disputes:test_clock": {"buyer", "seller"},
    "arbitration:test_clock": {"arbiter"},
    "orders:seller_store": {"seller"},
    # Asks for a case file's PDF (an export row; not a watched table): listed for the record.
    "casefile:prepare": {"buyer", "seller", "arbiter"},
    "notifications:read_all": {"buyer", "seller", "arbiter", "outsider"},
    # Only the person's own account row (not a watched table): listed for the record.
    "account": {"buyer", "seller", "arbiter", "outsider"},
    "switch_language": {"buyer", "seller", "arbiter", "outsider", "anonymous"},
}


# --- Server errors already known -------------------------------------------------------------
# Each: the URLs, whether a request is the known trigger, and the strict xfail test reproducing
# it. Anything else that raises fails the fuzz.


@dataclass(frozen=True)
class Known:
    urls: set[str] | None  # None: any URL
    triggered: Callable[["Request", BaseException], bool]
    test: str


def _param(request: "Request", name: str) -> str:
    value = request.data.get(name, "")
    return value if isinstance(value, str) else ""


def _not_ascii_int(value: str) -> bool:
    return not re.fullmatch(r"[0-9]{1,18}", value)


KNOWN_BUGS: dict[str, Known] = {}  # none left: each fixed cause keeps its test below


def known_bug(request: "Request", exc: BaseException) -> str | None:
    for name, known in KNOWN_BUGS.items():
        if (known.urls is None or request.url_name in known.urls) and known.triggered(request, exc):
            return name
    return None


# --- The world ---------------------------------------------------------------------------------


def _cases(w) -> list[Dispute]:
    # Assigned cases first: take-next hands out the most urgent unassigned one.
    return [
        taken(w),
        appeal_taken(w),
        waiting_for_seller(w),
        waiting_for_buyer(w),
        return_shipped(w),
        withdrawn(w),
    ]


def build_world() -> SimpleNamespace:
    arbiters: list[Any] = [ArbiterFactory(username=name) for name in ("ada", "jo", "sam")]
    own = SimpleNamespace(
        buyer=BuyerFactory(username="bea"),
        seller=SellerFactory(username="sid"),
        arbiter=arbiters[0],
        judge=arbiters[1],
        spare=arbiters[2],
    )
    other = SimpleNamespace(
        buyer=BuyerFactory(username="oscar"),
        seller=SellerFactory(username="sue"),
        arbiter=arbiters[0],
        judge=arbiters[1],
        spare=arbiters[2],
    )
    own_cases = _cases(own)
    other_cases = [waiting_for_seller(other), escalated(other)]
    own_orders = [
        shipped_order(buyer=own.buyer, seller=own.seller),
        *[case.order for case in own_cases],
    ]
    other_orders = [shipped_order(buyer=other.buyer, seller=other.seller)]
    disputes = own_cases + other_cases
    world = SimpleNamespace(
        people={
            "buyer": own.buyer,
            "seller": own.seller,
            "arbiter": own.arbiter,
            "outsider": BuyerFactory(username="olga"),
            "anonymous": None,
        },
        own_disputes=[d.reference for d in own_cases],
        other_disputes=[d.reference for d in other_cases],
        own_orders=[o.reference for o in own_orders],
        other_orders=[o.reference for o in other_orders],
        own_evidence=[str(e.public_id) for d in own_cases for e in d.evidence.all()],
        other_evidence=[str(e.public_id) for d in other_cases for e in d.evidence.all()],
        own_offers=[o.pk for d in own_cases for o in d.offers.all()],
        other_offers=[o.pk for d in other_cases for o in d.offers.all()],
        policy_versions=sorted({d.policy.version for d in disputes}),
        login_tokens=["not-a-link", "x" * 200],
        ids=SimpleNamespace(
            evidence=[e.pk for d in disputes for e in d.evidence.all()],
            offers=[o.pk for d in disputes for o in d.offers.all()],
            deadlines=list(Deadline.objects.values_list("pk", flat=True)),
            users=[own.buyer.pk, own.seller.pk, *[a.pk for a in arbiters], other.buyer.pk],
            stores=[own.seller.store.pk, other.seller.store.pk],
        ),
        cursors=["", "e30:1abc:xyz", "W10:1tQ3Zd:zzz"],
    )
    world.clients = {role: _client(person) for role, person in world.people.items()}
    world.digests = table_digests()
    return world


def _client(person) -> SimpleNamespace:
    client = Client(raise_request_exception=True)
    if person is not None:
        client.force_login(person)
    session = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return SimpleNamespace(client=client, session=session.value if session else None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True, scope="module")
def _quiet_logs():
    """4xx answers log a warning each and known 500s an error: thousands of lines otherwise."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


# --- Requests ------------------------------------------------------------------------------------


@dataclass
class Request:
    url_name: str
    method: str
    kwargs: dict[str, Any]
    target: str  # "own", "other", "made up" or "none"
    data: dict[str, Any]

    def __repr__(self) -> str:
        short = {k: (v[:40] + f"…({len(v)})" if isinstance(v, str) and len(v) > 40 else v)
                 for k, v in self.data.items()}  # fmt: skip
        return f"{self.method.upper()} {self.url_name} {self.kwargs!r:.120} {self.target} {short}"


MADE_UP_REFS = st.one_of(
    st.sampled_from(["DS-NOPE0000", "PA-NOPE0000", "a\x00b", "%00", "..", "x" * 300, "é", "0"]),
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="/"), min_size=1, max_size=30
    ),
)
PATH_VALUES = {
    # converter name -> (own, other) lists in the world, and made-up values
    "dispute_ref": ("own_disputes", "other_disputes", MADE_UP_REFS),
    "reference": ("own_orders", "other_orders", MADE_UP_REFS),
    "public_id": (
        "own_evidence",
        "other_evidence",
        st.uuids().map(str),
    ),
    "offer_id": (
        "own_offers",
        "other_offers",
        st.integers(min_value=0, max_value=10**30),
    ),
    # Policy versions are public: "own" and "other" are the same versions.
    "version": ("policy_versions", "policy_versions", st.integers(min_value=0, max_value=10**30)),
    # Login links: no real one exists in this world, so every token is unknown (a 410 page).
    "token": ("login_tokens", "login_tokens", st.text(min_size=1, max_size=300)),
}


def requests(world, url_name: str) -> st.SearchStrategy[Request]:
    """A URL's requests. The strategies are built once per test, not at every example (building
    them again each time cost as much as a quarter of the fuzz's time)."""
    converters = list(ALL_URLS[url_name].pattern.converters)
    values = {}
    for name in converters:
        own, other, made_up = PATH_VALUES[name]
        values[name] = {
            "own": st.sampled_from(getattr(world, own)),
            "other": st.sampled_from(getattr(world, other)),
            "made up": made_up,
        }
    fields = FIELDS[url_name]
    data = st.fixed_dictionaries(
        {}, optional={name: value(world) for name, value in fields.items()}
    )
    extra = st.dictionaries(st.sampled_from(["id", "pk", "x" * 300, "é"]), hostile(), max_size=1)
    return _requests(url_name, values, data, extra)


@st.composite
def _requests(draw, url_name: str, values: dict, data_: st.SearchStrategy, extra) -> Request:
    target = "none"
    kwargs: dict[str, Any] = {}
    if values:
        target = draw(st.sampled_from(["own", "own", "other", "made up"]))
    for name, strategies in values.items():
        kwargs[name] = draw(strategies[target])
    data = draw(data_)
    data.update(draw(extra))
    method = draw(st.sampled_from(["get", "post", "post"]))
    if method == "get":
        data = {k: v for k, v in data.items() if not _is_files(v)}
    return Request(url_name, method, kwargs, target, data)


def _is_files(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, SimpleUploadedFile) for v in value)


def _signed_in(world, role: str) -> Client:
    """The role's client with its session cookie only (no messages left from a last request)."""
    holder = world.clients[role]
    holder.client.cookies = SimpleCookie()
    if holder.session:
        holder.client.cookies[django_settings.SESSION_COOKIE_NAME] = holder.session
    return holder.client


def _refused(response) -> bool:
    """The answer says nothing was done: any status but a redirect, a redirect to sign in, or
    back with an error message."""
    if response.status_code != 302:
        return True
    if response["Location"].startswith(reverse("login")):
        return True
    return any(m.level >= messages.WARNING for m in get_messages(response.wsgi_request))


# URLs that act only in a sandbox deployment, fuzzed in one (outside one they only refuse, which
# tests/test_access.py and tests/test_test_clock_pages.py show).
IN_A_SANDBOX = {"disputes:test_clock", "arbitration:test_clock"}


def send(world, role: str, request: Request) -> None:
    client = _signed_in(world, role)
    url = _path(request.url_name, request.kwargs)
    for value in request.data.values():  # a file is read once per request
        if _is_files(value):
            for upload in value:
                upload.seek(0)
    try:
        sandbox = override_settings(PARLEY_SANDBOX=request.url_name in IN_A_SANDBOX)
        with rolled_back(), sandbox:
            response = getattr(client, request.method)(url, request.data)
            changed = [t for t, d in table_digests().items() if world.digests[t] != d]
    except Exception as exc:
        bug = known_bug(request, exc)
        if bug is None:
            raise AssertionError(f"server error on {request!r}: {exc!r}") from exc
        event(f"known bug: {bug}")
        return
    assert response.status_code < 500, (request, response.status_code)
    event(f"{request.method} {response.status_code}")
    if changed:
        may = role in MAY_ACT.get(request.url_name, set()) and (
            request.target in ("own", "none") or role == "arbiter"
        )
        assert may and not _refused(response), (
            f"{role}'s {request!r} answered {response.status_code} and changed {changed}"
        )


def test_at_least_5000_requests_in_all():
    assert len(ALL_URLS) * len(ROLES) * EXAMPLES >= 5000


def test_every_url_has_its_fields():
    assert set(FIELDS) == set(ALL_URLS), "add the new URL's fields to FIELDS (and to MAY_ACT)"
    assert set(MAY_ACT) <= set(ALL_URLS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_hostile_input(world, url_name, role, monkeypatch):
    # The PDF itself is tests/test_case_file_pdf*.py's subject; here, what reaches its view.
    monkeypatch.setattr(casefile.pdf_views, "case_file_pdf", lambda *a, **k: b"%PDF-1.7 fuzz")

    @FUZZ
    @given(request=requests(world, url_name))
    def fuzz(request):
        send(world, role, request)

    fuzz()


# --- The server errors the fuzz found, each pinned -----------------------------------------------
# A cause the fuzz finds is added to KNOWN_BUGS with a strict xfail test reproducing it exactly;
# once fixed, the mark and the entry go and the test stays as its regression test.


def _answers_below_500(world, role, url_name, method, kwargs=None, data=None) -> None:
    client = _signed_in(world, role)
    with rolled_back():
        response = getattr(client, method)(_path(url_name, kwargs), data or {})
    assert response.status_code < 500


def _path(url_name: str, kwargs: dict | None) -> str:
    """The URL as a hostile client would type it: values the route refuses (a NUL in a
    reference) are put into the path by hand, percent-encoded, and must meet a 404."""
    try:
        return reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        # Distinct marks the route accepts: a number (an int or a reference), or a UUID's shape.
        converters = ALL_URLS[url_name].pattern.converters
        marks = {
            name: (
                f"00000000-0000-0000-0000-{987650 + i:012d}"
                if isinstance(converters.get(name), UUIDConverter)
                else str(987650 + i)
            )
            for i, name in enumerate(kwargs or {})
        }
        path = reverse(url_name, kwargs=marks)
        for name, value in (kwargs or {}).items():
            path = path.replace(marks[name], quote(str(value), safe=""))
        return path


def _xfail(name: str, raises):
    """Strict, and only for the exception the bug raises (any other failure still fails)."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=f"known 500: {name}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url_name", "kwarg"),
    [
        ("buyer", "disputes:detail", "dispute_ref"),
        ("buyer", "orders:buyer_order_detail", "reference"),
        ("seller", "orders:seller_order_detail", "reference"),
        ("arbiter", "arbitration:case", "dispute_ref"),
    ],
)
def test_no_server_error_for_nul_byte_in_a_path_reference(world, role, url_name, kwarg):
    """`/disputes/a%00b/`: the reference goes to PostgreSQL as it is, and PostgreSQL refuses NUL
    in text: DataError, a 500, on every view that looks a reference up (a 404 is due)."""
    _answers_below_500(world, role, url_name, "get", {kwarg: "a\x00b"})


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["²", "99999999999"])
def test_no_server_error_for_seller_list_days(world, days):
    """`?behind=disputes&days=²`: str.isdigit() accepts "²", int() does not (ValueError);
    `days=99999999999` overflows timedelta (OverflowError)."""
    data = {"behind": "disputes", "days": days}
    _answers_below_500(world, "seller", "disputes:seller_list", "get", data=data)


@pytest.mark.django_db
def test_no_server_error_for_queue_min_age_days_overflow(world):
    """`?min_age_days=1000000`: the form has no max_value; now - timedelta(days=…) overflows."""
    _answers_below_500(
        world, "arbiter", "arbitration:queue", "get", data={"min_age_days": "1000000"}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["min_amount", "max_amount"])
def test_no_server_error_for_queue_amount_overflow(world, field):
    """`?min_amount=1e1000000`: the DecimalField has no max_digits, and PostgreSQL refuses the
    number in the filter ("value overflows numeric format"): DataError, a 500."""
    _answers_below_500(world, "arbiter", "arbitration:queue", "get", data={field: "1e1000000"})


@pytest.mark.django_db
@pytest.mark.parametrize("offer", ["²", "9" * 5000])
def test_no_server_error_for_seller_accept_offer_id(world, offer):
    """`offer=²` passes str.isdigit() and fails int(); a 5,000-digit id passes isdigit() and
    exceeds Python's limit for int() of a string: ValueError, a 500."""
    kwargs = {"dispute_ref": world.own_disputes[2]}  # waiting for the seller
    _answers_below_500(
        world,
        "seller",
        "disputes:seller_accept",
        "post",
        kwargs,
        {"offer": offer, "confirmed": "1"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["abc", "²"])
def test_no_server_error_for_reassign_to_not_a_number(world, to):
    """`to=abc` goes straight into .filter(pk=…): ValueError, a 500 (before the lead check)."""
    kwargs = {"dispute_ref": world.own_disputes[0]}  # taken by the arbiter
    _answers_below_500(world, "arbiter", "arbitration:reassign", "post", kwargs, {"to": to})


@pytest.mark.django_db
def test_no_server_error_for_clock_change_deadline_not_a_number(world):
    """`deadline=abc` with a valid form goes straight into get_object_or_404(pk=…): ValueError."""
    kwargs = {"dispute_ref": world.own_disputes[2]}
    data = {"deadline": "abc", "action": "pause", "reason": "Carrier strike."}
    _answers_below_500(world, "arbiter", "arbitration:case_clocks", "post", kwargs, data)


def test_every_known_bug_has_its_xfail_test():
    tests = {name for name in globals() if name.startswith("test_known_")}
    assert {known.test for known in KNOWN_BUGS.values()} == tests
