"""One deadline-watch pass with 100 alarms due among 10,000 cases and among 1,000,000.

Creates its own PostgreSQL database and fills ``comments_case`` with SQL: most cases are closed
(nothing to watch), the open ones have their next warning or breach hours or days ahead, and
100 have one due now. Times the real pass (claim, mark, re-arm, audit, enqueue on an in-memory
broker) several times on each size and prints the medians and their spread; its cost must
follow what is due, not the table.
Last line: ``deadlines_10k_ms=A deadlines_1m_ms=B ratio=R``.
"""

import statistics
import sys
import time

from serving import django_in_process

DB_NAME = "semaforo_bench_deadlines"
DUE = 100
RUNS = 7


def main():
    django_in_process(DB_NAME)
    figures = {}
    for label, cases in (("10k", 10_000), ("1m", 1_000_000)):
        fill(cases)
        timings = time_passes()
        figures[label] = statistics.median(timings)
        print(
            f"{cases:>9} cases: pass median {figures[label]:.1f} ms over {RUNS} runs "
            f"(min {min(timings):.1f}, max {max(timings):.1f})",
            flush=True,
        )
    print(
        f"deadlines_10k_ms={figures['10k']:.1f} deadlines_1m_ms={figures['1m']:.1f} "
        f"ratio={figures['1m'] / figures['10k']:.2f}"
    )


def fill(cases: int) -> None:
    """80 % closed, 20 % open with an alarm ahead; ``DUE`` of the open ones due now."""
    from django.db import connection

    from brands.models import Brand
    from comments.models import Author

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE comments_auditevent, comments_followup, comments_case, comments_author, "
            "brands_brand RESTART IDENTITY CASCADE"
        )
        # Through the ORM, so columns added to these models later take their defaults.
        brand = Brand.objects.create(name="Bench", slug="bench", language="es", time_zone="UTC")
        Author.objects.create(brand=brand, platform="twitter", handle="@bench")
        cursor.execute(
            "INSERT INTO comments_case (brand_id, author_id, thread_key, status, category, level,"
            " level_rank, opened_at, response_due_at, resolution_due_at, paused_seconds, "
            " alarm_at, alert_attempts, alert_error, outcome, private_channel, updated_at) "
            "SELECT 1, 1, 'thread-' || g, "
            "  CASE WHEN g %% 5 = 0 THEN 'in_progress' ELSE 'closed' END, 'pqr', 'green', 2, "
            "  now() - interval '1 hour', now() + interval '1 hour' * (1 + g %% 200), "
            "  now() + interval '1 day' * (1 + g %% 30), 0, "
            "  CASE WHEN g %% 5 = 0 THEN now() + interval '1 minute' * (1 + g %% 10000) END, "
            "  0, '', '', '', now() "
            "FROM generate_series(1, %s) g",
            [cases],
        )
        cursor.execute("ANALYZE comments_case")


def time_passes() -> list[float]:
    from django.db import connection

    from cases import deadlines

    timings = []
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE comments_case SET alarm_at = now() - interval '1 minute', "
                "response_due_at = now() - interval '1 minute', response_warned_at = NULL, "
                "response_breached_at = NULL "
                "WHERE id IN (SELECT id FROM comments_case WHERE status = 'in_progress' "
                "ORDER BY id LIMIT %s)",
                [DUE],
            )
        started = time.perf_counter()
        alarms = deadlines.deadline_alarms_claim()
        timings.append((time.perf_counter() - started) * 1000)
        if len(alarms) != DUE:
            sys.exit(f"expected {DUE} alarms, the pass claimed {len(alarms)}")
    return timings


if __name__ == "__main__":
    main()
