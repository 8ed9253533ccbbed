"""Writing many changed rows at once (shared by the services' batch forms)."""

from collections.abc import Sequence

from django.db import connections, models, router
from fast_update.query import FastUpdateQuerySet


def update_rows(objs: Sequence[models.Model], fields: list[str]) -> int:
    """Save `fields` of each object in one UPDATE … FROM (VALUES …) statement: what
    `bulk_update` does, without its CASE WHEN per row and field, which costs milliseconds a
    row at a few hundred rows. The callers hold the rows' locks."""
    if not objs:
        return 0
    queryset = FastUpdateQuerySet(type(objs[0]))
    return queryset.fast_update(objs, fields, unfiltered=True)


def insert_rows(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """Insert new model instances whose ids the caller does not need (see insert_columns)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    prepare = {field.attname: field.get_db_prep_save for field in fields}
    columns = {
        name: [to_db(getattr(obj, name), connection) for obj in objs]
        for name, to_db in prepare.items()
    }
    insert_columns(model, columns, ignore_conflicts=ignore_conflicts)


def insert_columns(model, columns: dict[str, list], *, ignore_conflicts: bool = False) -> None:
    """Insert rows given as one list of database values per field (attname):
    INSERT … SELECT FROM unnest(…), one parameter per column. On PostgreSQL this spares
    Django's per-cell placeholders, which cost more than the insert itself at a few hundred
    rows; elsewhere it is bulk_create (the values must then be plain Python values: no
    database-prepared JSON). Fields left out take NULL."""
    connection = connections[router.db_for_write(model)]
    if not columns or not next(iter(columns.values())):
        return
    if connection.vendor != "postgresql":
        rows = zip(*columns.values(), strict=True)
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    fields = [model._meta.get_field(attname) for attname in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){conflict}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(columns.values()))
