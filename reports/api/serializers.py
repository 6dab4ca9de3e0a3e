"""Output shapes of the reports API: the overview's figures as ``reports.figures`` computes
them, described for the OpenAPI schema."""

from rest_framework import serializers


def _rate(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=f"{help_text} Null: nothing to rate.")


class PeriodSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="First day, in the brands' time zone.")
    until = serializers.DateField(help_text="Last day, included.")
    time_zone = serializers.CharField()
    bucket = serializers.ChoiceField(choices=["hour", "day", "week"])


class VolumeSummarySerializer(serializers.Serializer):
    comments = serializers.IntegerField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    red_share = _rate("Reds among the comments.")
    yellow_share = _rate("Yellows among the comments.")


class VolumeSerializer(serializers.Serializer):
    buckets = serializers.ListField(
        child=serializers.CharField(),
        help_text="Local dates (day), Mondays (week), or local hours with their UTC offset.",
    )
    levels = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Comments per bucket, by level.",
    )
    categories = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Comments per bucket, by category.",
    )
    totals = serializers.ListField(child=serializers.IntegerField())
    red_share = serializers.ListField(child=serializers.FloatField(allow_null=True))
    yellow_share = serializers.ListField(child=serializers.FloatField(allow_null=True))
    summary = VolumeSummarySerializer()


class OpenCasesSerializer(serializers.Serializer):
    ages = serializers.ListField(child=serializers.CharField())
    levels = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Cases open now, by level, per age.",
    )
    total = serializers.IntegerField()


class TimesSerializer(serializers.Serializer):
    median = serializers.FloatField(allow_null=True, help_text="Seconds.")
    p90 = serializers.FloatField(allow_null=True, help_text="Seconds; the 90th percentile.")


class ClockSerializer(serializers.Serializer):
    opened = serializers.IntegerField()
    response = TimesSerializer()
    resolution = TimesSerializer(help_text="Without the time waiting on the customer.")
    responded = serializers.IntegerField()
    response_in_time = serializers.IntegerField()
    response_late = serializers.IntegerField()
    response_compliance = _rate("First responses in time among those due.")
    resolved = serializers.IntegerField()
    resolution_in_time = serializers.IntegerField()
    resolution_late = serializers.IntegerField()
    resolution_compliance = _rate("Resolutions in time among those due.")


class ClocksSerializer(serializers.Serializer):
    levels = serializers.DictField(child=ClockSerializer())
    all = ClockSerializer()


class SatisfactionSerializer(serializers.Serializer):
    satisfied = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    unanswered = serializers.IntegerField(help_text="Follow-up rounds that ended unanswered.")
    satisfaction_rate = _rate("Satisfied among the answers.")
    no_answer_rate = _rate("Unanswered rounds among all that ended.")


class PersonSerializer(serializers.Serializer):
    person = serializers.CharField(allow_null=True, help_text="Username; null: unassigned.")
    cases = serializers.IntegerField()
    open = serializers.IntegerField()
    resolved = serializers.IntegerField()
    response_compliance = _rate("First responses in time.")
    response = TimesSerializer()
    resolution = TimesSerializer()


class OverviewSerializer(serializers.Serializer):
    period = PeriodSerializer()
    volume = VolumeSerializer()
    open_cases = OpenCasesSerializer()
    clocks = ClocksSerializer(help_text="Of the cases opened in the period.")
    satisfaction = SatisfactionSerializer()
    people = PersonSerializer(many=True)
