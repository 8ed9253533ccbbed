"""The refund backstop checks once per statement instead of once per row.

The row trigger of 0002 summed the order's refunds for every row inserted: a batch of a few
hundred refunds (the rule engine's) paid that sum hundreds of times. This one looks at each
order touched by the statement once, through the statement's transition table, after the rows
are written; the rule it enforces is unchanged (refunds other than failed ones never exceed the
order's payment). SQLite (the demo database) has no plpgsql.
"""

from importlib import import_module

from django.db import migrations

row_trigger = import_module("disputes.migrations.0002_refund_total_trigger")
_on_postgres = row_trigger._on_postgres

CREATE = """
DROP TRIGGER IF EXISTS refunds_within_payment ON disputes_refund;
DROP FUNCTION IF EXISTS parley_refunds_within_payment();

CREATE FUNCTION parley_refunds_within_payment() RETURNS trigger AS $$
DECLARE
    over bigint;
BEGIN
    SELECT r.order_id INTO over
    FROM disputes_refund r
    LEFT JOIN orders_payment p ON p.order_id = r.order_id
    WHERE r.order_id IN (SELECT order_id FROM touched) AND r.status <> 'failed'
    GROUP BY r.order_id, p.amount
    HAVING p.amount IS NULL OR SUM(r.amount) > p.amount
    LIMIT 1;
    IF over IS NOT NULL THEN
        RAISE EXCEPTION 'refunds of order % would exceed its payment', over
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER refunds_within_payment_insert
    AFTER INSERT ON disputes_refund REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION parley_refunds_within_payment();
CREATE TRIGGER refunds_within_payment_update
    AFTER UPDATE ON disputes_refund REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION parley_refunds_within_payment();
"""

DROP = """
DROP TRIGGER IF EXISTS refunds_within_payment_insert ON disputes_refund;
DROP TRIGGER IF EXISTS refunds_within_payment_update ON disputes_refund;
DROP FUNCTION IF EXISTS parley_refunds_within_payment();
"""


def _restore_row_trigger(apps, schema_editor):
    _on_postgres(DROP)(apps, schema_editor)
    _on_postgres(row_trigger.CREATE)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0009_store_required")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _restore_row_trigger)]
