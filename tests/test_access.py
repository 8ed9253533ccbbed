"""Who may open which page: every named URL of the app, for every role.

The URL list comes from the resolver, so a new URL without a row here fails the test.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import open_dispute

OK, LOGIN, NOT_FOUND, NOT_ALLOWED = "ok", "login", "404", "405"
ROLES = ["anonymous", "buyer", "other_buyer", "seller", "other_seller", "arbiter"]


def _row(method="get", default=NOT_FOUND, anonymous=LOGIN, data=None, **per_role):
    expected = {role: per_role.get(role, default) for role in ROLES}
    expected["anonymous"] = anonymous
    return method, expected, data or {}


# A party's forged or ill-timed act is refused by the service, shown as 409 or a message.
PARTY_ONLY = {"buyer": OK, "seller": OK}


# url name -> (method, {role: expected outcome}). Objects belong to `buyer` and `seller`.
MATRIX = {
    "home": _row(default=OK),
    "login": _row(default=OK, anonymous=OK),
    "logout": _row(method="post", default=LOGIN),  # signs out, then shows the login page
    "password_change": _row(default=OK),
    "password_change_done": _row(default=OK),
    "health": _row(default=OK, anonymous=OK),
    "orders:buyer_orders": _row(buyer=OK, other_buyer=OK),
    "orders:buyer_new_order": _row(buyer=OK, other_buyer=OK),
    "orders:buyer_order_detail": _row(buyer=OK),
    "orders:buyer_confirm_receipt": _row(method="post", buyer=OK),
    "orders:seller_dashboard": _row(seller=OK, other_seller=OK),
    "orders:seller_order_detail": _row(seller=OK),
    "orders:seller_ship": _row(seller=OK),
    "arbitration:queue": _row(arbiter=OK),
    "arbitration:case_clocks": _row(arbiter=OK),
    "arbitration:take_next": _row(method="post", arbiter=OK),
    "arbitration:metrics": _row(arbiter=OK),
    "arbitration:case": _row(arbiter=OK),
    "arbitration:release": _row(method="post", arbiter=OK),  # refused with a message
    "arbitration:reassign": _row(method="post", arbiter=OK),
    "arbitration:rule": _row(method="post", arbiter="400"),  # empty form: errors shown
    "arbitration:decide_appeal": _row(method="post", arbiter="400"),
    "arbitration:request_evidence": _row(method="post", arbiter=OK),
    "disputes:appeal": _row(**PARTY_ONLY),
    "disputes:rate": _row(method="post", buyer="400"),  # empty form
    "disputes:open": _row(buyer=OK),
    "disputes:buyer_list": _row(buyer=OK, other_buyer=OK),
    "disputes:seller_list": _row(seller=OK, other_seller=OK),
    "disputes:detail": _row(**PARTY_ONLY),
    "disputes:message": _row(method="post", data={"body": "Hello"}, **PARTY_ONLY),
    "disputes:modify": _row(buyer=OK),
    "disputes:reject": _row(seller=OK),
    "disputes:seller_accept": _row(method="post", seller="409"),  # no offer id: not the one seen
    "disputes:accept_offer": _row(method="post", buyer="409"),  # not the buyer's turn yet
    "disputes:escalate": _row(method="post", buyer="409"),
    "disputes:cancel": _row(method="post", buyer=OK),
    "disputes:ship_return": _row(buyer=OK),
    "disputes:confirm_return": _row(method="post", seller="409"),
    "notifications:inbox": _row(default=OK),
    "notifications:read_all": _row(method="post", default=OK),
    # Evidence files: the two parties and arbiters, nobody else.
    "disputes:evidence_file": _row(arbiter=OK, **PARTY_ONLY),
    "disputes:evidence_thumb": _row(arbiter=OK, **PARTY_ONLY),
}

# Django's own admin has its own staff gate and is tested by Django.
EXCLUDED_NAMESPACES = {"admin"}


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
def people(buyer, other_buyer, seller, other_seller, arbiter):
    return {
        "anonymous": None,
        "buyer": buyer,
        "other_buyer": other_buyer,
        "seller": seller,
        "other_seller": other_seller,
        "arbiter": arbiter,
    }


def _kwargs_for(pattern: URLPattern, case) -> dict:
    values = {
        "reference": case.order.reference,
        "dispute_ref": case.reference,
        "offer_id": case.offers.first().pk,
        "public_id": case.evidence.first().public_id,
    }
    return {name: values[name] for name in pattern.pattern.converters}


def _outcome(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    if response.status_code in (200, 302):
        return OK
    return str(response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access(client, people, buyer, seller, url_name):
    method, expected, data = MATRIX[url_name]
    seen = {}
    for role, person in people.items():
        # A fresh case for each person, so that one person's act cannot change what the next sees.
        case = open_dispute(buyer=buyer, seller=seller)
        url = reverse(url_name, kwargs=_kwargs_for(ALL_URLS[url_name], case))
        client.logout()
        if person is not None:
            client.force_login(person)
        response = getattr(client, method)(url, data)
        seen[role] = _outcome(response)
    assert seen == expected


@pytest.mark.django_db
def test_not_found_page_is_the_products(client, buyer):
    client.force_login(buyer)
    response = client.get("/buyer/orders/PA-NOPE0000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "find that page" in page and "Go to your portal" in page
