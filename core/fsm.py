"""What both state machines share: the model mixin, and the two helpers their services use
(lock the row, then make a checked move)."""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
        raise ActionRefused(_not_allowed(obj))
    from_state = str(obj.state)
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:
        raise StaleState(_now_is(obj)) from exc
    return from_state


# The refusals in whole sentences for the machines Parley has (the object's name changes the
# words around it in most languages: "this dispute" is "esta disputa", "this order" "este
# pedido"); by model name, so core imports no app. Another machine gets the general sentence.
_NOT_ALLOWED = {
    "dispute": gettext_lazy("You are not allowed to do this on this dispute."),
    "order": gettext_lazy("You are not allowed to do this on this order."),
}
_NOW_IS = {
    "dispute": gettext_lazy("This dispute is now “%(state)s”."),
    "order": gettext_lazy("This order is now “%(state)s”."),
}


def _noun(obj: Any) -> str:
    return str(obj._meta.verbose_name)


def _not_allowed(obj: Any) -> str:
    sentence = _NOT_ALLOWED.get(obj._meta.model_name)
    if sentence is not None:
        return str(sentence)
    # Translators: %(thing)s is the name of what is being changed, e.g. "refund".
    return _("You are not allowed to do this on this %(thing)s.") % {"thing": _noun(obj)}


def _now_is(obj: Any) -> str:
    state = obj.get_state_display()
    sentence = _NOW_IS.get(obj._meta.model_name)
    if sentence is not None:
        return str(sentence) % {"state": state}
    # Translators: %(thing)s is the name of what changed, e.g. "refund"; %(state)s its state.
    return _("This %(thing)s is now “%(state)s”.") % {"thing": _noun(obj), "state": state}
