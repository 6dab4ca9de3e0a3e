"""The demo's opening ripple: what `make demo` shows first must really be a ripple."""

import pytest

from comments.models import Comment
from demo import demo

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
