import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_policy_refund_arrival_business_days")]

    # The versions before these fields get policy.md's defaults.
    operations = [
        migrations.AddField(
            model_name="policy",
            name="return_transit_days",
            field=models.PositiveSmallIntegerField(
                default=20,
                help_text=(
                    "Days a return is taken to travel when no delivery is recorded: the "
                    "seller's days to confirm it run from its shipment plus this."
                ),
                validators=[django.core.validators.MinValueValidator(1)],
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="policy",
            name="replacement_ship_days",
            field=models.PositiveSmallIntegerField(
                default=10,
                help_text=(
                    "Days the seller has to ship an agreed or ruled replacement, or the buyer "
                    "is refunded."
                ),
                validators=[django.core.validators.MinValueValidator(1)],
            ),
            preserve_default=False,
        ),
    ]
