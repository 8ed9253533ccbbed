"""Writing many changed rows at once (shared by the services' batch forms)."""

from collections.abc import Sequence

from django.db import models
from fast_update.query import FastUpdateQuerySet


def update_rows(objs: Sequence[models.Model], fields: list[str]) -> int:
    """Save `fields` of each object in one UPDATE … FROM (VALUES …) statement: what
    `bulk_update` does, without its CASE WHEN per row and field, which costs milliseconds a
    row at a few hundred rows. The callers hold the rows' locks."""
    if not objs:
        return 0
    queryset = FastUpdateQuerySet(type(objs[0]))
    return queryset.fast_update(objs, fields, unfiltered=True)
