"""Rows written before brands existed are filed to one brand, so the column can be required."""

from django.db import migrations


def file_to_default_brand(apps, schema_editor):
    Brand = apps.get_model("brands", "Brand")
    models = [apps.get_model("comments", name) for name in ("Author", "Case", "Comment")]
    if not any(model.objects.filter(brand=None).exists() for model in models):
        return
    brand, _ = Brand.objects.get_or_create(slug="default", defaults={"name": "Default"})
    for model in models:
        model.objects.filter(brand=None).update(brand=brand)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_brand"),
    ]

    operations = [
        migrations.RunPython(file_to_default_brand, migrations.RunPython.noop),
    ]
