from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ApiToken
from brands.grants import grant_role
from brands.models import Brand
from brands.roles import Role


class Command(BaseCommand):
    help = (
        "Create a REST client (user in the api_client group) if needed and issue it a token "
        "for one brand. The token is printed alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the REST client's name, used as its username")
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--brand",
            help="slug of the brand whose comments it pushes "
            "(needed when the desk has several brands)",
        )
        target.add_argument(
            "--relay",
            action="store_true",
            help="serve several brands: file each comment by the brand account "
            "it names; such a token reads nothing",
        )

    @transaction.atomic
    def handle(self, *args, name, brand, relay, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("NAME must be 1 to 100 characters")
        brand = None if relay else _brand(brand)
        user, created = get_user_model().objects.get_or_create(username=f"api:{name}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        grant_role(user, Role.API_CLIENT)
        _, raw = ApiToken.issue(user=user, name=name, brand=brand)
        scope = f"brand {brand.slug}" if brand else "relay for every brand's accounts"
        self.stdout.write(
            f"{'Created' if created else 'Existing'} REST client {user.username} "
            f"({scope}); store this token now, it is not shown again:"
        )
        self.stdout.write(raw)


def _brand(slug: str | None) -> Brand:
    if slug:
        brand = Brand.objects.filter(slug=slug).first()
        if brand is None:
            known = ", ".join(Brand.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"no brand with slug {slug!r} (known: {known})")
        return brand
    brands = list(Brand.objects.all()[:2])
    if len(brands) != 1:
        raise CommandError(
            "name the brand with --brand SLUG (or --relay): the desk has "
            f"{'several brands' if brands else 'no brand yet; create one first'}"
        )
    return brands[0]
