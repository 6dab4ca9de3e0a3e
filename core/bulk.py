"""Bulk inserts that cost what the database costs, not what the ORM costs.

Intake writes hundreds of rows per request. ``bulk_create`` builds a model instance per row and
prepares every value in Python, and with client-side binding psycopg escapes every array element
with a regular expression: 500 comments took about 100 ms. On PostgreSQL ``insert_rows`` sends
one array per column, bound in binary, to ``INSERT … SELECT FROM unnest(…)``: about 20 ms for
the same rows. Other databases (the embedded SQLite) take the ORM path with the same rows, so
both paths obey the same model and constraints.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import orjson
import psycopg
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from psycopg.pq import Format


def insert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping],
    *,
    returning: Sequence[str] = ("id",),
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    ignore_conflicts: bool = False,
) -> list[tuple]:
    """Insert ``rows`` (dicts keyed by attname, the same keys in each) and return, per row in
    order, the ``returning`` columns.

    A conflict raises ``IntegrityError`` as the ORM would, unless ``update_fields`` are given:
    then a row that conflicts on ``unique_fields`` updates those fields instead (an upsert, as
    ``bulk_create(update_conflicts=True)``). With ``ignore_conflicts`` a row that conflicts
    with any unique constraint or index is skipped, and only the inserted rows are returned.
    """
    if not rows:
        return []
    missing = _defaults(model, rows[0])
    if missing:
        rows = [{**row, **missing} for row in rows]
    columns = list(rows[0])
    if connection.vendor == "postgresql":
        return _insert_unnest(
            model, columns, rows, returning, unique_fields, update_fields, ignore_conflicts
        )
    if ignore_conflicts:
        return _insert_each_ignoring_conflicts(model, rows, returning)
    created = model._default_manager.bulk_create(
        [model(**row) for row in rows],
        update_conflicts=bool(update_fields),
        unique_fields=unique_fields or None,
        update_fields=update_fields or None,
    )
    return [tuple(getattr(obj, name) for name in returning) for obj in created]


def _defaults(model, row: Mapping) -> dict:
    """The model's defaults for the columns a row leaves out, as ``Model()`` would set them,
    so a field added later never breaks a caller that did not name it."""
    now = timezone.now()
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in row:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()
    return defaults


def _insert_each_ignoring_conflicts(model, rows, returning) -> list[tuple]:
    """The ORM cannot tell which rows ``bulk_create(ignore_conflicts=True)`` inserted: one at a
    time, each in a savepoint (the embedded SQLite's path, with its small batches)."""
    inserted = []
    for row in rows:
        try:
            with transaction.atomic():
                obj = model._default_manager.create(**row)
        except IntegrityError:
            continue
        inserted.append(tuple(getattr(obj, name) for name in returning))
    return inserted


def _insert_unnest(
    model, columns, rows, returning, unique_fields, update_fields, ignore_conflicts
) -> list[tuple]:
    meta = model._meta
    quote = connection.ops.quote_name
    bound = _bind_columns(model, columns, rows)
    into = ", ".join(quote(_column(model, name)) for name in columns)
    back = ", ".join(quote(_column(model, name)) for name in returning)
    upsert = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if update_fields:
        target = ", ".join(quote(_column(model, name)) for name in unique_fields)
        sets = ", ".join(
            f"{column} = EXCLUDED.{column}"
            for column in (quote(_column(model, name)) for name in update_fields)
        )
        upsert = f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    # Table, column names and types come from the model, never from input; values are bound.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({into}) "  # noqa: S608
        f"SELECT {', '.join(bound.exprs)} FROM {bound.source}{upsert} RETURNING {back}"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, bound.params)
        return cursor.fetchall()


@dataclass(frozen=True, slots=True)
class _Bound:
    exprs: list[str]  # per column, in order: what yields its value in the SELECT or SET
    source: str  # the FROM item: ``unnest(…) AS u(…)``
    params: list  # the scalars in the order of ``exprs``, then the arrays of ``source``


def _bind_columns(model, names, rows, alias: str = "u", *, shared_once: bool = True) -> _Bound:
    """Each column as an array for ``unnest``, or, when every row has the same value (the brand,
    the time, a flag, an empty note) and ``shared_once``, as that one value: half of a comment's
    columns are such, and psycopg dumps an array element by element in Python. The first column
    is always an array, so ``unnest`` has the rows' count. JSON goes as text and is cast on the
    server, as psycopg has no binary array of jsonb."""
    exprs, scalars, arrays, casts, aliases = [], [], [], [], []
    for position, name in enumerate(names):
        field = _field(model, name)
        values = [row[name] for row in rows]
        is_json = isinstance(field, models.JSONField)
        db_type = "text" if is_json else field.db_type(connection)
        as_jsonb = "::jsonb" if is_json else ""
        if isinstance(field, models.JSONField):
            values = list(map(_json_dumper(field), values))
        if shared_once and position and values.count(values[0]) == len(values):
            exprs.append(f"%b::{db_type}{as_jsonb}")
            scalars.append(values[0])
        else:
            column = connection.ops.quote_name(f"c{position}")
            exprs.append(f"{alias}.{column}{as_jsonb}")
            arrays.append(values)
            casts.append(f"%b::{db_type}[]")
            aliases.append(column)
    source = f"unnest({', '.join(casts)}) AS {alias}({', '.join(aliases)})"
    return _Bound(exprs, source, [*scalars, *arrays])


def _json_dumper(field: models.JSONField):
    """How a JSON field's values become text. orjson is about ten times faster than ``json``,
    and intake writes a few JSON values per comment (the payload, the reasons, the signature);
    a field with its own encoder keeps ``json`` and that encoder."""
    if field.encoder is not None:
        return partial(json.dumps, cls=field.encoder)
    return _orjson_text


# As ``json`` would: non-string keys become strings, numpy's scalars are numbers.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _orjson_text(value) -> str:
    return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()


def _field(model: type[models.Model], name: str) -> models.Field:
    """The concrete field a row's key names: an attname, or ``id`` for the primary key."""
    field = model._meta.pk if name == "id" else model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a reverse relation, not a column")
    return field


def _column(model: type[models.Model], name: str) -> str:
    """The column a row's key is written to; a field without one cannot be bulk-written."""
    column = _field(model, name).column
    if column is None:
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column


def insert_from(model: type[models.Model], fields: Sequence[str], queryset) -> int:
    """``INSERT INTO model (fields) SELECT …`` with the SELECT of a ``values_list`` queryset of
    as many columns, in order: rows copied inside the database, never sent from Python."""
    quote = connection.ops.quote_name
    into = ", ".join(quote(_column(model, name)) for name in fields)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Table and column names come from the model, the SELECT from the ORM; values are bound.
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({into}) {sql}",  # noqa: S608
            params,
        )
        return cursor.rowcount


def upsert_select(
    model: type[models.Model],
    fields: Sequence[str],
    select: tuple[str, Sequence],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """``INSERT INTO model (fields) SELECT … ON CONFLICT (unique_fields) DO UPDATE`` with a SELECT
    (sql, params) of as many columns, in order: one statement that writes what the database
    computed, a row that exists getting the new values of ``update_fields``.

    The SELECT must carry a WHERE clause (``WHERE true`` will do): SQLite cannot otherwise tell
    the upsert's ON from a join's.
    """
    quote = connection.ops.quote_name
    into = ", ".join(quote(_column(model, name)) for name in fields)
    target = ", ".join(quote(_column(model, name)) for name in unique_fields)
    sets = ", ".join(
        f"{column} = EXCLUDED.{column}"
        for column in (quote(_column(model, name)) for name in update_fields)
    )
    sql, params = select
    with connection.cursor() as cursor:
        # Table and column names come from the model, the SELECT from the ORM; values are bound.
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({into}) {sql} "  # noqa: S608
            f"ON CONFLICT ({target}) DO UPDATE SET {sets}",
            params,
        )
        return cursor.rowcount


def fetch_values(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset, read in binary on PostgreSQL.

    In text, every timestamp is parsed by Django's loader in Python, and it was most of the cost
    of reading a few hundred ripples or window rows per batch; psycopg's binary loaders are C.
    Values come as psycopg loads them, without the fields' ``from_db_value``: use it for
    numbers, text, timestamps and plain JSON (parsed as ``json.loads`` would), not for fields
    with converters of their own.
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with _binary_cursor(binary_results=True) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _binary_cursor(*, binary_results: bool = False):
    """A server-side-binding cursor: Django's default client-side cursor cannot bind in binary.
    Wrapped by Django so errors, query logging and execute wrappers behave as for any query."""
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if binary_results:
        raw.format = Format.BINARY
    # django-stubs types these as taking the CursorWrapper they return; Django wraps the
    # database driver's own cursor, as here.
    return (
        connection.make_debug_cursor(raw)  # type: ignore[arg-type]
        if connection.queries_logged
        else connection.make_cursor(raw)  # type: ignore[arg-type]
    )


def update_rows(
    model: type[models.Model],
    rows: Sequence[Mapping],
    *,
    combine: Mapping[str, str] | None = None,
) -> int:
    """Update each row (a dict with ``id`` and the attnames to set, the same keys in each) in one
    statement; returns the number of rows updated.

    ``combine`` gives, per field, how the sent value meets the stored one, as SQL with ``{old}``
    and ``{new}`` (``"{old} + {new}"``, ``"GREATEST({old}, {new})"``), so concurrent writers
    both land. On PostgreSQL one ``UPDATE … FROM unnest(…)`` bound in binary, which stays cheap
    for hundreds of rows where ``bulk_update``'s ``CASE WHEN`` takes longer to build than to run.
    Elsewhere (the embedded SQLite) ``bulk_update``, or with ``combine`` one update per row.
    """
    if not rows:
        return 0
    combine = combine or {}
    fields = [name for name in rows[0] if name != "id"]
    if connection.vendor == "postgresql":
        return _update_unnest(model, fields, rows, combine)
    if not combine:
        objects = [model(pk=row["id"], **{name: row[name] for name in fields}) for row in rows]
        return model._default_manager.bulk_update(objects, fields)
    updated = 0
    for row in rows:
        values = {}
        for name in fields:
            template = combine.get(name)
            if template is None:
                values[name] = row[name]
            else:
                column = _column(model, name)
                sql = template.format(old=connection.ops.quote_name(column), new="%s")
                sql = sql.replace("GREATEST(", "MAX(").replace("LEAST(", "MIN(")
                # The template comes from the caller's code, never from input; the value is bound.
                values[name] = models.expressions.RawSQL(  # noqa: S611
                    sql, (_adapted(model, name, row[name]),)
                )
        updated += model._default_manager.filter(pk=row["id"]).update(**values)
    return updated


def _adapted(model, name, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _update_unnest(model, fields, rows, combine) -> int:
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    bound = _bind_columns(model, ["id", *fields], rows)
    sets = []
    for name, new in zip(fields, bound.exprs[1:], strict=True):
        column = quote(_column(model, name))
        template = combine.get(name, "{new}")
        sets.append(f"{column} = " + template.format(old=f"{table}.{column}", new=new))
    # Table, column names and types come from the model, never from input; values are bound.
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608
        f"FROM {bound.source} WHERE {table}.{quote(meta.pk.column)} = {bound.exprs[0]}"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, bound.params)
        return cursor.rowcount


def rows_by_keys(
    model: type[models.Model],
    key_fields: Sequence[str],
    keys: Iterable[tuple],
    *,
    returning: Sequence[str],
    **equal,
) -> list[tuple]:
    """The ``returning`` columns of the rows whose ``key_fields`` are one of ``keys`` (tuples in
    the same order), among those whose fields equal ``equal`` (``brand_id=…``).

    Meant for a unique index on ``(*equal, *key_fields)``. On PostgreSQL the keys come as
    arrays and each is probed in a ``LATERAL`` subquery (its ``LIMIT 1``, true of a unique key,
    keeps the planner from flattening it into a join), so the plan is one index look-up per key
    whatever the statistics say: an ``IN`` list of hundreds of keys cost more to plan than to
    run, and a plain join, planned with the statistics of a table that has since grown (as
    during the first minutes of a busy brand, before autovacuum's ANALYZE), hashed the whole
    brand: 17 ms for 500 keys against 40,000 rows, where the probes take 1.5. Elsewhere one
    ``IN`` per leading value of the key.
    """
    keys = sorted(set(keys))
    if not keys:
        return []
    if connection.vendor != "postgresql":
        matching = model._default_manager.filter(_keys_q(key_fields, keys), **equal)
        return list(matching.values_list(*returning))
    meta = model._meta
    quote = connection.ops.quote_name
    bound = _bind_columns(
        model,
        key_fields,
        [dict(zip(key_fields, key, strict=True)) for key in keys],
        alias="k",
        shared_once=False,
    )
    where = " AND ".join(
        [
            *(f"t.{quote(_column(model, name))} = %b" for name in equal),
            *(
                f"t.{quote(_column(model, name))} = {expr}"
                for name, expr in zip(key_fields, bound.exprs, strict=True)
            ),
        ]
    )
    back = ", ".join(f"t.{quote(_column(model, name))}" for name in returning)
    # Table, column names and types come from the model, never from input; values are bound.
    sql = (
        f"SELECT {back} FROM {bound.source} CROSS JOIN LATERAL "  # noqa: S608
        f"(SELECT * FROM {quote(meta.db_table)} t WHERE {where} LIMIT 1) t"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, [*bound.params, *equal.values()])
        return cursor.fetchall()


def _keys_q(key_fields: Sequence[str], keys: Iterable[tuple]) -> models.Q:
    """``key_fields IN keys`` as one ``IN`` per leading value, so a composite index is used."""
    *leading, last = key_fields
    grouped: dict[tuple, set] = defaultdict(set)
    for key in keys:
        grouped[tuple(key[:-1])].add(key[-1])
    condition = models.Q(pk__in=[])
    for prefix, values in sorted(grouped.items()):
        condition |= models.Q(
            **dict(zip(leading, prefix, strict=True)), **{f"{last}__in": sorted(values)}
        )
    return condition
