"""The case page's "others affected": the brand's other customers with the same complaint."""

from functools import partial

import pytest
from django.urls import reverse

from comments import intake, selectors
from comments.models import Comment
from demo.demo import RIPPLE_WAVE
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, UNRELATED, _items

pytestmark = pytest.mark.django_db


def _case_of(handle):
    return Comment.objects.get(author__handle=handle).case


def test_paraphrases_by_other_customers_are_found_and_unrelated_complaints_are_not(aurora):
    # Five paraphrases (below the ripple's ten) and five complaints about other things.
    intake.ingest(
        _items(DOUBLE_CHARGE[:5], prefix="dc") + _items(UNRELATED[:5], prefix="un"),
        brand_id=aurora.pk,
    )
    others = selectors.others_affected(_case_of("@dc_0"))
    assert others.authors == 4
    assert not others.more_than
    assert {c.author.handle for c in others.examples} == {"@dc_1", "@dc_2", "@dc_3", "@dc_4"}


def test_another_brands_customers_are_not_counted(aurora, rapimenu):
    intake.ingest(_items(DOUBLE_CHARGE[:3], prefix="dc"), brand_id=aurora.pk)
    intake.ingest(_items(DOUBLE_CHARGE[3:6], prefix="rm"), brand_id=rapimenu.pk)
    others = selectors.others_affected(_case_of("@dc_0"))
    assert {c.author.handle for c in others.examples} == {"@dc_1", "@dc_2"}


def test_the_case_page_shows_them_and_says_so_when_nobody_else_complained(client, alice, aurora):
    ingest = partial(intake.ingest, brand_id=aurora.pk)
    ingest(_items(DOUBLE_CHARGE[:3], prefix="dc") + _items(UNRELATED[:1], prefix="un"))
    client.force_login(alice)

    page = client.get(reverse("case-detail", args=[_case_of("@dc_0").pk])).content.decode()
    panel = page[page.index('id="others-affected"') :]
    assert "2 clientes más se quejaron de lo mismo en las últimas 48 horas" in panel
    assert "@dc_1" in panel
    assert "@dc_2" in panel
    assert "@un_0" not in panel

    lonely = client.get(reverse("case-detail", args=[_case_of("@un_0").pk])).content.decode()
    assert "Nadie más se quejó de lo mismo en las últimas 48 horas" in lonely


def test_a_complaint_naming_two_problems_finds_those_who_name_one_of_them(aurora):
    # The first names a card problem and a charge not recognised; the others only the charge.
    intake.ingest(_items(RIPPLE_WAVE[:4], prefix="wv"), brand_id=aurora.pk)
    others = selectors.others_affected(_case_of("@wv_0"))
    assert {c.author.handle for c in others.examples} == {"@wv_1", "@wv_2", "@wv_3"}
