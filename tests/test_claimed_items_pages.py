"""Claims about items on the pages: the line picker, the amount's cap at its field, the item
names in every list and case header (with a query count that does not grow with the rows), and
the order page's timeline and its "open a dispute" invitation."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import ActionRefused
from disputes import services
from disputes.models import Dispute, Remedy
from disputes.services.items import ClaimedItem
from orders import services as order_services
from tests.factories import open_dispute, shipped_order, two_item_order
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _open_url(order) -> str:
    return reverse("disputes:open", kwargs={"reference": order.reference})


def _line_ids(order) -> dict[str, int]:
    return {line.title: line.pk for line in order.lines.all()}


def _claim(order, *, kettle=0, mugs=0, **overrides):
    ids = _line_ids(order)
    return {
        f"line_{ids['Blue kettle']}": kettle,
        f"line_{ids['Mug']}": mugs,
        "reason": "wrong_item",
        "description": "A green kettle came instead of the blue one.",
        "remedy": "partial_refund",
        "amount": "20.00",
    } | overrides


def _field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="id_{name}_error">([^<]*)</p>', page)
    return match.group(1) if match else ""


# --- The line picker -----------------------------------------------------------------------------


def test_the_form_lists_each_line_unclaimed_when_there_is_a_choice(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    client.force_login(buyer)
    page = _text(client.get(_open_url(order)))
    ids = _line_ids(order)
    assert "Which items is your claim about?" in page
    for title, line_id in ids.items():
        assert f'<label for="id_line_{line_id}">{title}' in page
        assert re.search(rf'name="line_{line_id}" value="0"', page)


def test_a_one_line_order_starts_with_its_line_claimed(client, buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller)
    line = order.lines.get()
    client.force_login(buyer)
    page = _text(client.get(_open_url(order)))
    assert re.search(rf'name="line_{line.pk}" value="2"', page)


def test_a_claim_about_one_item_is_opened_from_the_form(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(order, mugs=1, amount="10.00"))
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert dispute.items_label == "Mug ×1" and dispute.claimed_amount == Decimal("10.00")


def test_an_amount_above_the_items_value_is_refused_at_the_amount_field(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(order, mugs=1, amount="10.01"))
    page = _text(response)
    assert response.status_code == 200 and not Dispute.objects.exists()
    assert _field_error(page, "amount") == (
        "The amount cannot be more than 10.00 USD, the value of the items you claim for."
    )
    assert 'role="alert"' not in page.split('id="id_amount_error"')[0].split("<form")[1]
    assert 'value="10.01"' in page  # what was typed is kept


def test_an_amount_above_what_is_left_names_what_is_left(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    first = open_dispute_on(order, buyer, amount="15.00")
    services.dispute_seller_accept(dispute=first, actor=seller)  # 15.00 of 50.00 refunded
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(order, kettle=1, mugs=1, amount="35.01"))
    assert _field_error(_text(response), "amount") == (
        "The amount cannot be more than 35.00 USD, what was paid and not yet refunded."
    )


def test_no_item_chosen_is_refused_next_to_the_items(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(order))
    kettle = _line_ids(order)["Blue kettle"]
    assert "Choose at least one item" in _field_error(_text(response), f"line_{kettle}")
    assert not Dispute.objects.exists()


def test_the_change_claim_page_starts_from_the_claimed_items(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = open_dispute_on(order, buyer, amount="10.00", mugs=1)
    url = reverse("disputes:modify", kwargs={"dispute_ref": dispute.reference})
    client.force_login(buyer)
    page = _text(client.get(url))
    ids = _line_ids(order)
    assert re.search(rf'name="line_{ids["Mug"]}" value="1"', page)
    assert re.search(rf'name="line_{ids["Blue kettle"]}" value="0"', page)
    data = {f"line_{ids['Blue kettle']}": 1, f"line_{ids['Mug']}": 0, "remedy": "full_refund"}
    client.post(url, data)
    dispute.refresh_from_db()
    assert dispute.items_label == "Blue kettle ×1" and dispute.claimed_amount == 30


def open_dispute_on(order, buyer, *, amount, mugs=2):
    mug = _line_ids(order)["Mug"]
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason="wrong_item",
        proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(amount)),
        description="Wrong mugs.",
        items=[ClaimedItem(mug, mugs)],
    )


# --- Item names in lists and headers -------------------------------------------------------------


def _queries(client, url: str) -> tuple[int, str]:
    cache.clear()  # the queue caches a headline count: measure every request alike
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), _text(response)


def _escalated(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    return dispute


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("buyer", "orders:buyer_orders"),
        ("buyer", "disputes:buyer_list"),
        ("seller", "disputes:seller_list"),
        ("arbiter", "arbitration:queue"),
    ],
)
def test_every_list_names_the_items_in_as_many_queries_for_more_rows(
    client, buyer, seller, arbiter, who, url
):
    client.force_login({"buyer": buyer, "seller": seller, "arbiter": arbiter}[who])
    _escalated(buyer, seller)
    one, page = _queries(client, reverse(url))
    assert "Blue teapot ×2" in page
    for _ in range(3):
        _escalated(buyer, seller)
    more, page = _queries(client, reverse(url))
    assert page.count("Blue teapot ×2") >= 4
    assert more == one


def test_the_case_headers_name_the_claimed_items(client, buyer, seller, arbiter):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = open_dispute_on(order, buyer, amount="10.00", mugs=1)
    pages = [
        (buyer, reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})),
        (seller, reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})),
        (arbiter, reverse("arbitration:case", kwargs={"dispute_ref": dispute.reference})),
    ]
    for person, url in pages:
        client.force_login(person)
        head = _text(client.get(url)).split("</h1>")[1].split("</div>")[0]
        assert "About:</span> Mug ×1" in head, url


# --- The order page ------------------------------------------------------------------------------


def _timeline(client, order) -> str:
    page = _text(client.get(reverse("orders:buyer_order_detail", args=[order.reference])))
    return page.split("<h2>Timeline</h2>")[1]


def test_the_order_timeline_records_the_dispute_its_refund_and_the_payout(client, buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=order, actor=buyer)
    dispute = open_dispute_on(order, buyer, amount="15.00")
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert order.protection_ends_at is not None
    with time_machine.travel(order.protection_ends_at + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    client.force_login(buyer)
    timeline = _timeline(client, order)
    ref = dispute.reference
    assert f"Dispute {ref} opened (Wrong item) about Mug ×2" in timeline
    assert f"Refund of 15.00 USD recorded for dispute {ref}" in timeline
    assert f"Dispute {ref} closed (resolved)" in timeline
    assert "35.00 USD released to the seller (50.00 USD paid, 15.00 USD refunded)" in timeline
    codes = list(order.events.values_list("code", flat=True))
    assert codes.index("disputes.order.dispute_opened") < codes.index(
        "disputes.order.dispute_closed"
    )


def test_a_withdrawn_dispute_is_on_the_order_timeline(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    client.force_login(buyer)
    assert f"Dispute {dispute.reference} withdrawn by the buyer" in _timeline(client, dispute.order)


def test_a_fully_refunded_order_does_not_invite_a_new_dispute(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=services.Proposal("full_refund"))
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    order = dispute.order
    client.force_login(buyer)
    page = _text(client.get(reverse("orders:buyer_order_detail", args=[order.reference])))
    assert _open_url(order) not in page and "Open a dispute" not in page
    refused = "Everything paid for this order has already been refunded"
    assert refused in _text(client.get(_open_url(order)))
    with pytest.raises(ActionRefused, match=refused):
        open_dispute_on_whole(order, buyer)


def test_a_partly_refunded_order_still_invites_one(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)  # 20.00 of 50.00
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    client.force_login(buyer)
    order = dispute.order
    page = _text(client.get(reverse("orders:buyer_order_detail", args=[order.reference])))
    assert _open_url(order) in page


def open_dispute_on_whole(order, buyer):
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason="wrong_item",
        proposal=services.Proposal(Remedy.FULL_REFUND),
        description="Again.",
    )
