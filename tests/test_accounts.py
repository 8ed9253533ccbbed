"""Signing in lands each role on its own portal; repeated failures lock the account out."""

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("buyer", "orders:buyer_orders"),
        ("seller", "orders:seller_dashboard"),
        ("arbiter", "arbitration:queue"),
    ],
)
def test_login_lands_on_the_roles_home(client, request, who, home):
    user = request.getfixturevalue(who)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pw-for-tests"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(home)
    assert user.display_name in response.content.decode()


def test_wrong_password_keeps_the_username_and_says_why(client, buyer):
    response = client.post(reverse("login"), {"username": "bea", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html
    assert 'value="bea"' in html


def test_repeated_failures_lock_out_even_the_right_password(client, buyer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bea", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bea", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    call_command("axes_reset", verbosity=0)
    ok = client.post(reverse("login"), {"username": "bea", "password": "pw-for-tests"})
    assert ok.status_code == 302


def test_password_change(client, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests",
            "new_password1": "a-much-longer-passphrase",
            "new_password2": "a-much-longer-passphrase",
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.check_password("a-much-longer-passphrase")


def test_logout_is_a_post_and_ends_the_session(client, buyer):
    client.force_login(buyer)
    client.post(reverse("logout"))
    assert client.get(reverse("orders:buyer_orders"))["Location"].startswith("/accounts/login/")


def test_arbiters_read_the_admin_but_cannot_edit_orders(client, arbiter, paid_order):
    from django.contrib.auth.models import Group

    arbiter.groups.add(Group.objects.get(name="Arbiters"))
    client.force_login(arbiter)
    listing = client.get("/admin/orders/order/")
    assert paid_order.reference in listing.content.decode()
    change = client.get(f"/admin/orders/order/{paid_order.pk}/change/")
    assert change.status_code == 200
    assert "Save" not in change.content.decode()
    assert client.post(f"/admin/orders/order/{paid_order.pk}/delete/").status_code == 403
