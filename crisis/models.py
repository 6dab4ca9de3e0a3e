from django.db import models
from django.db.models import Q
from django.utils import timezone


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
