"""Every word a person can read is marked for translation: rendered in a generated pseudo-locale
(core.pseudo_locale: every catalogue string accented and wrapped in ⟦ ⟧), no page of any role
in the access walk, no email, no timeline entry shows text outside the markers, other than data
(tests/pseudo_text.py says what counts as data, by its kind).

A failure names where (the URL and role, the note, the event code), the template holding the
text (or "python" when a view, form or service wrote it) and the text itself.

Run: `.venv/bin/pytest -q tests/test_pseudo_locale.py -p no:cacheprovider` (the catalogue is
generated once per session, ~10 s; `manage.py pseudo_locale` writes the same under var/).
`PARLEY_PSEUDO_FINDINGS=<file>` collects every finding as JSON lines.
"""

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory.random
import pytest
import time_machine
from django import forms
from django.conf import settings
from django.contrib.admin import site
from django.template.loader import render_to_string
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from core import moments
from core.pseudo_locale import PSEUDO_LANGUAGE, build, pseudo
from core.ratelimit import Limited
from core.timeline import CATALOGUE
from notifications.delivery import email_message
from notifications.models import Notification
from tests import test_access as walk
from tests.pseudo_text import (
    BREAK,
    Allowed,
    brand_names,
    code_names,
    free_text,
    in_library_templates_only,
    library_names,
    page_text,
    sources_of,
    stored_data,
    unmarked_strings,
)
from tests.snapshots import rolled_back
from tests.test_access import w  # noqa: F401 (the walk's people, a fixture)
from tests.test_timeline import SAMPLES
from timers.engine import enforce_deadlines

# Pages of the walk no buyer, seller or arbiter reads: the operators' status page is
# django-health-check's own template, read by monitors (and its words are the library's).
NOT_READ_BY_PEOPLE = {"health"}
# The language switch answers in the language it was asked for (the walk asks for a real one).
IN_THE_CHOSEN_LANGUAGE = {"switch_language"}
ZONE = "Europe/Lisbon"  # a zone with a city to name: moments say "(Lisbon time)"


@dataclass(frozen=True)
class Finding:
    where: str
    text: str  # as it reads
    shape: str  # its words, the data in it as "…"
    sources: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.where} [{', '.join(self.sources)}]: {self.text!r}"


def _findings(where: str, text: str, allowed: Allowed, sources=lambda piece: ()) -> list[Finding]:
    return [
        Finding(where, piece, allowed.shape(piece), tuple(sources(piece)))
        for piece in unmarked_strings(text, allowed)
    ]


def _report(findings: Iterable[Finding]) -> str:
    """Each untranslated text once (by its words, whatever data it held), with where it was
    first seen and how often."""
    by_shape: dict[str, list[Finding]] = {}
    for finding in findings:
        by_shape.setdefault(finding.shape, []).append(finding)
    lines = [f"{len(by_shape)} untranslated strings:"]
    for seen in by_shape.values():
        more = f" (and {len(seen) - 1} more places)" if len(seen) > 1 else ""
        lines.append(f"{seen[0]}{more}")
    return "\n".join(lines)


def _check(findings: list[Finding]) -> None:
    """Fail with the findings; with PARLEY_PSEUDO_FINDINGS=<file>, also add them to that file
    (JSON lines), to count what is left across the whole run."""
    if findings and os.environ.get("PARLEY_PSEUDO_FINDINGS"):
        with open(os.environ["PARLEY_PSEUDO_FINDINGS"], "a", encoding="utf-8") as out:
            out.writelines(json.dumps(asdict(f), ensure_ascii=False) + "\n" for f in findings)
    assert not findings, _report(findings)


@pytest.fixture(scope="session")
def pseudo_locale_path(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (Debian: apt-get install gettext; CI has it)")
    return build(tmp_path_factory.mktemp("pseudo-locale"))


@pytest.fixture(autouse=True)
def _same_fixture_data():
    """The factories' names and companies the same on every run: a finding is reproducible."""
    factory.random.reseed_random("pseudo-locale")


@pytest.fixture
def in_pseudo(pseudo_locale_path):
    """The pseudo language active (and known to Django) and a zone with a city, for the test
    and for every request it makes."""
    languages = [*settings.LANGUAGES, (PSEUDO_LANGUAGE, pseudo("Pseudo"))]
    locale_paths = [pseudo_locale_path, *settings.LOCALE_PATHS]
    with (
        override_settings(LOCALE_PATHS=locale_paths, LANGUAGES=languages),
        translation.override(PSEUDO_LANGUAGE),
        timezone.override(ZoneInfo(ZONE)),
    ):
        yield


@pytest.fixture
def people(in_pseudo, w):  # noqa: F811
    """The walk's people, each reading Parley in the pseudo language in Lisbon."""
    for person in vars(w).values():
        if person is not None:
            person.language, person.time_zone = PSEUDO_LANGUAGE, ZONE
            person.save(update_fields=["language", "time_zone"])
    return w


def _pseudo_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = PSEUDO_LANGUAGE
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = PSEUDO_LANGUAGE
    return client


# --- The machinery itself (not waiting for anyone) -----------------------------------------------


def test_a_pseudo_translation_keeps_placeholders_tags_and_plural_forms():
    assert pseudo("Refund of %(amount)s by %(date)s") == "⟦Ŕéƒúñđ óƒ %(amount)s ƀý %(date)s⟧"
    assert pseudo("<strong>{{ name }}</strong> paid %d") == "⟦<strong>{{ name }}</strong> þáíđ %d⟧"
    assert pseudo("yes,no,maybe") == "⟦ýéš⟧,⟦ñó⟧,⟦ɱáýƀé⟧"
    assert pseudo("") == ""


def test_djangos_own_words_and_parleys_read_in_the_pseudo_language(in_pseudo):
    class Form(forms.Form):
        name = forms.CharField()

    assert Form({}).errors["name"] == ["⟦Ŧĥíš ƒíéĺđ íš ŕéǫúíŕéđ.⟧"]
    words = moments.duration(timedelta(days=2, hours=1))
    assert words == "⟦⟦2\u00a0đáýš⟧, ⟦1\u00a0ĥóúŕ⟧⟧"
    assert moments.countdown_words()["units"]["day"]["one"] == "⟦{n}\u00a0đáý⟧"


def test_the_reader_finds_unmarked_words_and_lets_data_through():
    html = (
        '<p title="Close">⟦Ƥáý <b>20.00 USD</b> ŧó⟧ Bea Smith · PA-7KQ2M9XZ, 5 Dec 2026, 10:13</p>'
        "<script>var english = 1;</script><button>Save</button>"
        '<input type="submit" value="⟦Šéñđ⟧"><input type="text" value="typed">'
    )
    allowed = Allowed({"Bea Smith"})
    with translation.override("en"):
        found = unmarked_strings(page_text(html), allowed)
    assert found == ["Close", "Save"]


# --- Pages: the access walk, every URL for every role ------------------------------------------


def _look(client, where: str, method: str, url: str, data, admin=False) -> list[Finding]:
    response = getattr(client, method)(url, data, follow=True)
    if "text/html" not in response.get("Content-Type", ""):
        return []
    templates = response.templates or []
    data_ = stored_data(libraries=admin) | brand_names()
    data_ |= (library_names() | code_names()) if admin else set()
    found = _findings(
        f"{where} → {response.status_code}",
        page_text(response.content.decode()),
        Allowed(data_),
        lambda piece: sources_of(piece, templates),
    )
    return [f for f in found if not in_library_templates_only(f.text, templates)]


def _notes(where: str, after: int = 0) -> list[Finding]:
    """Every note in the database (written after the one numbered `after`), as its email
    reads."""
    allowed, found = Allowed(stored_data()), []
    for note in Notification.objects.filter(pk__gt=after).select_related("recipient"):
        email = email_message(note)
        code = note.dedupe_key.split(":")[2] if note.dedupe_key.count(":") > 2 else note.dedupe_key
        text = f"{email.subject}{BREAK}{email.body}"
        found += _findings(f"{where}, email {code!r}", text, allowed, lambda piece: ["python"])
    return found


def _last_note() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _visit(client, url_name: str, row, role: str, w, case=None) -> list[Finding]:  # noqa: F811
    """What `role` reads on the page (after a POST, on the page it lands on, and in the emails
    the act sent)."""
    case = case or row.given(w)
    url = reverse(url_name, kwargs=walk._kwargs_for(url_name, case))
    data = row.data(case, w) if callable(row.data) else row.data
    person = getattr(w, role)
    client.logout()
    if person is not None:
        client.force_login(person)
    where, before = f"{row.method.upper()} {url} as {role}", _last_note()
    found = _look(client, where, row.method, url, data)
    return found + (_notes(where, before) if row.method == "post" else [])


PAGES = sorted(set(walk.MATRIX) - NOT_READ_BY_PEOPLE - IN_THE_CHOSEN_LANGUAGE)
# Sent to sign in, or shown the 404 page: the same page for a person whatever the URL (the walk,
# tests/test_access.py, checks that these are the outcomes). Read once per person and outcome, by
# the first URL that meets it, rather than again for each of ~45 URLs.
SAME_PAGE_EVERYWHERE = {walk.LOGIN, walk.NOT_FOUND}
_READ: set[tuple[str, str]] = set()


def _read_already(role: str, outcome: str | None) -> bool:
    if outcome not in SAME_PAGE_EVERYWHERE:
        return False
    seen = (role, outcome) in _READ
    _READ.add((role, outcome))
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_every_page_of_every_role_reads_in_the_pseudo_language(client, people, url_name):
    row, client = walk.MATRIX[url_name], _pseudo_client(client)
    findings, case = [], row.given(people)  # one case for everybody
    for role in walk.ROLES:
        if _read_already(role, row.expected.get(role)):
            continue
        with rolled_back():  # each person meets the case before anyone acted
            findings += _visit(client, url_name, row, role, people, case)
    _check(findings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "given", "who", "method", "data", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1].__name__}-{row[3]}") for row in walk.ILL_TIMED],
)
def test_every_refusal_reads_in_the_pseudo_language(
    client, people, url_name, given, who, method, data, expected
):
    row = walk.Row(method, {who: expected}, given=given, data=data)
    findings = _visit(_pseudo_client(client), url_name, row, who, people)
    _check(findings)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["403", "404", "413", "429", "500"])
def test_every_error_page_reads_in_the_pseudo_language(rf, people, name):
    request = rf.get("/")
    request.user = people.buyer
    context = {}
    if name == "429":  # as core.ratelimit renders it
        limited = Limited("messages", "user", timezone.now() + timedelta(minutes=4))
        context = {"limited": limited, "minutes": 4, "kept": {"body": "12345"}}
    html = render_to_string(
        f"errors/{name}.html", context, request=request if name != "500" else None
    )
    where = f"errors/{name}.html"
    findings = _findings(where, page_text(html), Allowed(stored_data()), lambda piece: [where])
    _check(findings)


@pytest.mark.django_db
def test_the_admin_reads_in_the_pseudo_language(client, people):
    """The admin's own words come from Django's catalogue; the models' names from ours (a
    library's untranslated app and model names are the library's, `library_names`, and what
    the admin lists of the libraries' tables is their data)."""
    staff = people.arbiter
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    walk.waiting_for_buyer(people)
    client = _pseudo_client(client)
    client.force_login(staff)
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in site._registry
    ]
    findings = [f for url in urls for f in _look(client, f"GET {url}", "get", url, {}, True)]
    _check(findings)


# --- Emails: every note the walk's cases and their clocks send ----------------------------------

CASES = [
    walk.waiting_for_seller,
    walk.waiting_for_buyer,
    walk.escalated,
    walk.taken,
    walk.appeal_taken,
    walk.withdrawn,
    walk.return_shipped,
    walk.replacement_shipped,
    walk.receipt_confirmed,
    walk.claim_changed,
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_every_email_reads_in_the_pseudo_language(people, case):
    """The notes the case's acts sent, then those its clocks send as time passes: reminders
    before each deadline, then every clock at zero."""
    case(people)
    start = timezone.now()
    for days in (2, 3.5, 4.5, 5.5, 8, 11, 16, 31, 61, 121):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            enforce_deadlines()
    assert Notification.objects.exists()
    _check(_notes(f"{case.__name__} and its clocks"))


# --- The timeline: every entry of the catalogue, as a sentence and as a note -------------------


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_every_timeline_entry_reads_in_the_pseudo_language(in_pseudo, code):
    kind, data = CATALOGUE[code], SAMPLES[code]
    texts = [kind.describe(data)]
    if kind.parties(data):
        texts += [(kind.headline or kind.describe)(data), kind.note_body(data)]
    allowed, written_in = Allowed(set(free_text(data))), [kind.describe.__module__]
    findings = [f for text in texts for f in _findings(code, text, allowed, lambda p: written_in)]
    _check(findings)


def test_money_in_a_sentence_reads_as_data(in_pseudo):
    """Amounts inside a marked sentence, and alone, are data: nothing to report."""
    amount = moments.money(Decimal("1234.56"), "EUR")
    allowed = Allowed()
    assert unmarked_strings(amount, allowed) == []
    assert unmarked_strings(moments.moment(timezone.now()), allowed) == []
