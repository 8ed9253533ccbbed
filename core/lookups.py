"""`field__any=[…]`: membership in a list passed as ONE array parameter (`field = ANY(%s)`).

Django's `__in` writes a placeholder per value, and each is adapted and then parsed again by
psycopg; for the thousand ids of an engine batch, that cost more than PostgreSQL running the
query. Registered on every field by core's AppConfig (PostgreSQL only, as core.bulk).
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler


class InArray(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(
        self, value: Any, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "%s", ([getattr(item, "pk", item) for item in value],)

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
