"""Demo disputes, one or more in every state, each reached through the real services."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from arbitration import services as arbitration
from arbitration.models import RationaleTemplate
from disputes import services as d
from disputes.models import DeadlineKind, Dispute, Party, Reason, Remedy
from disputes.selectors import current_offer
from disputes.services.items import ClaimedItem
from orders import services as o
from orders.models import Carrier, Order, PaymentMethod, Store
from orders.services import LineInput
from policies.models import Policy

from .photos import demo_photo

Step = Callable[[Dispute, User, User, datetime], None]


# Orders of more than one line: their claims name the one item that went wrong (the first line).
# (the first line's quantity, the other lines: title, quantity, unit price)
MORE_ITEMS: dict[str, tuple[int, list[LineInput]]] = {
    "Ceramic teapot": (1, [LineInput("Teacup", 2, Decimal("12.00"))]),
    "Glass vase": (1, [LineInput("Vase stand", 1, Decimal("18.00"))]),
    "Camping tent": (1, [LineInput("Tent pegs (bag of 10)", 1, Decimal("9.00"))]),
    "Espresso cup": (2, []),
}


def _shipped_order(buyer: User, store: Store, title: str, price: str, shipped: datetime) -> Order:
    quantity, others = MORE_ITEMS.get(title, (1, []))
    order = o.order_place(
        buyer=buyer,
        store=store,
        lines=[LineInput(title, quantity, Decimal(price)), *others],
        currency="USD",
        now=shipped - timedelta(days=1),
    )
    o.order_pay(order=order, amount=order.total, method=PaymentMethod.CARD, now=order.placed_at)
    o.parcel_add(
        order=order,
        actor=store.owner,
        carrier=Carrier.CAINIAO,
        tracking_number=f"LP{order.reference[3:]}CN",
        delivery_days=12,
        ships_all=True,
        now=shipped,
    )
    return order


def _reject(counter: d.Proposal | None, why: str) -> Step:
    def step(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
        d.dispute_seller_reject(
            dispute=dispute,
            actor=seller,
            explanation=why,
            counter=counter,
            photos=[demo_photo("packing.jpg", "Packed with bubble wrap", "#2f5d62")],
            now=at,
        )

    return step


def _message(author: str, body: str) -> Step:
    def step(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
        actor = buyer if author == "buyer" else seller
        d.dispute_post_message(dispute=dispute, actor=actor, body=body, now=at)

    return step


def _seller_accept(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    d.dispute_seller_accept(dispute=dispute, actor=seller, now=at)


def _buyer_escalate(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    d.dispute_escalate_by_buyer(dispute=dispute, actor=buyer, now=at)


def _buyer_accepts_counter(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    offer = current_offer(dispute, Party.SELLER)
    assert offer is not None, "the step before made a counter-offer"
    d.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk, now=at)


def _ship_return(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    tracking = f"RT{dispute.reference[3:]}GB"
    d.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier=Carrier.ROYAL_MAIL, tracking_number=tracking, now=at
    )


def _return_delivered(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    d.dispute_record_return_delivery(dispute=dispute, actor=seller, now=at)


def _ship_replacement(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    d.dispute_ship_replacement(
        dispute=dispute,
        actor=seller,
        carrier=Carrier.DHL,
        tracking_number=f"JD{dispute.reference[3:]}RP",
        delivery_days=7,
        now=at,
    )


def _arbiter_rules(outcome: str, amount: str | None, clause: str, rationale: str) -> Step:
    """Ari (the lead arbiter) takes the case and rules, with reasons that argue the decision."""

    def step(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
        arbiter = User.objects.get(username="arbiter")
        dispute.refresh_from_db()
        dispute.assignee = arbiter  # as if taken from the queue
        dispute.save(update_fields=["assignee"])
        arbitration.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=arbitration.Decision(
                outcome=outcome,
                rationale=rationale,
                policy_clause=clause,
                amount=Decimal(amount) if amount else None,
                # The reasons speak of the photos: the ruling cites them.
                cited_evidence=tuple(dispute.evidence.values_list("pk", flat=True)),
            ),
            now=at,
        )

    return step


def _appeals(party: str, statement: str) -> Step:
    def step(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
        actor = buyer if party == "buyer" else seller
        d.dispute_appeal(dispute=dispute, actor=actor, statement=statement, now=at)

    return step


def _cancel(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    d.dispute_cancel(dispute=dispute, actor=buyer, now=at)


def _seller_silent(dispute: Dispute, buyer: User, seller: User, at: datetime) -> None:
    due = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER, status="pending").due_at
    assert due is not None, "a pending clock has a due time"
    d.dispute_resolve_for_seller_silence(dispute=dispute, now=due)


PARTIAL = Remedy.PARTIAL_REFUND
# (item, price, reason, proposal, days ago it opened, [steps, each a day apart])
type Scenario = tuple[str, str, Reason, tuple[Remedy, str | None], int, list[Step]]
SCENARIOS: list[Scenario] = [
    ("Ceramic teapot", "64.00", Reason.DAMAGED, (PARTIAL, "25.00"), 1, []),
    (
        "Leather wallet",
        "45.00",
        Reason.NOT_AS_DESCRIBED,
        (PARTIAL, "20.00"),
        3,
        [
            _reject(
                d.Proposal(PARTIAL, Decimal("10.00")), "The colour matches the listing photos."
            ),
            _message("buyer", "It is clearly brown, the listing says black."),
        ],
    ),
    (
        "Bluetooth speaker",
        "89.00",
        Reason.MISSING_PARTS,
        (Remedy.FULL_REFUND, None),
        6,
        [
            _reject(None, "Every box is weighed before shipping; the charger was inside."),
            _buyer_escalate,
        ],
    ),
    (
        "Running shoes, size 41",
        "110.00",
        Reason.WRONG_ITEM,
        (Remedy.RETURN_AND_REFUND, None),
        3,
        [_seller_accept],
    ),
    (
        "Desk organiser",
        "32.00",
        Reason.WRONG_ITEM,
        (Remedy.RETURN_AND_REFUND, None),
        5,
        [_seller_accept, _ship_return],
    ),
    (
        "Glass vase",
        "58.00",
        Reason.DAMAGED,
        (Remedy.FULL_REFUND, None),
        9,
        [
            _reject(d.Proposal(PARTIAL, Decimal("30.00")), "Only the rim is chipped."),
            _buyer_accepts_counter,
        ],
    ),
    (
        "Phone case",
        "19.00",
        Reason.NOT_AS_DESCRIBED,
        (Remedy.FULL_REFUND, None),
        12,
        [_seller_silent],
    ),
    ("Table lamp", "40.00", Reason.DAMAGED, (PARTIAL, "15.00"), 7, [_cancel]),
    # The remedies being carried out: a replacement to ship, one on its way, and a return the
    # seller says was delivered (their days to confirm it run from then).
    (
        "Bamboo cutting board",
        "28.00",
        Reason.WRONG_ITEM,
        (Remedy.REPLACEMENT, None),
        2,
        [_seller_accept],
    ),
    (
        "Wool scarf",
        "36.00",
        Reason.MISSING_PARTS,
        (Remedy.REPLACEMENT, None),
        4,
        [_seller_accept, _ship_replacement],
    ),
    (
        "Travel mug",
        "22.00",
        Reason.WRONG_ITEM,
        (Remedy.RETURN_AND_REFUND, None),
        6,
        [_seller_accept, _ship_return, _return_delivered],
    ),
    (
        "Wireless earbuds",
        "79.00",
        Reason.DAMAGED,
        (Remedy.FULL_REFUND, None),
        4,
        [
            _reject(None, "They worked when shipped."),
            _buyer_escalate,
            _arbiter_rules(
                "partial_refund",
                "40.00",
                "damaged",
                "The buyer's photos show the left earbud's casing cracked; the seller's packing "
                "photo was taken before shipping and does not show the item's condition on "
                "arrival. The right earbud works, so about half the price is refunded.",
            ),
        ],
    ),
    (
        "Camping tent",
        "149.00",
        Reason.MISSING_PARTS,
        (PARTIAL, "60.00"),
        5,
        [
            _reject(None, "All parts were packed."),
            _buyer_escalate,
            _arbiter_rules(
                "claim_rejected",
                None,
                "insufficient_evidence",
                "The seller's packing list and the parcel's weight match a complete tent, and "
                "the buyer's photos show the tent pitched without showing which part is "
                "missing. The claim is not supported by the evidence, so it is rejected.",
            ),
            _appeals(
                "buyer",
                "The arbiter did not see my second photo: the tent poles are clearly missing.",
            ),
        ],
    ),
    (
        "Smart thermostat",
        "120.00",
        Reason.NOT_AS_DESCRIBED,
        (Remedy.FULL_REFUND, None),
        8,
        [
            _reject(None, "The listing never promised Wi-Fi control."),
            _buyer_escalate,
            _arbiter_rules(
                "full_refund",
                None,
                "not_as_described",
                "The listing's title and first photo promise Wi-Fi control; the buyer's photos "
                "show a model without a radio. The item is materially different from its "
                "description, so it is refunded in full.",
            ),
            _appeals("seller", "The Wi-Fi module is sold separately, as the listing's text says."),
        ],
    ),
]


ABOUT_TO_FIRE = timedelta(minutes=3)


def _dispute_about_to_fire(buyer: User, store: Store, now: datetime) -> None:
    """A claim the seller has ignored: its answer deadline passes a few minutes after seeding,
    so someone watching `make run` sees beat fire it (within a minute) and the refund appear."""
    policy = Policy.current()
    opened = now - timedelta(days=policy.seller_answer_days) + ABOUT_TO_FIRE
    order = _shipped_order(buyer, store, "Espresso cup", "12.00", opened - timedelta(days=6))
    d.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.MISSING_PARTS,
        proposal=d.Proposal(Remedy.PARTIAL_REFUND, Decimal("12.00")),
        description="Only one of the two cups was in the box.",
        items=[ClaimedItem(order.lines.get().pk, 1)],
        now=opened,
    )


def seed_disputes(buyer: User, store: Store, other_store: Store) -> int:
    now = timezone.now()
    _dispute_about_to_fire(buyer, store, now)
    for index, (item, price, reason, (remedy, amount), days_ago, steps) in enumerate(SCENARIOS):
        shop = store if index % 3 != 2 else other_store
        opened = now - timedelta(days=days_ago, hours=3)
        order = _shipped_order(buyer, shop, item, price, shipped=opened - timedelta(days=6))
        photos = (
            []
            if reason not in Reason.needing_photos()
            else [
                demo_photo("item.jpg", f"{item}: {Reason(reason).label}", "#5b4b8a"),
                demo_photo("box.jpg", "Outer box as delivered", "#8a5b4b"),
            ]
        )
        dispute = d.dispute_open(
            order=order,
            actor=buyer,
            reason=reason,
            proposal=d.Proposal(remedy, Decimal(amount) if amount else None),
            description=f"The {item.lower()} is not right: {Reason(reason).label.lower()}.",
            photos=photos,
            items=_first_item(order) if item in MORE_ITEMS else None,
            now=opened,
        )
        for day, step in enumerate(steps, start=1):
            step(dispute, buyer, shop.owner, opened + timedelta(hours=20 * day))
    return len(SCENARIOS) + 1


def _first_item(order: Order) -> list[ClaimedItem]:
    line = order.lines.order_by("id").first()
    assert line is not None, "an order has lines"
    return [ClaimedItem(line.pk, line.quantity)]


RATIONALES = {
    Reason.NOT_RECEIVED: "The tracking shows no delivery scan and the seller's delivery time limit "
    "has passed. Under the buyer-protection policy the buyer is refunded.",
    Reason.NOT_AS_DESCRIBED: "Comparing the listing with the buyer's photos: ...",
    Reason.DAMAGED: "The buyer's photos show damage consistent with transit: ...",
    Reason.MISSING_PARTS: "The package weight and the photos indicate that ... was missing.",
    Reason.WRONG_ITEM: "The item in the photos is not the one ordered: ...",
    Reason.IN_TRANSIT: "The parcel was still in transit when the delivery time limit ran out.",
}


def seed_rationale_templates() -> None:
    for reason, text in RATIONALES.items():
        RationaleTemplate.objects.get_or_create(reason=reason, defaults={"text": text})
