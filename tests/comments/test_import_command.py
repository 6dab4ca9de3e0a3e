"""``manage.py import_comments``: CSV and JSON Lines through the real intake and database, the
rejects file, re-runs and resuming, and history that calls nobody."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from brands.models import BrandAccount
from cases.models import Case
from comments import intake
from comments.models import Comment, ImportJob, Ripple
from core.taxonomy import Level
from crisis.models import Crisis, Escalation
from reports import rollups
from reports.models import HourlyRollup
from tests.comments.test_ripple_intake import DOUBLE_CHARGE
from tests.factories import GREEN_TEXT, RED_TEXT

pytestmark = pytest.mark.django_db

POSTED = "2026-11-02T15:20:00Z"


def item(n: int, **overrides) -> dict:
    return {
        "platform": "twitter",
        "external_id": f"h-{n}",
        "text": f"{GREEN_TEXT} ({n})",
        "author_handle": f"@hist{n}",
        "likes": n,
        "posted_at": POSTED,
        **overrides,
    }


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, *args) -> str:
    out = io.StringIO()
    call_command("import_comments", str(path), "--brand", "aurora", *args, stdout=out)
    return out.getvalue()


def figures(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {key: int(value) for key, value in (pair.split("=") for pair in last.split())}


def rejects_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_csv_with_our_fields_is_imported_with_its_values(aurora, tmp_path):
    source = write_csv(
        tmp_path / "export.csv",
        ["platform", "external_id", "text", "author_handle", "likes", "shares", "posted_at"],
        [
            ["twitter", "c-1", GREEN_TEXT, "@ana", "12", "", POSTED],
            ["twitter", "c-2", "Hola, cobran comisión por el retiro?", "@luis", "0", "3", POSTED],
        ],
    )

    output = run(source)

    assert figures(output) == {"created": 2, "unchanged": 0, "rejected": 0, "lines": 3}
    first = Comment.objects.get(external_id="c-1")
    assert (first.brand_id, first.likes, first.shares) == (aurora.pk, 12, 0)
    assert first.posted_at.isoformat() == "2026-11-02T15:20:00+00:00"
    assert first.raw["likes"] == 12, "a CSV cell holding a count is read as a number"
    assert "shares" not in first.raw, "an empty cell is a field left out"
    assert not (tmp_path / "export.csv.rejects.jsonl").exists()
    job = ImportJob.objects.get()
    assert (job.state, job.source, job.created, job.lines_done) == ("done", "command", 2, 3)


def test_jsonl_with_other_names_is_read_through_map(aurora, tmp_path):
    rows = [
        {"id": "x-1", "message": GREEN_TEXT, "user": "@ana", "network": "instagram"},
        {"id": "x-2", "message": RED_TEXT, "user": "@luis", "network": "instagram"},
    ]
    source = write_jsonl(tmp_path / "export.jsonl", rows)

    output = run(
        source,
        "--map",
        "id=external_id",
        "--map",
        "message=text",
        "--map",
        "user=author_handle",
        "--map",
        "network=platform",
    )

    assert figures(output)["created"] == 2
    assert set(Comment.objects.values_list("platform", "external_id")) == {
        ("instagram", "x-1"),
        ("instagram", "x-2"),
    }


def test_extra_columns_refuse_the_file_unless_left_out(aurora, tmp_path):
    source = write_csv(
        tmp_path / "export.csv",
        ["platform", "external_id", "text", "author_handle", "sentiment", "reach"],
        [["twitter", "c-1", GREEN_TEXT, "@ana", "neutral", "1200"]],
    )
    with pytest.raises(CommandError, match="sentiment, reach.*--map.*--ignore-unknown"):
        run(source)
    assert not Comment.objects.exists()
    assert not ImportJob.objects.exists(), "a file refused at its header leaves no job behind"

    assert figures(run(source, "--ignore-unknown"))["created"] == 1


def test_bad_lines_go_to_the_rejects_file_with_their_numbers_and_the_rest_is_stored(
    aurora, rapimenu, tmp_path
):
    BrandAccount.objects.create(brand=rapimenu, platform="twitter", handle="@RapiMenuMX")
    rows = [
        item(1),
        "{not json",
        item(3, likes=-2),
        "[1, 2]",
        item(5, account="@RapiMenuMX"),
        item(6, platform="myspace", text=" "),
        "",
        item(8),
    ]
    source = write_jsonl(tmp_path / "day.jsonl", rows)

    output = run(source, "--batch-size", "3")

    assert figures(output) == {"created": 2, "unchanged": 0, "rejected": 5, "lines": 8}
    assert set(Comment.objects.values_list("external_id", flat=True)) == {"h-1", "h-8"}
    rejects = rejects_of(tmp_path / "day.jsonl.rejects.jsonl")
    assert [r["line"] for r in rejects] == [2, 3, 4, 5, 6]
    assert rejects[0]["errors"][0]["field"] is None
    assert rejects[0]["errors"][0]["message"].startswith("is not valid JSON")
    assert rejects[0]["raw"] == "{not json"
    assert rejects[1]["errors"] == [{"field": "likes", "message": "must be zero or more"}]
    assert rejects[2]["errors"] == [{"field": None, "message": "must be a JSON object"}]
    assert rejects[3]["errors"] == [
        {"field": "account", "message": "is not an account of this client's brand"}
    ]
    assert {e["field"] for e in rejects[4]["errors"]} == {"platform", "text"}
    assert json.loads(rejects[4]["raw"])["external_id"] == "h-6"
    assert "day.jsonl.rejects.jsonl" in output


def test_a_malformed_csv_record_among_good_ones_is_a_reject_not_a_crash(aurora, tmp_path):
    source = tmp_path / "export.csv"
    source.write_bytes(
        b"platform,external_id,text,author_handle\n"
        + f"twitter,c-1,{GREEN_TEXT.replace(',', '')},@ana\n".encode()
        + b'twitter,c-2,"an "unbalanced quote,@luis\n'
        + b"twitter,c-3,one field too many,@sol,extra\n"
        + b'twitter,c-4,"a text that spans\ntwo lines",@eva\n'
        + b"twitter,c-5,caf\xe9 written in Latin-1,@leo\n"
    )

    output = run(source)

    assert figures(output) == {"created": 2, "unchanged": 0, "rejected": 3, "lines": 7}
    assert set(Comment.objects.values_list("external_id", flat=True)) == {"c-1", "c-4"}
    assert Comment.objects.get(external_id="c-4").text == "a text that spans\ntwo lines"
    rejects = rejects_of(tmp_path / "export.csv.rejects.jsonl")
    assert [r["line"] for r in rejects] == [3, 4, 7]
    assert rejects[0]["errors"][0]["message"].startswith("does not parse as CSV")
    assert rejects[1]["errors"] == [
        {"field": None, "message": "has 5 fields where the header has 4"}
    ]
    assert rejects[2]["errors"] == [{"field": None, "message": "is not valid UTF-8"}]


def test_running_the_same_file_again_duplicates_nothing_and_says_unchanged(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(n) for n in range(7)] + ["oops"])
    first = figures(run(source, "--batch-size", "3"))
    cases = Case.objects.count()

    again = figures(run(source, "--batch-size", "3"))

    assert first == {"created": 7, "unchanged": 0, "rejected": 1, "lines": 8}
    assert again == {"created": 0, "unchanged": 7, "rejected": 1, "lines": 8}
    assert Comment.objects.count() == 7
    assert Case.objects.count() == cases
    assert len(rejects_of(tmp_path / "export.jsonl.rejects.jsonl")) == 1
    assert ImportJob.objects.filter(state="done").count() == 2


def test_an_interrupted_import_resumes_after_its_last_committed_batch(aurora, tmp_path):
    rows = [item(n) for n in range(1, 11)]
    rows[1] = "not json"  # line 2, in the first batch
    rows[8] = item(9, likes="many")  # line 9, in the last
    source = write_jsonl(tmp_path / "export.jsonl", rows)

    stopped = run(source, "--batch-size", "3", "--stop-after-batches", "2")

    assert "Stopped after line 6 of 10" in stopped
    assert Comment.objects.count() == 5
    job = ImportJob.objects.get()
    assert (job.state, job.lines_done, job.created, job.rejected) == ("running", 6, 5, 1)

    resumed = run(source, "--batch-size", "3")

    assert "Resuming import" in resumed
    assert "after line 6" in resumed
    assert figures(resumed) == {"created": 8, "unchanged": 0, "rejected": 2, "lines": 10}
    assert Comment.objects.count() == 8
    assert ImportJob.objects.get().state == "done"
    rejects = rejects_of(tmp_path / "export.jsonl.rejects.jsonl")
    assert [r["line"] for r in rejects] == [2, 9], "each reject written once"


def test_a_batch_that_did_not_commit_leaves_no_reject_behind_on_resume(aurora, tmp_path):
    """Rejects are written before their batch commits; a run killed in between left lines in
    the file that the checkpoint does not count: the resumed run cuts them."""
    source = write_jsonl(tmp_path / "export.jsonl", [item(1), "bad", item(3), "worse"])
    run(source, "--batch-size", "2", "--stop-after-batches", "1")
    rejects = tmp_path / "export.jsonl.rejects.jsonl"
    with open(rejects, "a") as leftover:
        leftover.write('{"line": 4, "errors": [], "raw": "from a batch that never committed"}\n')

    output = run(source, "--batch-size", "2")

    assert figures(output) == {"created": 2, "unchanged": 0, "rejected": 2, "lines": 4}
    assert [r["line"] for r in rejects_of(rejects)] == [2, 4]
    assert "never committed" not in rejects.read_text()


def test_restart_ignores_where_the_last_run_stopped(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(n) for n in range(6)])
    run(source, "--batch-size", "2", "--stop-after-batches", "1")

    output = run(source, "--batch-size", "2", "--restart")

    assert "Resuming" not in output
    assert figures(output) == {"created": 4, "unchanged": 2, "rejected": 0, "lines": 6}
    old, new = ImportJob.objects.order_by("pk")
    assert (old.state, new.state) == ("failed", "done")
    assert "--restart" in old.error


def test_a_resume_with_other_options_is_refused(aurora, tmp_path):
    rows = [{"id": f"x-{n}", **item(n)} for n in range(6)]
    for row in rows:
        del row["external_id"]
    source = write_jsonl(tmp_path / "export.jsonl", rows)
    run(source, "--map", "id=external_id", "--batch-size", "2", "--stop-after-batches", "1")

    with pytest.raises(CommandError, match="other options"):
        run(source, "--batch-size", "2")


def test_history_is_filed_in_cases_and_counted_but_never_calls_the_committee(aurora, tmp_path):
    recent = timezone.now() - timedelta(minutes=30)
    rows = [
        item(1, text=RED_TEXT, posted_at="2026-11-02T15:20:00Z"),
        *(
            item(
                100 + n,
                text=text,
                author_handle=f"@wave{n}",
                posted_at=(recent + timedelta(minutes=n)).isoformat(),
            )
            for n, text in enumerate(DOUBLE_CHARGE)
        ),
    ]
    source = write_jsonl(tmp_path / "history.jsonl", rows)

    run(source)

    red = Comment.objects.get(external_id="h-1")
    assert red.level == Level.RED
    assert red.case is not None
    assert red.case.level == Level.RED
    wave = Comment.objects.filter(author__handle__startswith="@wave")
    assert wave.count() == 12
    assert not wave.filter(level=Level.RED).exists(), "twelve authors in the past are no ripple"
    assert not Ripple.objects.exists()
    assert not Escalation.objects.exists()
    assert not Crisis.objects.exists()
    assert not Comment.objects.exclude(ripple_terms=None).exists()

    # Live comments of the same complaint now do not reach back into the imported ones.
    live = [
        {
            **item(200 + n, text=text, author_handle=f"@live{n}"),
            "posted_at": timezone.now().isoformat(),
        }
        for n, text in enumerate(DOUBLE_CHARGE[:9])
    ]
    intake.ingest(live, brand_id=aurora.pk)
    assert not Ripple.objects.exists()
    assert not wave.filter(level=Level.RED).exists()

    # The indicators count the comments in the hour they were posted, their cases in the hour
    # the import opened them.
    rollups.rollups_rebuild(brand_ids=[aurora.pk])
    posted = HourlyRollup.objects.filter(brand=aurora, hour="2026-11-02T15:00:00Z")
    assert sum(posted.values_list("comments", flat=True)) == 1
    opened = HourlyRollup.objects.filter(
        brand=aurora, hour=red.case.opened_at.replace(minute=0, second=0, microsecond=0)
    )
    assert opened.get(level=Level.RED, category=red.category).cases_opened == 1


def test_the_incremental_rollups_count_imported_comments(aurora, tmp_path):
    source = write_jsonl(tmp_path / "history.jsonl", [item(n) for n in range(4)])
    run(source)
    rollups.rollups_update(now=timezone.now() + timedelta(hours=1))
    rows = HourlyRollup.objects.filter(brand=aurora, hour="2026-11-02T15:00:00Z")
    assert sum(rows.values_list("comments", flat=True)) == 4


def test_a_known_comment_whose_reach_grew_in_the_history_turns_red_without_a_call(aurora, tmp_path):
    [stored] = intake.ingest(
        [item(1, text="Hola, cobran comisión por el retiro?")], brand_id=aurora.pk
    )
    assert stored.level != Level.RED
    source = write_jsonl(tmp_path / "history.jsonl", [item(1, text="x", shares=50_000)])

    assert figures(run(source))["unchanged"] == 1

    comment = Comment.objects.get(pk=stored.id)
    assert (comment.shares, comment.level) == (50_000, Level.RED)
    assert not Escalation.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "id"], "their_header=our_field"),
        (["--map", "id=identifier"], "identifier is not a field of ours"),
        (["--map", "id=external_id", "--map", "ref=external_id"], "from two headers"),
        (["--map", "missing=external_id"], "columns the file does not have: missing"),
        (["--batch-size", "0"], "at least 1"),
    ],
)
def test_a_bad_option_stops_before_anything_is_stored(aurora, tmp_path, args, message):
    source = write_csv(
        tmp_path / "export.csv",
        ["platform", "external_id", "text", "author_handle"],
        [["twitter", "c-1", GREEN_TEXT, "@ana"]],
    )
    with pytest.raises(CommandError, match=message):
        run(source, *args)
    assert not Comment.objects.exists()


def test_a_missing_file_an_unknown_brand_or_format_stop_with_a_clear_message(aurora, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.csv")
    source = write_jsonl(tmp_path / "export.jsonl", [item(1)])
    with pytest.raises(CommandError, match="Unknown brand 'nobody'.*aurora"):
        call_command("import_comments", str(source), "--brand", "nobody")
    odd = tmp_path / "export.txt"
    odd.write_text(source.read_text())
    with pytest.raises(CommandError, match=r"\.csv or \.jsonl"):
        run(odd)
    assert figures(run(odd, "--format", "jsonl"))["created"] == 1


def test_a_csv_without_a_required_column_names_it(aurora, tmp_path):
    source = write_csv(tmp_path / "export.csv", ["platform", "external_id", "text"], [])
    with pytest.raises(CommandError, match="no column for author_handle"):
        run(source)


def test_the_rejects_file_cannot_be_the_file_imported(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(1)])
    with pytest.raises(CommandError, match="cannot be the file imported"):
        run(source, "--rejects", str(source))
    assert source.read_text().startswith("{")


def test_rejects_go_where_asked(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(1), "nope"])
    target = tmp_path / "out" / "bad.jsonl"
    output = run(source, "--rejects", str(target))
    assert [r["line"] for r in rejects_of(target)] == [2]
    assert str(target) in output
