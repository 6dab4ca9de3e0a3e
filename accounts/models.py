import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.audit import audit_change

TOKEN_PREFIX = "smf_"  # noqa: S105 (a label, not a secret)


def digest_token(raw: str) -> str:
    """SHA-256 of a token.

    Tokens are 256 random bits, so a fast unsalted hash is enough: there is nothing to guess by
    brute force, and a database leak does not reveal usable tokens.
    """
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at=None)


class ApiToken(models.Model):
    """A REST client's credential. Only its digest is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    brand = models.ForeignKey(
        "brands.Brand",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Every comment it pushes is filed to this brand. Empty: a relay for several "
        "brands, which files each comment by the brand account it names and reads "
        "nothing.",
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str, brand=None) -> tuple["ApiToken", str]:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, brand=brand, prefix=raw[:10], digest=digest_token(raw)
        )
        audit_change(
            actor=None,
            action="apitoken_issued",
            brand_id=token.brand_id,
            before={},
            after={
                "id": token.pk,
                "name": name,
                "user": user.get_username(),
                "prefix": token.prefix,
            },
        )
        return token, raw
