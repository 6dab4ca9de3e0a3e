"""The weekly summary mail to each brand's supervisors: last week's figures, its top
complaints and its crises, in the brand's language.

Beat runs ``weekly_summaries_promise`` every hour. A brand's summary of a week is promised
once its Monday has reached ``SEND_HOUR`` in the brand's own time zone; the outbox key holds
the brand and the week, so a second run (or a second beat) promises nothing more, and the
outbox sends it once (``outbound.mails``).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import supervisor_emails
from brands.models import Brand
from core.queueing import each_isolated
from crisis.models import Crisis
from outbound.mails import Outgoing, mails_create
from outbound.models import Mail, MailKind
from reports import complaints, figures
from reports.periods import Period

#: The local hour of Monday from which last week's summary goes out.
SEND_HOUR = 8
TOP_COMPLAINTS = 5


def last_week(zone: ZoneInfo, *, now: datetime) -> Period:
    """Monday to Sunday before the week ``now`` falls in, in ``zone``."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return Period(monday - timedelta(days=7), monday - timedelta(days=1), zone)


def summary_key(brand_id: int, period: Period) -> str:
    return f"weekly-summary:{brand_id}:{period.first_day.isoformat()}"


def weekly_summaries_promise(*, now: datetime | None = None) -> int:
    """Promise last week's summary of every brand whose Monday reached ``SEND_HOUR`` and that
    was not promised yet; answer how many.

    Each brand on its own: one brand whose figures cannot be built (a time zone the server's
    tzdata no longer knows) waits for the next hourly run without holding back the others."""
    now = now or timezone.now()
    outgoing: list[Outgoing] = []
    each_isolated(
        Brand.objects.order_by("pk"),
        lambda brand: outgoing.extend(_due_summary(brand, now=now)),
        failed=_tried_again_next_hour,
    )
    return len(mails_create(outgoing))


def _due_summary(brand: Brand, *, now: datetime) -> list[Outgoing]:
    zone = ZoneInfo(brand.time_zone)
    local = now.astimezone(zone)
    if local.weekday() == 0 and local.hour < SEND_HOUR:
        return []
    period = last_week(zone, now=now)
    key = summary_key(brand.pk, period)
    if Mail.objects.filter(key=key).exists():
        return []
    return [_summary(brand, period, key, now=now)]


def _tried_again_next_hour(brand: Brand, error: Exception) -> None:
    """Nothing to record: a brand not promised is due again at the next run."""


def _summary(brand: Brand, period: Period, key: str, *, now: datetime) -> Outgoing:
    scope = figures.Scope(brand_ids=frozenset({brand.pk}), period=period)
    with translation.override(brand.language), timezone.override(period.zone):
        context = {
            "brand": brand,
            "period": period,
            "overview": figures.overview(scope, now=now),
            "complaints": complaints.top_complaints(scope, now=now, limit=TOP_COMPLAINTS),
            "crises": list(
                Crisis.objects.filter(
                    brand=brand, opened_at__gte=period.start, opened_at__lt=period.end
                ).order_by("opened_at")
            ),
            "url": f"{settings.SEMAFORO_BASE_URL}{reverse('reports-overview')}",
        }
        subject = _("%(brand)s: the week of %(since)s to %(until)s") % {
            "brand": brand.name,
            "since": period.first_day.isoformat(),
            "until": period.last_day.isoformat(),
        }
        body = render_to_string("reports/weekly_summary.txt", context)
    return Outgoing(
        brand_id=brand.pk,
        kind=MailKind.WEEKLY_SUMMARY,
        key=key,
        to=supervisor_emails(brand.pk),
        subject=subject,
        body=body,
        about=reverse("reports-overview"),
    )
