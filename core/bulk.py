"""Writing many rows in one statement (the services' batch forms and the timeline recorder).

PostgreSQL only: one array per column, bound on the server in binary. Django's `bulk_update`
builds a CASE per row and field, and `bulk_create` a placeholder per cell; both cost more than
the statement itself at a few hundred rows.
"""

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper


def update_rows(objs: Sequence[models.Model], fields: list[str]) -> None:
    """Save `fields` of each object in one statement (the callers hold the rows' locks).

    UPDATE … FROM unnest(one array per column), restricted to `id = ANY(ids)` so that the
    planner looks the rows up by primary key however large the table (joining a list of values
    alone, it chooses a full scan of the table once a batch has a few hundred rows).
    """
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    assert pk is not None
    targets = [_field(model, name) for name in fields]
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(pk.column or pk.name)
    columns = [pk, *targets]
    arrays = ", ".join(f"%b::{field.db_type(connection)}[]" for field in columns)
    names = ", ".join(quote(_column(field)) for field in columns)
    sets = ", ".join(f"{quote(_column(f))} = v.{quote(_column(f))}" for f in targets)
    sql = (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "
        f"WHERE {table}.{key} = v.{key} AND {table}.{key} = ANY(%b)"
    )
    ids = [obj.pk for obj in objs]
    values = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        for field in targets
    ]
    _execute_arrays(connection, sql, [ids, *values, ids])


def insert_columns(
    model: type[models.Model], columns: dict[str, list[Any]], *, ignore_conflicts: bool = False
) -> None:
    """Insert rows given as one list of database values per field (attname), when the caller
    does not need their ids: INSERT … SELECT FROM unnest(…), one parameter per column. Fields
    left out take their column's default (NULL if it has none)."""
    rows = next(iter(columns.values()), [])
    if rows:
        _insert(model, columns, ignore_conflicts=ignore_conflicts)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert new model instances of one model in one statement and give each its id, as
    `bulk_create` does (without its placeholder per cell: for a thousand refunds, building
    Django's INSERT cost more than PostgreSQL running it)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = {
        field.attname: [
            field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs
        ]
        for field in fields
    }
    # RETURNING gives the rows in the order unnest produced them, which Django's own
    # bulk_create relies on as well.
    ids = _insert(model, columns, returning=True)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _insert(
    model: type[models.Model],
    columns: dict[str, list[Any]],
    *,
    ignore_conflicts: bool = False,
    returning: bool = False,
) -> list[Any]:
    connection = connections[router.db_for_write(model)]
    fields = [_field(model, attname) for attname in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(_column(field)) for field in fields)
    arrays = ", ".join(f"%b::{field.db_type(connection)}[]" for field in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    pk = model._meta.pk
    assert pk is not None
    ids = f" RETURNING {quote(_column(pk))}" if returning else ""
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){conflict}{ids}"
    rows = _execute_arrays(connection, sql, list(columns.values()), fetch=returning)
    return [row[0] for row in rows]


def _field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a relation's reverse side, not a column.")
    return field


def _column(field: "models.Field[Any, Any]") -> str:
    return field.column or field.name


def _execute_arrays(
    connection: BaseDatabaseWrapper, sql: str, arrays: list[list[Any]], *, fetch: bool = False
) -> list[tuple[Any, ...]]:
    """Run a statement whose parameters are whole columns, bound on the server in binary
    (`%b`): Django's cursors quote parameters into the SQL text on the client, which for
    arrays of a thousand values costs several times the statement itself. Same connection,
    same transaction; errors become Django's as usual. Returns the rows if `fetch`."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, arrays)
        return cursor.fetchall() if fetch else []
