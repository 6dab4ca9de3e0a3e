from datetime import date

from django.core.management.base import BaseCommand, CommandError

from brands.models import Brand
from reports import rollups


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a date like 2026-11-30") from None


class Command(BaseCommand):
    help = (
        "Rebuild the hourly rollups from the comments, cases and follow-ups: every brand, or "
        "one (--brand), every hour or those from a UTC date on (--since)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--brand", metavar="SLUG", help="only this brand")
        parser.add_argument("--since", metavar="DATE", help="from this UTC date, YYYY-MM-DD")

    def handle(self, *args, brand=None, since=None, **options):
        day = _date(since) if since else None
        brands = Brand.objects.order_by("pk")
        if brand is not None:
            brands = brands.filter(slug=brand)
            if not brands.exists():
                raise CommandError(f"--brand: no brand has the slug {brand!r}")
        brand_ids = list(brands.values_list("pk", flat=True))
        hours = rollups.rollups_rebuild(brand_ids=brand_ids, since=day)
        self.stdout.write(f"{hours} hours rebuilt for {len(brand_ids)} brand(s)")
