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
        if create:
            OrderLine.objects.create(
                order=obj, title="Blue teapot", quantity=2, unit_price=obj.total / 2
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
