"""The disputes app's timeline: its codes in the event catalogue (people.py: what buyers,
sellers and arbiters do; rules.py: what the clock does when nobody acted in time), and the
one way a dispute's act is put on its timeline and told to its parties."""

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.models import User
from core.outbox import Phrase
from core.timeline import Recorder

from ..models import Dispute, DisputeEvent, Party
from . import order, people, refunds, rules, shipping
from ._words import offer_data
from .order import dispute_on_order, refund_on_order

__all__ = [
    "audience",
    "offer_data",
    "order",
    "people",
    "record",
    "recorded",
    "refund_on_order",
    "refunds",
    "rules",
    "shipping",
]


@cache
def _url_template() -> str:
    return reverse("disputes:detail", kwargs={"dispute_ref": "REFERENCE"})


def audience(dispute: Dispute) -> dict[str, tuple[int, str]]:
    """Who hears of a dispute's acts, and the page each one is sent to. (Formatted, not
    reversed, per dispute: the engine records thousands at a time.)"""
    url = _url_template().replace("REFERENCE", dispute.reference)
    order = dispute.order
    return {Party.BUYER: (order.buyer_id, url), Party.SELLER: (order.store.owner_id, url)}


def recorded(
    recorder: Recorder,
    dispute: Dispute,
    code: str,
    *,
    actor: User | None,
    at: datetime,
    from_state: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Put an act on the dispute's timeline, with the notes its catalogue entry sends (and on
    its order's, when it opened or closed the dispute). The dispute is already in the state
    the act moved it to."""
    state = dispute.state
    event = DisputeEvent.entry(
        code,
        subject_id=dispute.pk,
        actor_id=None if actor is None else actor.pk,
        from_state=state if from_state is None else from_state,
        to_state=state,
        data=dict(data or {}),
        created_at=at,
    )
    title = Phrase(gettext_noop("Dispute %(reference)s"), {"reference": dispute.reference})
    recorder.act(event, title=title, audience=audience(dispute))
    dispute_on_order(
        recorder,
        dispute,
        from_state=event.from_state,
        actor_id=event.actor_id,
        at=at,
        data=event.data,
    )


def record(dispute: Dispute, code: str, **kwargs: Any) -> None:
    """A single act: a recorder with one act in it."""
    recorder = Recorder()
    recorded(recorder, dispute, code, **kwargs)
    recorder.write()
