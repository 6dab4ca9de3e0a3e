"""Crises opened before subjects were written in words read "health_safety: groped": rewrite
them as new ones are written, "Salud o seguridad: “groped”", in each brand's language."""

from django.db import migrations
from django.utils import translation

from crisis.opening import signal_subject


def subjects_in_words(apps, schema_editor):
    crisis_model = apps.get_model("crisis", "Crisis")
    for crisis in crisis_model.objects.select_related("brand").exclude(subject_key__contains=":"):
        prefix = f"{crisis.subject_key}: "
        if not crisis.subject.startswith(prefix):
            continue
        with translation.override(crisis.brand.language):
            crisis.subject = signal_subject(crisis.subject_key,
                                            crisis.subject.removeprefix(prefix))
        crisis.save(update_fields=["subject"])


class Migration(migrations.Migration):
    dependencies = [
        ("crisis", "0005_statement_tone_warnings"),
        ("brands", "0001_initial"),
    ]

    operations = [migrations.RunPython(subjects_in_words, migrations.RunPython.noop)]
