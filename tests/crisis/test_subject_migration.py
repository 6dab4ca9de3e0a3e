"""The data migration that rewrites the subjects of crises opened before they were in words."""

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from crisis.models import Crisis

pytestmark = pytest.mark.django_db

migration = import_module("crisis.migrations.0006_crisis_subjects_in_words")


def _crisis(brand, subject, key):
    now = timezone.now()
    return Crisis.objects.create(
        brand=brand,
        subject=subject,
        subject_key=key,
        first_comment_at=now,
        last_escalation_at=now,
        opened_at=now,
    )


def test_old_subjects_are_rewritten_in_words_in_each_brands_language(aurora, rapimenu):
    spanish = _crisis(aurora, "health_safety: groped", "health_safety")
    english = _crisis(rapimenu, "reach: followers=512000", "reach")
    ripple = _crisis(aurora, "Onda #4: cobro doble", "ripple:4")
    category = _crisis(aurora, "Insulto o ataque", "category:insult")
    written = _crisis(aurora, "Salud o seguridad: “ya en palabras”", "health_safety")

    migration.subjects_in_words(apps, None)

    for crisis in (spanish, english, ripple, category, written):
        crisis.refresh_from_db()
    assert spanish.subject == "Salud o seguridad: “groped”"
    assert english.subject == "Large reach: “followers=512000”"
    assert ripple.subject == "Onda #4: cobro doble"  # keys with a colon are not signals
    assert category.subject == "Insulto o ataque"
    assert written.subject == "Salud o seguridad: “ya en palabras”"
