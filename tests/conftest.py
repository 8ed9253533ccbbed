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


# Every timeline code the suite writes, by a recorder or a save (tests/test_timeline.py checks
# them against the catalogue once all other tests have run).
RECORDED_CODES: set[str] = set()
LAST = "test_timeline.py::test_every_code_the_suite_records_is_catalogued"


def _note_saved(sender, instance, **kwargs) -> None:
    RECORDED_CODES.add(instance.code)


@pytest.fixture(autouse=True, scope="session")
def _recorded_codes():
    from django.apps import apps
    from django.db.models.signals import pre_save

    from core.timeline import Recorder, TimelineEvent

    for model in apps.get_models():
        if issubclass(model, TimelineEvent):
            pre_save.connect(_note_saved, sender=model, weak=False)
    write = Recorder.write

    def noting_write(recorder: Recorder) -> None:
        RECORDED_CODES.update(recorder.codes)
        write(recorder)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Recorder, "write", noting_write)
        yield RECORDED_CODES


def pytest_collection_modifyitems(items):
    """Browser tests run after the others: Playwright's sync API leaves an event loop in the
    test thread for the rest of the session, and the test client cannot call an async view
    (/health/) from a thread running one. The catalogue check runs last of all, after every
    test that records codes."""
    items.sort(key=lambda item: (item.nodeid.endswith(LAST), "tests/e2e/" in item.nodeid))


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


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its reader's language active in the thread (LocaleMiddleware does not
    undo it, the next request sets its own): a test after it starts from the default again."""
    from django.utils import translation

    yield
    translation.deactivate()
