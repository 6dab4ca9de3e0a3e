from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ApiToken
from accounts.roles import Role, grant_role


class Command(BaseCommand):
    help = "Create a REST client (user in the api_client group) if needed and issue it a token. " \
           "The token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the REST client's name, used as its username")

    @transaction.atomic
    def handle(self, *args, name, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("NAME must be 1 to 100 characters")
        user, created = get_user_model().objects.get_or_create(username=f"api:{name}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        grant_role(user, Role.API_CLIENT)
        _, raw = ApiToken.issue(user=user, name=name)
        self.stdout.write(f"{'Created' if created else 'Existing'} REST client {user.username}; "
                          "store this token now, it is not shown again:")
        self.stdout.write(raw)
