"""What both state machines share: the model mixin, and the two helpers their services use
(lock the row, then make a checked move)."""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import models
from django_fsm import (
    ConcurrentTransitionMixin,
    FSMFieldMixin,
    TransitionNotAllowed,
    can_proceed,
    has_transition_perm,
)

from .errors import ActionRefused, StaleState


class StateMachine(ConcurrentTransitionMixin):
    """django-fsm's backstop to the row lock (a save fails if the state changed since the row
    was read), with the model's state fields listed once per model: the mixin filters every
    field of the model each time an instance is loaded or saved, which cost the rule engine
    more than its transitions."""

    @property
    def state_fields(self) -> Iterable[FSMFieldMixin]:
        return _state_fields(type(self))


@cache
def _state_fields(model: type[models.Model]) -> tuple[FSMFieldMixin, ...]:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))


def locked[M: models.Model](obj: M, *related: str) -> M:
    """Re-read `obj` under a row lock (only its own row), with `related` loaded. The caller
    must be inside transaction.atomic()."""
    manager = type(obj)._default_manager
    return manager.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)


def transition(obj: Any, name: str, actor: Any | None, **kwargs: Any) -> str:
    """Check the state, then the person, then move; returns the state moved from.

    actor=None is the system (the clock, a payment provider): it needs no permission. A wrong
    state is StaleState (someone or the clock acted first); a wrong person is ActionRefused.
    """
    method = getattr(obj, name)
    if not can_proceed(method, check_conditions=False):
        raise StaleState(_now_is(obj))
    if actor is not None and not has_transition_perm(method, actor):
        raise ActionRefused(f"You are not allowed to do this on this {_noun(obj)}.")
    from_state = str(obj.state)
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:
        raise StaleState(_now_is(obj)) from exc
    return from_state


def _noun(obj: Any) -> str:
    return str(obj._meta.verbose_name)


def _now_is(obj: Any) -> str:
    return f"This {_noun(obj)} is now “{obj.get_state_display()}”."
