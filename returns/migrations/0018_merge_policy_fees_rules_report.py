from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0017_fees"),
        ("returns", "0017_policy"),
        ("returns", "0017_report"),
        ("returns", "0017_rules"),
    ]

    operations = []
