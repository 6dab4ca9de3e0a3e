from django.db import models
from django.db.models import Q
from django.utils import timezone


class Ripple(models.Model):
    """A wave of the same complaint from many authors at one brand: the taxonomy's ripple.

    Created when a batch completes one (``crisis.ripples``), and grown by later batches whose
    comments join it, so a wave that lasts all afternoon stays one cluster with one number that
    every member's reason names (``ripple: cluster #41, …``). Its figures are those of all the
    comments attached to it, recounted whenever it grows; the reason quotes the densest
    window-long span, so the two may differ for a long ripple.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    subject = models.JSONField(
        default=list, help_text="Concepts or stems most members share, most shared first.")
    first_at = models.DateTimeField(help_text="When its first member was posted.")
    last_at = models.DateTimeField(help_text="When its latest member was posted.")
    size = models.PositiveIntegerField(default=0, help_text="Comments attached.")
    authors = models.PositiveIntegerField(default=0, help_text="Distinct authors attached.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The crisis room lists a brand's latest ripples.
            models.Index(fields=["brand", "-last_at"], name="ripple_brand_latest"),
        ]

    def __str__(self):
        return f"Ripple #{self.pk} ({self.size} comments, {self.authors} authors)"


class Escalation(models.Model):
    """A red comment that the crisis committee must hear about.

    Written in the same transaction as the comment, so the promise to notify survives a broker
    outage; the ``crisis`` worker claims it, notifies, and records when, which makes
    time-to-notify a fact.
    """

    comment = models.OneToOneField("comments.Comment", on_delete=models.CASCADE,
                                   related_name="escalation")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # The sweep looks only at what is still waiting to be notified.
            models.Index(fields=["created_at"], condition=Q(notified_at=None),
                         name="escalation_pending"),
        ]

    def __str__(self):
        return f"Escalation of comment {self.comment_id}"
