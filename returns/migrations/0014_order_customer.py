from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("returns", "0013_claim_photos")]

    operations = [
        migrations.AddField(
            model_name="shopifyorder",
            name="customer_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="customer name"),
        ),
    ]
