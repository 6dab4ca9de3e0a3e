"""One ``schedule_follow_ups`` pass with 100 due follow-ups among 10,000 and among 1,000,000 rows.

Creates its own PostgreSQL database and fills ``comments_followup`` with SQL: most rows are
history (answered or cancelled), a tenth are pending in the future, and 100 are due. Times the
real pass (claim + enqueue on an in-memory broker) several times on each size and prints the
medians; its cost must follow what is due, not the table.
Last line: ``followups_10k_ms=A followups_1m_ms=B ratio=R``.
"""

import statistics
import sys
import time

from serving import django_in_process

DB_NAME = "semaforo_bench_followups"
DUE = 100
RUNS = 7


def main():
    django_in_process(DB_NAME)
    figures = {}
    for label, rows in (("10k", 10_000), ("1m", 1_000_000)):
        fill(rows)
        figures[label] = time_passes()
        print(f"{rows:>9} rows: pass median {figures[label]:.1f} ms over {RUNS} runs", flush=True)
    print(
        f"followups_10k_ms={figures['10k']:.1f} followups_1m_ms={figures['1m']:.1f} "
        f"ratio={figures['1m'] / figures['10k']:.2f}"
    )


def fill(rows: int) -> None:
    """``rows`` follow-ups over rows/1000 cases: 90% history, 10% pending later, DUE due now."""
    from django.db import connection

    from brands.models import Brand
    from comments.models import Author

    cases = rows // 1000
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE comments_followup, comments_case, comments_author, "
            "brands_brand RESTART IDENTITY CASCADE"
        )
        # Through the ORM, so columns added to these models later take their defaults.
        brand = Brand.objects.create(name="Bench", slug="bench", language="es", time_zone="UTC")
        Author.objects.create(brand=brand, platform="twitter", handle="@bench")
        cursor.execute(
            "INSERT INTO comments_case (brand_id, author_id, thread_key, status, category, level,"
            " level_rank, opened_at, response_due_at, resolution_due_at, paused_seconds, "
            " alert_attempts, alert_error, outcome, private_channel, updated_at) "
            "SELECT 1, 1, 'thread-' || g, 'resolved', 'pqr', 'green', 2, now(), now(), now(), 0, "
            "0, '', 'solved', '', now() FROM generate_series(1, %s) g",
            [cases],
        )
        cursor.execute(
            "INSERT INTO comments_followup (case_id, brand_id, number, attempt, closes_case, "
            "attempts, last_error, due_at, answer, answered_at, cancelled_at, created_at) "
            "SELECT (g - 1) / 1000 + 1, 1, (g - 1) %% 1000 + 1, 1, false, 0, '', "
            "  CASE WHEN g %% 10 = 0 THEN now() + interval '1 day' * (1 + g %% 30) "
            "       ELSE now() - interval '1 day' * (1 + g %% 300) END, '', "
            "  CASE WHEN g %% 10 BETWEEN 1 AND 5 THEN now() END, "
            "  CASE WHEN g %% 10 BETWEEN 6 AND 9 THEN now() END, now() "
            "FROM generate_series(1, %s) g",
            [rows],
        )
        # DUE of the pending ones fall due now.
        cursor.execute(
            "UPDATE comments_followup SET due_at = now() - interval '1 minute' "
            "WHERE id IN (SELECT id FROM comments_followup WHERE answered_at IS NULL "
            "AND cancelled_at IS NULL ORDER BY id LIMIT %s)",
            [DUE],
        )
        cursor.execute("ANALYZE comments_followup")


def time_passes() -> float:
    from django.db import connection

    from cases import followups

    timings = []
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE comments_followup SET enqueued_at = NULL WHERE enqueued_at IS NOT NULL"
            )
        started = time.perf_counter()
        claimed = followups.follow_ups_claim_due()
        timings.append((time.perf_counter() - started) * 1000)
        if len(claimed) != DUE:
            sys.exit(f"expected {DUE} due follow-ups, the pass claimed {len(claimed)}")
    return statistics.median(timings)


if __name__ == "__main__":
    main()
