"""Output shapes of the reports API: the overview's figures as ``reports.figures`` computes
them and the top complaints as ``reports.complaints`` does, described for the OpenAPI schema."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
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


class DepartmentFigureSerializer(serializers.Serializer):
    department = serializers.CharField()
    requests = serializers.IntegerField(help_text="Requests sent on the period's cases.")
    answered = serializers.IntegerField()
    median = serializers.FloatField(
        allow_null=True, help_text="Seconds from the request to the department's answer."
    )
    p90 = serializers.FloatField(allow_null=True)
    in_time = _rate("Answered by the time the answer was due, among those answered.")


class StepOwnerSerializer(serializers.Serializer):
    owner = serializers.CharField(help_text="A role's value or a department's name.")
    done = serializers.IntegerField(help_text="Steps they owned, done on the period's cases.")
    median = serializers.FloatField(
        allow_null=True, help_text="Seconds from the case's opening to the step done."
    )
    p90 = serializers.FloatField(allow_null=True)
    on_time = _rate("Done within the step's time, among those that had one.")


class StepFigureSerializer(StepOwnerSerializer):
    """One step of one protocol: its owner's times, and how often it was skipped."""

    category = serializers.CharField()
    level = serializers.CharField()
    position = serializers.IntegerField(help_text="The step's place in its protocol, from 1.")
    step = serializers.CharField(help_text="The step's text as it was when done.")
    owner = serializers.CharField(
        help_text="Who owned it then: a role (`community_manager`, `supervisor`, "
        "`crisis_committee`) or a department's name."
    )
    done = serializers.IntegerField(help_text="Cases of the period on which it was done.")
    skipped = serializers.IntegerField(
        help_text="Resolved cases of the period, of its kind, on which it was not done."
    )


class SolutionCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    cases = serializers.IntegerField()


class OutcomesSerializer(serializers.Serializer):
    resolved = serializers.IntegerField(help_text="Cases of the period resolved so far.")
    solved = serializers.IntegerField()
    intermediate = serializers.IntegerField()
    troll = serializers.IntegerField()
    intermediate_share = _rate("Resolved with an intermediate solution.")
    solutions = SolutionCountSerializer(
        many=True, help_text="The approved intermediate solutions chosen, most used first."
    )


class CategoryCorrectionsSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="The category the comments have now.")
    comments = serializers.IntegerField()
    corrected = serializers.IntegerField(help_text="Their classification was a person's.")
    rate = _rate("Corrected among the comments.")


class CorrectionsSerializer(serializers.Serializer):
    categories = CategoryCorrectionsSerializer(many=True)
    rate = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Corrected among the comments, per bucket (as `volume.buckets`).",
    )
    comments = serializers.IntegerField()
    corrected = serializers.IntegerField()
    overall_rate = _rate("Corrected among all the period's comments.")


class TrollsSerializer(serializers.Serializer):
    monitored = serializers.IntegerField(help_text="Authors treated as trolls now.")
    flagged = serializers.IntegerField(help_text="Authors flagged as trolls in the period.")
    comments = serializers.IntegerField(help_text="What the monitored authors wrote in it.")


def _crisis_clock(what: str) -> serializers.FloatField:
    return serializers.FloatField(
        allow_null=True, help_text=f"Seconds from the first related comment to {what}."
    )


class CrisisClocksSerializer(serializers.Serializer):
    detect = TimesSerializer(help_text="To the escalation.")
    notify = TimesSerializer(help_text="To the committee's notice.")
    acknowledge = TimesSerializer(help_text="To a member's acknowledgement.")
    respond = TimesSerializer(help_text="To the first public reply or statement.")
    contain = TimesSerializer(help_text="To the committee's marking it contained.")


class CrisisFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    detect = _crisis_clock("the escalation")
    notify = _crisis_clock("the committee's notice")
    acknowledge = _crisis_clock("a member's acknowledgement")
    respond = _crisis_clock("the first public reply or statement")
    contain = _crisis_clock("the committee's marking it contained; null: not yet")


class CrisesSerializer(serializers.Serializer):
    opened = serializers.IntegerField(help_text="Crises opened in the period (brands only).")
    clocks = CrisisClocksSerializer()
    crises = CrisisFigureSerializer(many=True)


class OverviewSerializer(serializers.Serializer):
    period = PeriodSerializer()
    volume = VolumeSerializer()
    open_cases = OpenCasesSerializer()
    clocks = ClocksSerializer(help_text="Of the cases opened in the period.")
    satisfaction = SatisfactionSerializer()
    people = PersonSerializer(many=True)
    departments = DepartmentFigureSerializer(
        many=True, help_text="The departments the period's cases were sent to."
    )
    steps = StepFigureSerializer(many=True, help_text="The protocol steps done, per step.")
    step_owners = StepOwnerSerializer(many=True, help_text="The same times, per owner.")
    outcomes = OutcomesSerializer()
    corrections = CorrectionsSerializer(
        help_text="How often a person corrected the classifier: a falling rate means it learns."
    )
    trolls = TrollsSerializer()
    crises = CrisesSerializer()


# --- the top complaints -----------------------------------------------------------------------


class ComplaintPeriodSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="First day, in the brands' time zone.")
    until = serializers.DateField(help_text="Last day, included.")
    time_zone = serializers.CharField()
    previous_since = serializers.DateField(help_text="The period compared with: as many days…")
    previous_until = serializers.DateField(help_text="…ending the day before `since`.")
    running = serializers.BooleanField(
        help_text="The period has not ended: it is compared at its pace so far (`projected`)."
    )


class RisingRuleSerializer(serializers.Serializer):
    factor = serializers.FloatField(help_text="Projected count against the previous period's.")
    min_comments = serializers.IntegerField()
    min_authors = serializers.IntegerField()


class ComplaintCasesSerializer(serializers.Serializer):
    opened = serializers.IntegerField(
        help_text="Cases opened in the period holding a comment about the subject."
    )
    resolved = serializers.IntegerField()
    resolved_share = _rate("Resolved among the opened.")
    satisfied = serializers.IntegerField(help_text="Customers who answered satisfied.")
    unsatisfied = serializers.IntegerField()
    satisfied_share = _rate("Satisfied among those who answered.")


class ComplaintExampleSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The comment's page in the desk.")
    source_url = serializers.CharField(help_text="The comment on its platform; may be empty.")
    posted_at = serializers.DateTimeField()
    platform = serializers.CharField()
    author = serializers.CharField(help_text="The author's handle.")
    text = serializers.CharField()
    level = serializers.CharField(help_text="Its level now: red, yellow or green.")

    @extend_schema_field(serializers.URLField())
    def get_url(self, example) -> str:
        path = reverse("comment-detail", args=[example["comment_id"]])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ComplaintSubjectSerializer(serializers.Serializer):
    brand = serializers.CharField(help_text="The brand's slug.")
    subject_id = serializers.IntegerField(
        allow_null=True, help_text="The named or merged subject; null for a key nobody touched."
    )
    keys = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the desk groups by: `~concept`, or the stems of a topic joined by spaces.",
    )
    name = serializers.CharField(allow_null=True, help_text="As a supervisor named it.")
    # A field named like Field.label: DRF takes declared fields off the class, so it only
    # shadows the attribute for the type checker.
    label = serializers.CharField(help_text="The name, or the keys in words.")  # type: ignore[assignment]
    key_labels = serializers.ListField(child=serializers.CharField())
    comments = serializers.IntegerField(help_text="Comments about it posted in the period.")
    authors = serializers.IntegerField(help_text="Their distinct authors.")
    previous_comments = serializers.IntegerField(help_text="In the previous period.")
    projected = serializers.FloatField(
        allow_null=True, help_text="`comments` at the period's pace (equal once it has ended)."
    )
    trend = serializers.ChoiceField(choices=["up", "down", "flat", "new"])
    change = _rate("`projected` against `previous_comments`, less one.")
    rising = serializers.BooleanField()
    in_top = serializers.BooleanField(help_text="False: listed below the top for rising.")
    ripples = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ripples of the period about it."
    )
    cases = ComplaintCasesSerializer()
    examples = ComplaintExampleSerializer(many=True, help_text="The latest, newest first.")


class TopComplaintsSerializer(serializers.Serializer):
    period = ComplaintPeriodSerializer()
    rising_rule = RisingRuleSerializer()
    subjects = ComplaintSubjectSerializer(many=True)
