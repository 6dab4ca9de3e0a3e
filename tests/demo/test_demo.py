"""The demo's opening ripple: what `make demo` shows first must really be a ripple."""

import pytest

from comments.models import Comment
from demo import demo, knowledge
from replies.models import Fact, FaqEntry

pytestmark = pytest.mark.django_db


def test_the_demo_wave_is_one_ripple_of_red_complaints_and_seeding_twice_adds_nothing():
    aurora = demo.seed_brands()["aurora"]
    assert demo.seed_ripple(aurora) == len(demo.RIPPLE_WAVE)
    wave = Comment.objects.filter(external_id__startswith="demo-wave-")
    assert wave.count() == len(demo.RIPPLE_WAVE)
    assert wave.values("ripple").distinct().count() == 1
    assert set(wave.values_list("level", flat=True)) == {"red"}

    assert demo.seed_ripple(aurora) == len(demo.RIPPLE_WAVE)
    assert Comment.objects.filter(external_id__startswith="demo-wave-").count() == len(
        demo.RIPPLE_WAVE
    )


def test_the_demo_brands_know_faq_answers_and_facts_and_seeding_twice_adds_nothing():
    brands = demo.seed_brands()
    demo.seed_people(brands)
    counts = knowledge.seed_knowledge(brands)
    assert counts == knowledge.seed_knowledge(brands)
    assert counts == (
        sum(len(entries) for entries in knowledge.DEMO_FAQ.values()),
        sum(len(facts) for facts in knowledge.DEMO_FACTS.values()),
    )
    assert FaqEntry.objects.filter(brand=brands["aurora"], language="es").count() >= 4
    assert Fact.objects.filter(brand=brands["aurora"]).exists()
