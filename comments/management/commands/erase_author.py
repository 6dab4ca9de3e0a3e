from django.core.management.base import BaseCommand, CommandError

from brands.models import Brand
from comments import erasure
from core.platforms import Platform


class Command(BaseCommand):
    help = (
        "Erase one author's personal data: their comments' text and raw payload, handle, name, "
        "customer record, notes and audit payloads (see comments/erasure.py). Counts stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("handle", help="the handle exactly as the desk stores it")
        parser.add_argument("--brand", help="only at this brand (slug); default: every brand")

    def handle(self, *args, platform, handle, brand=None, **options):
        brand_id = None
        if brand is not None:
            brand_id = Brand.objects.filter(slug=brand).values_list("pk", flat=True).first()
            if brand_id is None:
                raise CommandError(f"no brand {brand!r}")
        try:
            result = erasure.authors_erase(platform=platform, handle=handle, brand_id=brand_id)
        except erasure.AuthorNotFound:
            raise CommandError(f"no author {handle!r} on {platform}: nothing erased") from None
        if not result.authors:
            self.stdout.write(f"already erased ({result.already_erased} authors); nothing to do")
            return
        self.stdout.write(
            f"erased {result.authors} authors at {', '.join(sorted(result.brands))}: "
            f"{result.comments} comments, {result.cases} cases, "
            f"{result.rows_scrubbed} other rows cleaned"
        )
