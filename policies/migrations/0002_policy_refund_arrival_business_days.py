import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="refund_arrival_business_days",
            field=models.PositiveSmallIntegerField(
                default=15,  # the policy's 7 to 15 business days, for the versions before this field
                help_text=(
                    "Business days a refund may take to reach the buyer's original payment method."
                ),
                validators=[django.core.validators.MinValueValidator(1)],
            ),
            preserve_default=False,
        ),
    ]
