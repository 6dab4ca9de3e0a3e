"""``manage.py import_comments FILE --brand SLUG``: load a brand's history from a file.

The work is ``comments.importing``'s; this reads the arguments, draws the progress bar and
prints the summary.
"""

import argparse
import contextlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import DatabaseError
from tqdm import tqdm

from brands.models import Brand
from comments import importing


class Command(BaseCommand):
    help = (
        "Import a CSV or JSON Lines file of comments into a brand as history: classified and "
        "filed in cases, counted in the indicators, never a ripple or a call to the committee. "
        "Run it again after an interruption: it resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (first line: the header) or .jsonl file")
        parser.add_argument("--brand", required=True, help="the brand's slug")
        parser.add_argument(
            "--format", choices=["csv", "jsonl"], help="when the extension does not tell"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="THEIR_HEADER=OUR_FIELD",
            help="read a column (or JSON key) of another name as one of our fields; repeatable",
        )
        parser.add_argument(
            "--ignore-unknown",
            action="store_true",
            help="leave out the columns that are no field of ours instead of refusing the file",
        )
        parser.add_argument(
            "--rejects", help="where to write the rejected lines (default FILE.rejects.jsonl)"
        )
        parser.add_argument(
            "--batch-size", type=int, default=importing.BATCH_SIZE, help="lines per transaction"
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="start again from the first line, ignoring where an earlier run stopped",
        )
        parser.add_argument("--no-progress", action="store_true", help="draw no progress bar")
        # Stops after N stored batches, as an interruption would: for the tests of resuming.
        parser.add_argument("--stop-after-batches", type=int, help=argparse.SUPPRESS)

    @no_translations  # an operator's tool: its messages in English, as the API's are
    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        brand = Brand.objects.filter(slug=options["brand"]).first()
        if brand is None:
            known = ", ".join(Brand.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"Unknown brand {options['brand']!r} (brands: {known or 'none'})")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        rejects = Path(options["rejects"] or f"{path}.rejects.jsonl")
        try:
            settings = importing.Options(
                format=importing.file_format(path.name, options["format"]),
                mapping=importing.mapping_parse(options["map"]),
                ignore_unknown=options["ignore_unknown"],
            )
            job, resumed = importing.job_for_command(
                brand=brand,
                path=path,
                options=settings,
                rejects=rejects.resolve(),
                restart=options["restart"],
            )
        except importing.ImportRefused as refused:
            raise CommandError(str(refused)) from None
        if resumed:
            self.stdout.write(
                f"Resuming import #{job.pk} of {path.name} after line {job.lines_done:,} "
                f"({job.created:,} created, {job.unchanged:,} unchanged, "
                f"{job.rejected:,} rejected so far)."
            )
        outcome = self._run(job, path, rejects.resolve(), options)
        self._summary(outcome, path)

    def _run(self, job, path: Path, rejects: Path, options) -> importing.Outcome:
        bar = tqdm(
            total=job.lines_total,
            initial=job.lines_done,
            unit=" lines",
            unit_scale=True,
            dynamic_ncols=True,
            mininterval=0.5,
            smoothing=0.1,
            file=getattr(self.stderr, "_out", sys.stderr),  # the stream, not Django's wrapper
            # None: drawn only on a terminal, so a log or a pipe gets the summary alone.
            disable=True if options["no_progress"] else None,
        )

        def advance(job) -> None:
            bar.update(job.lines_done - bar.n)
            bar.set_postfix(created=job.created, rejected=job.rejected, refresh=False)

        try:
            return importing.job_run(
                job,
                path=path,
                rejects=rejects,
                batch_size=options["batch_size"],
                on_batch=advance,
                max_batches=options["stop_after_batches"],
            )
        except importing.ImportRefused as refused:
            raise CommandError(str(refused)) from None
        except importing.ImportConflict as conflict:
            raise CommandError(str(conflict)) from None
        except KeyboardInterrupt:
            bar.close()
            with contextlib.suppress(DatabaseError):
                job.refresh_from_db()
                importing.job_fail(job, f"Interrupted after line {job.lines_done}.")
            raise CommandError(
                f"Interrupted after line {job.lines_done:,}: run the same command again to "
                "resume there."
            ) from None
        except Exception as error:
            with contextlib.suppress(DatabaseError):  # the database may be what failed
                job.refresh_from_db()
                importing.job_fail(job, f"{type(error).__name__}: {error}")
            raise
        finally:
            bar.close()

    def _summary(self, outcome: importing.Outcome, path: Path) -> None:
        job = outcome.job
        figures = (
            f"created={job.created} unchanged={job.unchanged} rejected={job.rejected} "
            f"lines={job.lines_done}"
        )
        if not outcome.finished:
            self.stdout.write(
                f"Stopped after line {job.lines_done:,} of {job.lines_total or 0:,}: run the same "
                f"command again to resume. {figures}"
            )
            return
        self.stdout.write(f"Imported {path.name} into {job.brand.slug} (import #{job.pk}).")
        if job.rejected:
            self.stdout.write(f"Rejected lines, with their line numbers and reasons: {job.rejects}")
        self.stdout.write(figures)
