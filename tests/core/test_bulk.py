"""core/bulk.py: the statements intake writes with, checked against what the ORM reads back."""

from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from comments.models import Author, Comment, Ripple
from core.bulk import fetch_values, insert_rows, rows_by_keys, update_rows
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def author_row(brand, handle, **overrides) -> dict:
    now = timezone.now()
    return {
        "brand_id": brand.pk,
        "platform": "twitter",
        "handle": handle,
        "display_name": "",
        "followers": 10,
        "is_troll": False,
        "created_at": now,
        "updated_at": now,
        **overrides,
    }


def test_rows_with_shared_and_varying_values_are_stored_as_sent(aurora):
    author = AuthorFactory(brand=aurora)
    posted = timezone.now() - timedelta(minutes=5)
    rows = [
        {
            "brand_id": aurora.pk,
            "platform": "twitter",
            "external_id": f"bulk-{n}",
            "author_id": author.pk,
            "text": f"texto {n}",
            "posted_at": posted + timedelta(seconds=n),
            "received_at": posted,
            "likes": n,
            "raw": {"n": n, "tags": ["a", n]},
            "reasons": [{"signal": "model", "evidence": "x"}],
            "ripple_terms": None,
            "category": "pqr",
            "level": "green",
            "level_rank": 2,
            "confidence": 0.5,
        }
        for n in range(3)
    ]
    returned = insert_rows(Comment, rows, returning=("id", "external_id"))

    assert [external_id for _, external_id in returned] == ["bulk-0", "bulk-1", "bulk-2"]
    stored = {c.external_id: c for c in Comment.objects.filter(pk__in=[pk for pk, _ in returned])}
    for n in range(3):
        comment = stored[f"bulk-{n}"]
        assert (comment.text, comment.likes, comment.raw) == (
            f"texto {n}",
            n,
            {"n": n, "tags": ["a", n]},
        )
        assert comment.posted_at == posted + timedelta(seconds=n)  # microseconds kept
        assert comment.received_at == posted
        assert comment.reasons == [{"signal": "model", "evidence": "x"}]
        assert comment.ripple_terms is None


def test_a_single_row_and_model_defaults(aurora):
    ((pk,),) = insert_rows(
        Author, [{"brand_id": aurora.pk, "platform": "tiktok", "handle": "@solo"}]
    )
    author = Author.objects.get(pk=pk)
    assert (author.handle, author.followers, author.is_troll) == ("@solo", 0, False)


def test_a_conflict_raises_unless_it_is_an_upsert(aurora):
    insert_rows(Author, [author_row(aurora, "@ana"), author_row(aurora, "@luis")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Author, [author_row(aurora, "@ana")])

    insert_rows(
        Author,
        [
            author_row(aurora, "@ana", followers=500, display_name="Ana"),
            author_row(aurora, "@sol", followers=7),
        ],
        unique_fields=("brand", "platform", "handle"),
        update_fields=("followers", "display_name"),
    )
    assert dict(Author.objects.filter(brand=aurora).values_list("handle", "followers")) == {
        "@ana": 500,
        "@luis": 10,
        "@sol": 7,
    }


def test_update_rows_sets_and_combines(aurora):
    start = timezone.now()
    ids = [
        pk
        for (pk,) in insert_rows(
            Ripple,
            [
                {
                    "brand_id": aurora.pk,
                    "subject": ["~cobro"],
                    "first_at": start,
                    "last_at": start,
                    "size": 10,
                    "authors": 10,
                    "created_at": start,
                    "updated_at": start,
                }
                for _ in range(2)
            ],
        )
    ]
    later = start + timedelta(minutes=3)
    updated = update_rows(
        Ripple,
        [
            {"id": ids[0], "size": 5, "last_at": later, "subject": ["~cobro", "~app"]},
            {
                "id": ids[1],
                "size": 1,
                "last_at": start - timedelta(minutes=1),
                "subject": ["~cobro", "~app"],
            },
        ],
        combine={"size": "{old} + {new}", "last_at": "GREATEST({old}, {new})"},
    )

    assert updated == 2
    first, second = Ripple.objects.get(pk=ids[0]), Ripple.objects.get(pk=ids[1])
    assert (first.size, first.last_at, first.subject) == (15, later, ["~cobro", "~app"])
    assert (second.size, second.last_at) == (11, start)


def test_rows_by_keys_finds_only_the_brands_rows_with_those_keys(aurora, rapimenu):
    insert_rows(
        Author,
        [
            author_row(aurora, "@ana"),
            author_row(aurora, "@luis"),
            author_row(aurora, "@ana", platform="instagram"),
            author_row(rapimenu, "@ana"),
        ],
    )

    found = rows_by_keys(
        Author,
        ("platform", "handle"),
        [("twitter", "@ana"), ("instagram", "@ana"), ("twitter", "@nadie")],
        returning=("platform", "handle", "brand_id"),
        brand_id=aurora.pk,
    )

    assert sorted(found) == [("instagram", "@ana", aurora.pk), ("twitter", "@ana", aurora.pk)]
    assert rows_by_keys(Author, ("platform", "handle"), [], returning=("id",)) == []


def test_rows_by_keys_probes_the_unique_index_whatever_the_statistics_say(aurora):
    """A busy brand's table grows faster than autovacuum analyses it: planned with statistics
    taken when it held a few rows, a plain join hashed every row of the brand."""
    insert_rows(Author, [author_row(aurora, f"@early{n}") for n in range(5)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_author")
    insert_rows(Author, [author_row(aurora, f"@later{n}") for n in range(5_000)])
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        found = rows_by_keys(
            Author,
            ("platform", "handle"),
            [("twitter", f"@later{n}") for n in range(0, 5_000, 10)],
            returning=("handle",),
            brand_id=aurora.pk,
        )
    assert len(found) == 500
    ((sql, params),) = statements
    with psycopg.Cursor(connection.connection) as cursor:  # binds %b as intake's did
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Scan using author_brand_platform_handle" in plan, plan
    assert "Hash" not in plan, plan
    assert "Seq Scan on comments_author" not in plan, plan


def test_ignoring_conflicts_returns_only_the_rows_inserted(aurora):
    insert_rows(Author, [author_row(aurora, "@ana")])
    inserted = insert_rows(
        Author,
        [author_row(aurora, "@ana", followers=99), author_row(aurora, "@nuevo")],
        returning=("handle",),
        ignore_conflicts=True,
    )
    assert inserted == [("@nuevo",)]
    assert Author.objects.get(brand=aurora, handle="@ana").followers == 10


def test_fetch_values_reads_what_the_orm_reads(aurora):
    author = AuthorFactory(brand=aurora)
    start = timezone.now()
    insert_rows(
        Ripple,
        [
            {
                "brand_id": aurora.pk,
                "subject": ["~cobro", "app"],
                "first_at": start,
                "last_at": start + timedelta(seconds=n),
                "size": n,
                "authors": n,
                "created_at": start,
                "updated_at": start,
            }
            for n in range(3)
        ],
    )
    query = (
        Ripple.objects.filter(brand=aurora, size__gte=1)
        .annotate(subject_text=Cast("subject", TextField()))
        .order_by("size")
        .values_list("size", "subject_text", "last_at", "brand_id")
    )

    assert fetch_values(query) == list(query)
    with_json = Ripple.objects.filter(brand=aurora).values_list("subject", "first_at")
    assert fetch_values(with_json) == list(with_json)
    assert fetch_values(query)[0][2].utcoffset() == timedelta(0)
    assert fetch_values(Author.objects.filter(pk=author.pk).values_list("handle")) == [
        (author.handle,)
    ]


def test_json_values_as_json_would_store_them(aurora):
    """Keys that are not strings, numpy's numbers, unicode: the same document either way."""
    import numpy

    start = timezone.now()
    ((pk,),) = insert_rows(
        Ripple,
        [
            {
                "brand_id": aurora.pk,
                "first_at": start,
                "last_at": start,
                "size": 1,
                "authors": 1,
                "subject": {1: "uno", "ñ": [numpy.float64(0.5), numpy.int64(3), "😡"]},
                "created_at": start,
                "updated_at": start,
            }
        ],
    )
    assert Ripple.objects.get(pk=pk).subject == {"1": "uno", "ñ": [0.5, 3, "😡"]}


def test_any_of_is_in_bound_as_one_array(aurora):
    authors = [AuthorFactory(brand=aurora) for _ in range(3)]
    wanted = [authors[0].pk, authors[2].pk, 10**12]
    query = Author.objects.filter(pk__any_of=wanted)
    assert sorted(query.values_list("pk", flat=True)) == sorted(wanted[:2])
    assert "ANY(" in str(query.query)
    assert not Author.objects.filter(pk__any_of=[]).exists()
    assert Author.objects.filter(handle__any_of=[authors[1].handle]).get() == authors[1]
    assert Comment.objects.filter(author_id__any_of=[authors[1].pk]).count() == 0
