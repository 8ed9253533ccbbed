"""PostgreSQL backstop: an order's refunds (other than failed ones) never exceed its payment.

The refund service already checks this under the order's row lock; the trigger makes a bug or a
raw write fail loudly instead of paying out twice.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION parley_refunds_within_payment() RETURNS trigger AS $$
DECLARE
    paid numeric;
    refunded numeric;
BEGIN
    IF NEW.status = 'failed' THEN
        RETURN NEW;
    END IF;
    SELECT amount INTO paid FROM orders_payment WHERE order_id = NEW.order_id;
    SELECT COALESCE(SUM(amount), 0) INTO refunded FROM disputes_refund
        WHERE order_id = NEW.order_id AND status <> 'failed' AND id IS DISTINCT FROM NEW.id;
    IF paid IS NULL OR refunded + NEW.amount > paid THEN
        RAISE EXCEPTION 'refunds of order % would exceed its payment', NEW.order_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER refunds_within_payment
    BEFORE INSERT OR UPDATE OF amount, status, order_id ON disputes_refund
    FOR EACH ROW EXECUTE FUNCTION parley_refunds_within_payment();
"""

DROP = """
DROP TRIGGER IF EXISTS refunds_within_payment ON disputes_refund;
DROP FUNCTION IF EXISTS parley_refunds_within_payment();
"""


def _on_postgres(sql):
    """A migration step running ``sql`` (Parley runs on PostgreSQL only; 0010 reuses this)."""

    def run(apps, schema_editor):
        schema_editor.execute(sql, None)  # None: "%" in plpgsql is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial"), ("orders", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
