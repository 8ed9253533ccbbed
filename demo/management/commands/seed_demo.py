"""Demo data: a buyer, sellers, two arbiters, orders and disputes in every state. Safe to run
again: it creates nothing once the demo buyer has orders."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.apps import ARBITERS_GROUP
from accounts.models import Role, User
from demo.dispute_stories import seed_disputes, seed_rationale_templates
from orders import services
from orders.models import Carrier, Order, PaymentMethod, Store
from orders.services import LineInput

DEMO_PASSWORD = "parley-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    store: str = ""
    lead: bool = False
    note: str = ""


DEMO_USERS = [
    DemoUser("buyer", "Alice", "Buyer", Role.BUYER),
    DemoUser("seller", "Sam", "Seller", Role.SELLER, store="Northwind Goods"),
    DemoUser("seller2", "Priya", "Shah", Role.SELLER, store="Harbour Electronics"),
    DemoUser("arbiter", "Ari", "Arbiter", Role.ARBITER, lead=True),
    # An appeal goes to another arbiter than the one who ruled: Ari made the demo's rulings.
    DemoUser(
        "arbiter2", "Ben", "Okafor", Role.ARBITER, note="decides the appeals of Ari's rulings"
    ),
]

type Item = tuple[str, int, str]  # title, quantity, unit price

# (store owner, items, state to reach, days ago it was placed)
DEMO_ORDERS: list[tuple[str, list[Item], str, int]] = [
    ("seller", [("Wool scarf, charcoal", 1, "39.00")], "placed", 0),
    ("seller", [("Ceramic mug set (4)", 1, "48.50")], "paid", 1),
    ("seller2", [("USB-C charger 65 W", 2, "29.99")], "paid", 3),
    (
        "seller",
        [("Linen bedsheet, king", 1, "89.00"), ("Pillowcases (2)", 1, "24.00")],
        "part_shipped",
        4,
    ),
    ("seller2", [("Noise-cancelling headphones", 1, "199.00")], "shipped", 6),
    ("seller", [("Hiking boots, size 42", 1, "129.95")], "received", 12),
    ("seller2", [("Mechanical keyboard", 1, "149.00")], "received_auto", 16),
    ("seller", [("Cast iron skillet", 1, "54.00")], "completed", 45),
    ("seller2", [("Smart watch strap", 3, "12.50")], "completed", 60),
    ("seller", [("Desk lamp", 1, "35.00")], "cancelled", 8),
]


class Command(BaseCommand):
    help = "Create demo accounts and orders in every state (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = {spec.username: self._user(spec) for spec in DEMO_USERS}
        seed_rationale_templates()
        if Order.objects.filter(buyer=users["buyer"]).exists():
            self.stdout.write("Demo orders already exist; leaving them as they are.")
        else:
            for owner, items, state, days_ago in DEMO_ORDERS:
                self._order(users["buyer"], users[owner].store, items, state, days_ago)
            disputes = seed_disputes(users["buyer"], users["seller"].store, users["seller2"].store)
            self.stdout.write(
                f"Created {len(DEMO_ORDERS)} demo orders and {disputes} disputes with photos. "
                "The seller's answer to “Espresso cups” is due in 3 minutes: watch "
                "/buyer/disputes/ (beat fires it within a minute after that)."
            )
        self._print_logins()

    def _user(self, spec: DemoUser) -> User:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@parley.test",
                "role": spec.role,
                "is_staff": spec.role == Role.ARBITER,
                "is_lead_arbiter": spec.lead,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if spec.role == Role.ARBITER:
            user.groups.add(Group.objects.get_or_create(name=ARBITERS_GROUP)[0])
        if spec.store:
            returns_to = f"{spec.store} returns\n12 Dock Road\nLiverpool L3 4AF\nUnited Kingdom"
            terms = {"name": spec.store, "return_address": returns_to}
            Store.objects.get_or_create(owner=user, defaults=terms)
        return user

    def _order(
        self, buyer: User, store: Store, items: list[Item], state: str, days_ago: int
    ) -> Order:
        placed = timezone.now() - timedelta(days=days_ago, hours=2)
        lines = [LineInput(t, q, Decimal(p)) for t, q, p in items]
        order = services.order_place(
            buyer=buyer, store=store, lines=lines, currency="USD", now=placed
        )
        if state == "placed":
            return order
        if state == "cancelled":
            return services.order_cancel(order=order, actor=buyer, now=placed + timedelta(hours=5))
        services.order_pay(order=order, amount=order.total, method=PaymentMethod.CARD, now=placed)
        if state == "paid":
            return order
        shipped = placed + timedelta(days=1)
        parcels = 2 if state == "part_shipped" else 1
        for n in range(parcels):
            services.parcel_add(
                order=order,
                actor=store.owner,
                carrier=Carrier.DHL if n == 0 else Carrier.UPS,
                tracking_number=f"{order.reference.replace('-', '')}{n}X",
                delivery_days=12,
                ships_all=state != "part_shipped",
                now=shipped + timedelta(hours=n),
            )
        if state in ("part_shipped", "shipped"):
            return order
        if state == "received_auto":
            order.refresh_from_db()
            return services.order_confirm_receipt(
                order=order, actor=None, now=order.promised_delivery_at
            )
        received = shipped + timedelta(days=(days_ago - 1) // 2 + 1)
        order = services.order_confirm_receipt(order=order, actor=buyer, now=received)
        if state == "completed":
            order = services.order_complete(order=order, now=order.protection_ends_at)
        return order

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for spec in DEMO_USERS:
            extra = f", store “{spec.store}”" if spec.store else ""
            lead = ", lead arbiter, Django admin" if spec.lead else ""
            note = f", {spec.note}" if spec.note else ""
            self.stdout.write(f"  {spec.username:<8} {spec.role.label}{extra}{lead}{note}")
