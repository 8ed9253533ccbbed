from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, User
from orders.models import Order, OrderLine, OrderState, Parcel, Payment, Store
from policies.models import Policy


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    role = Role.BUYER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BuyerFactory(UserFactory):
    role = Role.BUYER


class SellerFactory(UserFactory):
    role = Role.SELLER
    store = factory.RelatedFactory("tests.factories.StoreFactory", factory_related_name="owner")


class ArbiterFactory(UserFactory):
    role = Role.ARBITER
    is_staff = True


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Faker("company")
    owner = factory.SubFactory(UserFactory, role=Role.SELLER)


class OrderFactory(factory.django.DjangoModelFactory):
    """An order placed and paid; pass state=... to start elsewhere (factories may set any state)."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"PA-T{n:07d}")
    buyer = factory.SubFactory(BuyerFactory)
    store = factory.LazyFunction(lambda: SellerFactory().store)
    policy = factory.LazyFunction(Policy.current)
    currency = "USD"
    total = Decimal("50.00")
    state = OrderState.PAID
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    paid_at = factory.LazyAttribute(lambda o: o.placed_at if o.state != OrderState.PLACED else None)

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        """`lines=[(title, quantity, unit price), ...]` (pass a `total` that matches them);
        by default one line of two teapots worth the total."""
        if create:
            for title, quantity, price in extracted or [("Blue teapot", 2, obj.total / 2)]:
                OrderLine.objects.create(
                    order=obj, title=title, quantity=quantity, unit_price=Decimal(price)
                )

    @factory.post_generation
    def payment(obj, create, extracted, **kwargs):
        if create and obj.paid_at:
            Payment.objects.create(
                order=obj,
                amount=obj.total,
                currency=obj.currency,
                method="card",
                provider_reference=f"pay_{obj.reference}",
                paid_at=obj.paid_at,
            )


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    order = factory.SubFactory(OrderFactory)
    carrier = "dhl"
    tracking_number = factory.Sequence(lambda n: f"JD{n:012d}")
    shipped_at = factory.LazyFunction(timezone.now)


def shipped_order(*, buyer, seller, days_ago: int = 6, delivery_days: int = 10, **kwargs):
    """An order whose goods all shipped `days_ago` days ago, not yet received."""
    shipped_at = timezone.now() - timedelta(days=days_ago)
    return OrderFactory(
        buyer=buyer,
        store=seller.store,
        state=OrderState.SHIPPED,
        placed_at=shipped_at - timedelta(days=1),
        paid_at=shipped_at - timedelta(days=1),
        delivery_days=delivery_days,
        all_shipped_at=shipped_at,
        promised_delivery_at=shipped_at + timedelta(days=delivery_days),
        **kwargs,
    )


# A kettle at 30.00 and two mugs at 10.00: 50.00, as the default order.
TWO_ITEMS = [("Blue kettle", 1, "30.00"), ("Mug", 2, "10.00")]


def two_item_order(*, buyer, seller, **kwargs):
    """A shipped order of two lines (TWO_ITEMS), for claims about some of its items."""
    return shipped_order(buyer=buyer, seller=seller, lines=TWO_ITEMS, **kwargs)


def photo(name: str = "photo.jpg", color: str = "teal", size=(64, 48)):
    """A processed photo as the evidence pipeline returns it, from real JPEG bytes."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from disputes.evidence import process_photo

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    upload = SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
    return process_photo(upload, max_bytes=10 * 1024 * 1024, max_pixels=50_000_000)


def jpeg_upload(name: str = "photo.jpg", color: str = "teal"):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (80, 60), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def open_dispute(*, buyer, seller, **kwargs):
    """A "damaged" claim with one photo, waiting for the seller, on a fresh shipped order."""
    from decimal import Decimal

    from disputes import services
    from disputes.models import Reason, Remedy

    opened_days_ago = kwargs.pop("opened_days_ago", 0)
    order = shipped_order(buyer=buyer, seller=seller, days_ago=6 + opened_days_ago)
    if opened_days_ago:
        kwargs["now"] = timezone.now() - timedelta(days=opened_days_ago)
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason=kwargs.pop("reason", Reason.DAMAGED),
        proposal=kwargs.pop("proposal", services.Proposal(Remedy.PARTIAL_REFUND, Decimal("20"))),
        description="The lid arrived cracked.",
        photos=kwargs.pop("photos", [photo()]),
        **kwargs,
    )


def ruled_dispute(*, buyer, seller, arbiter, outcome="partial_refund", amount="10"):
    """A claim the seller rejected, the buyer escalated and `arbiter` took and ruled on: the
    ruling can still be appealed."""
    from decimal import Decimal

    from arbitration import services as arbitration
    from disputes import services

    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome=outcome,
            rationale="r",
            policy_clause="damaged",
            amount=Decimal(amount) if amount else None,
        ),
    )
    dispute.refresh_from_db()
    return dispute
