"""The dispute's timeline: the core event, tied to its dispute."""

from typing import cast

from django.db import models

from core.timeline import TimelineEvent

from .choices import DisputeState
from .dispute import Dispute


class DisputeEvent(TimelineEvent):
    """One act on a dispute, shown to both parties (codes: disputes/events.py and the clocks)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")

    # Lazy labels, put in the reader's language where an event is shown (typed as the words).
    state_labels = cast("dict[str, str]", dict(DisputeState.choices))
    subject_field = "dispute"

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["dispute", "created_at"], name="disputeevent_time")]
