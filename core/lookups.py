"""``field__any_of=[…]``: ``IN`` for hundreds of values, bound as one array on PostgreSQL.

Intake filters by the hundreds of ids of a batch. Django compiles ``__in`` into one placeholder
per value, and building and planning that list cost more than running the query; on PostgreSQL
``= ANY(%s)`` takes the list as one array. Other databases get the ordinary ``IN``.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


@Field.register_lookup
@ForeignObject.register_lookup
class AnyOf(Lookup):
    """A foreign key compares ids (``author_id__any_of=[…]``), not model instances."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        return f"{lhs} = ANY(%s::{field.cast_db_type(connection)}[])", [*lhs_params, values]
