import os

import pytest

from tests.factories import ArbiterFactory, BuyerFactory, OrderFactory, SellerFactory

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


# The four-person cast of every access test: two of each party, so that "the other one" exists.
@pytest.fixture
def buyer(db):
    return BuyerFactory(username="bea")


@pytest.fixture
def other_buyer(db):
    return BuyerFactory(username="oscar")


@pytest.fixture
def seller(db):
    return SellerFactory(username="sid")


@pytest.fixture
def other_seller(db):
    return SellerFactory(username="sue")


@pytest.fixture
def arbiter(db):
    return ArbiterFactory(username="ada")


@pytest.fixture
def paid_order(buyer, seller):
    return OrderFactory(buyer=buyer, store=seller.store)
