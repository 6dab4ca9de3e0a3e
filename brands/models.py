"""Brands, the accounts they own on each platform, and who works for which brand in what role.

Everything a brand's people see hangs off ``Brand``: comments, authors, cases, escalations.
Its thresholds and deadlines override the desk's defaults where set (empty means the default),
because an airline and a corner bakery do not call the same reach a crisis.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.roles import Role
from core.platforms import Platform


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


def _optional_minutes(label):
    return models.PositiveIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the desk's default."),
    )


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Bogota", validators=[validate_time_zone]
    )
    reach_followers = models.PositiveBigIntegerField(
        _("followers that make a negative comment red"),
        null=True,
        blank=True,
        help_text=_("Empty: the desk's default."),
    )
    reach_shares = models.PositiveBigIntegerField(
        _("shares that make a negative comment red"),
        null=True,
        blank=True,
        help_text=_("Empty: the desk's default."),
    )
    reach_likes = models.PositiveBigIntegerField(
        _("likes that make a negative comment red"),
        null=True,
        blank=True,
        help_text=_("Empty: the desk's default."),
    )
    due_red_minutes = _optional_minutes(_("minutes to answer a red"))
    due_yellow_minutes = _optional_minutes(_("minutes to answer a yellow"))
    due_green_minutes = _optional_minutes(_("minutes to answer a green"))
    resolve_red_minutes = _optional_minutes(_("minutes to resolve a red"))
    resolve_yellow_minutes = _optional_minutes(_("minutes to resolve a yellow"))
    resolve_green_minutes = _optional_minutes(_("minutes to resolve a green"))
    deadline_warn_minutes = models.PositiveIntegerField(
        _("minutes of warning before a deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: the desk's default."),
    )
    department_due_hours = models.PositiveIntegerField(
        _("hours a department has to answer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the desk's default."),
    )
    ripple_min_authors = models.PositiveIntegerField(
        _("distinct authors that make a ripple"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2)],
        help_text=_("Empty: the desk's default."),
    )
    ripple_window_minutes = _optional_minutes(_("minutes a ripple must fit in"))
    auto_assign = models.BooleanField(
        _("assign new cases automatically"),
        default=False,
        help_text=_(
            "Round-robin among the community managers on duty, following the "
            "assignment rules by platform or language."
        ),
    )
    watchlist = models.JSONField(
        _("watched handles"),
        default=dict,
        blank=True,
        help_text=_(
            "The @handles of outlets, regulators and influencers that matter to this brand, "
            "each with its kind (media, authority, influencer); tagging one is a media or "
            "authority signal. The desk's seeds for each market count as well."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name

    def reach(self) -> dict[str, int]:
        """Reach thresholds, this brand's where set, the desk's otherwise."""
        defaults = settings.SEMAFORO
        return {
            "followers": self.reach_followers or defaults["REACH_FOLLOWERS"],
            "shares": self.reach_shares or defaults["REACH_SHARES"],
            "likes": self.reach_likes or defaults["REACH_LIKES"],
        }

    def ripple(self) -> dict[str, int]:
        """Ripple thresholds: a viral brand may want more authors, a small one fewer."""
        defaults = settings.SEMAFORO
        return {
            "min_authors": self.ripple_min_authors or defaults["RIPPLE_MIN_AUTHORS"],
            "window_minutes": self.ripple_window_minutes or defaults["RIPPLE_WINDOW_MIN"],
        }

    def due_minutes(self) -> dict[str, int]:
        """Minutes to the first response, by level."""
        defaults = settings.SEMAFORO["DUE_MINUTES"]
        return {
            "red": self.due_red_minutes or defaults["red"],
            "yellow": self.due_yellow_minutes or defaults["yellow"],
            "green": self.due_green_minutes or defaults["green"],
        }

    def resolve_minutes(self) -> dict[str, int]:
        """Minutes to the resolution, by level, not counting pauses."""
        defaults = settings.SEMAFORO["RESOLVE_MINUTES"]
        return {
            "red": self.resolve_red_minutes or defaults["red"],
            "yellow": self.resolve_yellow_minutes or defaults["yellow"],
            "green": self.resolve_green_minutes or defaults["green"],
        }

    def department_hours(self) -> int:
        """Hours a department has to answer a request before it is reminded at the deadline."""
        return self.department_due_hours or settings.SEMAFORO["DEPARTMENT_DUE_H"]

    def warn_minutes(self) -> int:
        if self.deadline_warn_minutes is not None:
            return self.deadline_warn_minutes
        return settings.SEMAFORO["DEADLINE_WARN_MIN"]


class BrandAccount(models.Model):
    """A brand's own account on a platform: comments addressed to it are filed to the brand."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(
        _("handle"),
        max_length=255,
        help_text=_("As clients send it in `account`, e.g. @BancoAurora."),
    )
    platform_account_id = models.CharField(
        _("platform account id"),
        max_length=255,
        blank=True,
        help_text=_(
            "The platform's own id of the account: the Facebook Page id or the Instagram "
            "account id that Meta's webhooks name. Empty for an account no webhook delivers to."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle"], name="brandaccount_platform_handle"
            ),
            # A webhook delivery names the page or account by id: it routes to one brand.
            models.UniqueConstraint(
                fields=["platform", "platform_account_id"],
                condition=~models.Q(platform_account_id=""),
                name="brandaccount_platform_account_id",
            ),
        ]
        verbose_name = _("brand account")
        verbose_name_plural = _("brand accounts")

    def __str__(self):
        return f"{self.handle} ({self.get_platform_display()})"


MEMBER_ROLES = [Role.COMMUNITY_MANAGER, Role.SUPERVISOR, Role.CRISIS_COMMITTEE]


class Membership(models.Model):
    """A person works for a brand in one role; several brands mean several memberships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=30, choices=[(r.value, r.label) for r in MEMBER_ROLES]
    )
    on_duty = models.BooleanField(
        _("on duty"), default=True, help_text=_("Receives new cases when the brand assigns them.")
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "brand"], name="membership_user_brand"),
        ]
        ordering = ["brand__name", "user__username"]
        permissions = [("manage_team", "Can manage the people of their own brand")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.brand} · {self.get_role_display()}"


class AssignmentRule(models.Model):
    """New cases from a platform or in a language go to these people first (round-robin among
    those on duty); a case no rule matches goes to every community manager on duty."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="assignment_rules")
    platform = models.CharField(
        _("platform"),
        max_length=20,
        choices=Platform.choices,
        blank=True,
        help_text=_("Empty: any platform."),
    )
    language = models.CharField(
        _("language"), max_length=5, blank=True, help_text=_("e.g. es, en. Empty: any language.")
    )
    members = models.ManyToManyField(Membership, related_name="assignment_rules")
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower rules win."))

    class Meta:
        ordering = ["brand", "position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self):
        return f"{self.platform or '*'} / {self.language or '*'}"

    def matches(self, *, platform: str, language: str) -> bool:
        return self.platform in ("", platform) and self.language in ("", language)
