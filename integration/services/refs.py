"""External ids: the one way the integration finds its own objects, so another
integration's ids are not found (a 404, never a leak) and a retried call finds what the first
one made."""

from django.db.models import QuerySet

from core.errors import ActionRefused

from ..models import ExternalRef, Integration, RefKind


class NotFound(ActionRefused):
    """No object of this integration has that id (another integration's ids are not found)."""


def object_id(integration: Integration, kind: RefKind, external_id: str) -> int | None:
    return (
        ExternalRef.objects.filter(integration=integration, kind=kind, external_id=external_id)
        .values_list("object_id", flat=True)
        .first()
    )


def required_id(integration: Integration, kind: RefKind, external_id: str) -> int:
    found = object_id(integration, kind, external_id)
    if found is None:
        # The kind's code, not its label: an API problem stays English whatever the caller's
        # Accept-Language (the label is translated for the admin).
        raise NotFound(f"No {kind.value} with the id “{external_id}”.")
    return found


def owned_ids(integration: Integration, kind: RefKind) -> QuerySet[ExternalRef, int]:
    """The ids of the integration's objects of one kind (a subquery for scoped lookups)."""
    return ExternalRef.objects.filter(integration=integration, kind=kind).values_list(
        "object_id", flat=True
    )


def attach(integration: Integration, kind: RefKind, external_id: str, pk: int) -> None:
    ExternalRef.objects.create(
        integration=integration, kind=kind, external_id=external_id, object_id=pk
    )
