"""The demo's opening ripple: what `make demo` shows first must really be a ripple."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from comments.models import Comment
from demo import demo, knowledge
from replies.models import Fact, FaqEntry
from reports import complaints
from reports.figures import Scope
from reports.models import ComplaintSubject
from reports.periods import Period, today_in

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


def test_the_demo_complaints_show_named_rising_and_falling_subjects_and_seed_once():
    brands = demo.seed_brands()
    demo.seed_people(brands)
    stored = demo.seed_complaints(brands)
    assert stored == sum(
        len(days) for subjects in demo.COMPLAINT_HISTORY.values() for days, _ in subjects.values()
    )
    assert demo.seed_complaints(brands) == stored
    assert Comment.objects.filter(external_id__startswith="demo-complaint-").count() == stored
    assert ComplaintSubject.objects.count() == 1

    aurora = brands["aurora"]
    zone = ZoneInfo(aurora.time_zone)
    today = today_in(zone, now=timezone.now())
    week = Period(today - timedelta(days=6), today, zone)
    top = complaints.top_complaints(
        Scope(brand_ids=frozenset({aurora.pk}), period=week), now=timezone.now()
    )
    subjects = {s["keys"][0]: s for s in top["subjects"]}
    assert {"~card_problem", "~double_charge", "~app_down", "~long_queue"} <= set(subjects)
    card = subjects["~card_problem"]
    assert (card["name"], card["rising"]) == ("Tarjetas bloqueadas o rechazadas", True)
    assert subjects["~app_down"]["trend"] == "down"
