# The payout holders' index reads "appealable" as everywhere else (APPEALABLE): ruled, not
# appealed, not final. The rows it holds are the same (an appealed ruling is open until final).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0012_events_code_and_data'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dispute',
            name='dispute_holds_payout',
        ),
        migrations.AddIndex(
            model_name='dispute',
            index=models.Index(condition=models.Q(('state__in', ['awaiting_seller', 'awaiting_buyer', 'escalated', 'awaiting_return', 'return_in_transit', 'appealed']), models.Q(('appealed_at__isnull', True), ('final_at__isnull', True), ('ruled_at__isnull', False)), _connector='OR'), fields=['order'], name='dispute_holds_payout'),
        ),
    ]
