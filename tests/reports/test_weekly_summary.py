"""The weekly summary mail: last week's figures, top complaints and crises, to the brand's
supervisors, in the brand's language, once per brand and week, from the brand's own Monday."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from brands.grants import grant_role
from brands.models import Brand
from brands.roles import Role
from comments import intake
from crisis.models import Crisis
from outbound.mails import mails_send
from outbound.models import Mail, MailKind
from reports import rollups, summaries
from tests.factories import RED_TEXT, comment_item

pytestmark = pytest.mark.django_db(transaction=True)

#: Monday 2026-11-30, 12:00 UTC: 07:00 in Bogotá (before the hour), 13:00 in Madrid.
MONDAY_NOON_UTC = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
LAST_WEEK_WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_last_week_is_monday_to_sunday_before_the_current_week_in_the_brands_zone():
    tokyo = ZoneInfo("Asia/Tokyo")  # already Tuesday there
    week = summaries.last_week(tokyo, now=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2026-11-23", "2026-11-29")
    sunday = summaries.last_week(tokyo, now=datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    assert sunday.first_day.isoformat() == "2026-11-16"


def test_each_brand_gets_its_summary_once_from_its_own_monday_morning(
    aurora, rapimenu, sam, bruno, carla
):
    rapimenu.time_zone = "Europe/Madrid"
    rapimenu.save()
    grant_role(bruno, Role.SUPERVISOR, brand=rapimenu)
    intake.ingest(
        [
            comment_item(text=RED_TEXT, posted_at=LAST_WEEK_WEDNESDAY.isoformat()),
            comment_item(
                text="Excelente atención, gracias", posted_at=LAST_WEEK_WEDNESDAY.isoformat()
            ),
        ],
        brand_id=aurora.pk,
    )
    Crisis.objects.create(
        brand=aurora,
        subject="Cobros dobles en la app",
        first_comment_at=LAST_WEEK_WEDNESDAY,
        last_escalation_at=LAST_WEEK_WEDNESDAY,
        opened_at=LAST_WEEK_WEDNESDAY,
    )
    rollups.rollups_rebuild(brand_ids=[aurora.pk, rapimenu.pk])

    # 07:00 in Bogotá: Aurora waits for 08:00; Madrid's RapiMenu is past its hour.
    assert summaries.weekly_summaries_promise(now=MONDAY_NOON_UTC) == 1
    [english] = Mail.objects.filter(kind=MailKind.WEEKLY_SUMMARY)
    assert english.brand_id == rapimenu.pk
    assert english.to == [bruno.email]
    assert english.subject == "RapiMenu: the week of 2026-11-23 to 2026-11-29"
    assert "Comments: 0" in english.body

    later = MONDAY_NOON_UTC + timedelta(hours=2)
    assert summaries.weekly_summaries_promise(now=later) == 1  # Aurora's, now 09:00 there
    assert summaries.weekly_summaries_promise(now=later) == 0  # once per brand and week
    spanish = Mail.objects.get(kind=MailKind.WEEKLY_SUMMARY, brand=aurora)
    assert spanish.to == [sam.email]
    assert spanish.subject.startswith("Banco Aurora: la semana del 2026-11-23 al 2026-11-29")
    assert "Comentarios: 2 (rojos 1, 50,0 %" in spanish.body
    assert "25/11/2026 10:00 · Cobros dobles en la app" in spanish.body  # Bogotá time
    assert "Cobros dobles en la app" in spanish.body
    assert "/reports/" in spanish.body

    mails_send(mail_ids=[english.pk, spanish.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bruno.email, sam.email])


def test_a_brand_whose_summary_cannot_be_built_holds_back_no_other(aurora, rapimenu, sam, bruno):
    grant_role(bruno, Role.SUPERVISOR, brand=rapimenu)
    Brand.objects.filter(pk=rapimenu.pk).update(time_zone="America/Atlantis")  # tzdata lost it

    later = MONDAY_NOON_UTC + timedelta(hours=2)
    assert summaries.weekly_summaries_promise(now=later) == 1
    assert Mail.objects.get(kind=MailKind.WEEKLY_SUMMARY).brand_id == aurora.pk

    Brand.objects.filter(pk=rapimenu.pk).update(time_zone="Europe/Madrid")
    assert summaries.weekly_summaries_promise(now=later) == 1  # its turn at the next run
