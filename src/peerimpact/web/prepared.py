"""Querysets and inserts compiled to SQL once, for the few statements every API request runs.

Turning a queryset into SQL costs Django far more than SQLite needs to run it:
on ``POST /api/contacts`` the token lookup, the allocation check and the
policy read took about 0.45, 0.5 and 0.25 ms each to build and convert, against
some 15 us to execute. A :class:`PreparedQuery` builds its queryset once per
database alias with placeholder values, keeps the SQL, and then only executes
it with the real values. Rows become model instances (``select_related``
objects included) with Django's own converters and populators, exactly as the
queryset would return them, so the SQL and the objects are those of the ORM.

Only plain equality lookups on values that are never ``None`` may be
parameters: the SQL of a queryset must not depend on its parameter values
(``filter(x=None)`` would compile to ``IS NULL``). Each placeholder must occur
exactly once among the compiled parameters; this is checked when compiling.

A backend may adapt a value before it reaches the SQL parameters: on
PostgreSQL (psycopg 3) an integer compared with an ``IntegerField`` becomes
an ``Int4`` (a ``PositiveBigIntegerField``'s an ``Int8``), which the check
above would not find as the plain ``int`` placeholder. ``kinds=`` names, per
placeholder, the field it is compared with (``None``: the value as it is);
the placeholders are then adapted with that field's ``get_db_prep_value`` on
each database before the queryset is built, and the values on each call, so
the compiled parameters hold the placeholders and the SQL is the ORM's.

That adapts a placeholder twice (once here, once by the ORM as it builds the
query), which is harmless for integers only: an integer field (``AutoField``,
``PositiveIntegerField`` ...), or a foreign key to one, adapts an adapted
integer to the same value. Any other field's adaptation is not idempotent (a
``JSONField``'s value becomes a JSON text or psycopg's ``Jsonb``, which the
ORM then encodes again; a ``DateTimeField``'s becomes a text that the ORM reads
back as a naive date-time, shifted by the time zone), so a kind that is not an
integer field, or an integer kind whose placeholder is not an ``int``, is a
:class:`ValueError` when the :class:`PreparedQuery` is made.

A :class:`PreparedInsert` does the same for ``Model.save()`` of a new
instance: the INSERT statement is compiled once, and each insert computes its
values with the fields' own ``pre_save`` and ``get_db_prep_save`` (defaults,
``auto_now_add``, conversions), as the ORM's insert compiler does.
:mod:`peerimpact.web.audited` inserts a new audited record and its audit row
with them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Field, IntegerField, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery


def _check_kind(placeholder: Any, kind: Field | None) -> None:
    """Refuse a kind other than an integer field (or a foreign key to one), or a placeholder of one that is not an int."""
    if kind is None:
        return
    target = kind.target_field if kind.is_relation and kind.many_to_one else kind
    if not isinstance(target, IntegerField):
        raise ValueError(f"kinds: {kind!r} is not an integer field or a foreign key to one; only integer fields may be kinds "
                         "(another field's value would be adapted twice)")
    if type(placeholder) is not int:
        raise ValueError(f"kinds: the placeholder {placeholder!r} compared with the integer field {kind!r} must be an int")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[int, ...]  # where each placeholder sits in params
    compiler: Any
    converters: dict
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list
    annotations: dict[str, int]


class PreparedQuery:
    """``build(*placeholders)`` -> a queryset; :meth:`all` and :meth:`first` run it with other values.

    >>> TOKEN = PreparedQuery(lambda h: ApiToken.objects.select_related("user").filter(key_hash=h)[:1], "<hash>")
    >>> TOKEN.first(key_hash)                          # doctest: +SKIP

    ``kinds`` (one per placeholder) are the fields the placeholders are
    compared with, for values the backend adapts (see the module docstring).
    ``None`` (the default) leaves every value as it is, a ``None`` among them
    that placeholder's. Each kind must be an integer field or a foreign key to
    one, and its placeholder an ``int``; else :class:`ValueError`.
    """

    def __init__(self, build: Callable[..., QuerySet], *placeholders, kinds: tuple[Field | None, ...] | None = None):
        if any(p is None for p in placeholders):
            raise ValueError("placeholders must not be None")
        if kinds is not None and len(kinds) != len(placeholders):
            raise ValueError(f"expected one kind per placeholder ({len(placeholders)}), not {len(kinds)}")
        for placeholder, kind in zip(placeholders, kinds or ()):
            _check_kind(placeholder, kind)
        self._build = build
        self._placeholders = placeholders
        self._kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _adapt(self, values: tuple, using: str) -> tuple:
        """``values`` as the backend of ``using`` adapts them for the fields of ``kinds`` (as they are without kinds)."""
        if self._kinds is None:
            return values
        connection = connections[using]
        return tuple(v if k is None else k.get_db_prep_value(v, connection) for v, k in zip(values, self._kinds))

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            placeholders = self._adapt(self._placeholders, using)
            compiler = self._build(*placeholders).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = []
            for placeholder in placeholders:
                at = [i for i, p in enumerate(params) if p == placeholder and type(p) is type(placeholder)]
                if len(at) != 1:
                    raise ValueError(f"placeholder {placeholder!r} occurs {len(at)} times in the compiled parameters {params!r}")
                slots.append(at[0])
            select, klass_info = compiler.select, compiler.klass_info
            fields = [s[0] for s in select[: compiler.col_count]]
            if compiler.has_composite_fields(fields):
                raise ValueError("composite fields are not supported")
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            compiled = _Compiled(
                sql=sql, params=tuple(params), slots=tuple(slots), compiler=compiler, converters=compiler.get_converters(fields),
                model=klass_info["model"], start=first, end=last,
                init_list=[f[0].target.attname for f in select[first:last]],
                populators=get_related_populators(klass_info, select, using), annotations=dict(compiler.annotation_col_map),
            )
            self._compiled[using] = compiled
            return compiled

    def all(self, *values, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
        """The model instances the queryset built with ``values`` instead of the placeholders would return."""
        if len(values) != len(self._placeholders) or any(v is None for v in values):
            raise ValueError(f"expected {len(self._placeholders)} values, none of them None")
        c = self._compiled.get(using) or self._compile(using)
        params = list(c.params)
        for slot, value in zip(c.slots, self._adapt(values, using)):
            params[slot] = value
        with connections[using].cursor() as cursor:
            cursor.execute(c.sql, params)
            rows = cursor.fetchall()
        if c.converters:
            rows = c.compiler.apply_converters(rows, c.converters)
        objects = []
        for row in rows:
            obj = c.model.from_db(using, c.init_list, row[c.start : c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            for name, position in c.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The first instance, or None (the queryset should be sliced ``[:1]``)."""
        objects = self.all(*values, using=using)
        return objects[0] if objects else None


@dataclass(frozen=True)
class CompiledInsert:
    """An INSERT of one row of a model on one database: its SQL, the fields of its parameters, what it returns."""

    sql: str
    fields: tuple  # the fields whose values are inserted, in the statement's order
    returning: tuple  # the fields the statement returns (the primary key)
    returning_params: tuple
    table: str
    converters: dict


class PreparedInsert:
    """``Model.save()`` of a new instance of ``model`` (no parents, an auto primary key unset), its INSERT compiled once.

    The values are those the ORM's insert compiler would send: each field's
    ``pre_save(obj, add=True)`` (so ``auto_now_add`` and the like apply) then
    ``get_db_prep_save``. An expression as a value (an ``F()`` or a database
    function) is refused: it would change the SQL. No model signal is sent:
    see :func:`peerimpact.web.audited.insert_audited`, which checks that nothing listens.
    """

    def __init__(self, model: type[Model]):
        meta = model._meta
        if meta.parents or meta.proxy or meta.auto_field is None:
            raise ValueError(f"{model.__name__}: only a concrete model without parents and with an auto primary key")
        self.model = model
        self._compiled: dict[str, CompiledInsert] = {}
        self._lock = threading.Lock()

    def compiled(self, using: str) -> CompiledInsert:
        """The statement for database ``using``, compiled on first use."""
        c = self._compiled.get(using)
        return c if c is not None else self._compile(using)

    def _compile(self, using: str) -> CompiledInsert:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            meta = self.model._meta
            fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
            if any(hasattr(f, "get_placeholder") for f in fields):
                raise ValueError(f"{self.model.__name__}: a field with its own placeholder SQL is not supported")
            returning = list(meta.db_returning_fields)
            query = InsertQuery(self.model)
            query.insert_values(fields, [self.model()], raw=True)  # raw: values as they are, no pre_save (no clock read)
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = returning
            [(sql, params)] = compiler.as_sql()
            if len(params) != len(fields) + len(compiler.returning_params):
                raise ValueError(f"{self.model.__name__}: the compiled INSERT does not take one parameter per field")
            connection = connections[using]
            if returning and not connection.features.can_return_columns_from_insert and returning != [meta.auto_field]:
                raise ValueError(f"{self.model.__name__}: this database cannot return {returning}")
            compiled = CompiledInsert(
                sql=sql, fields=tuple(fields), returning=tuple(returning), returning_params=tuple(compiler.returning_params),
                table=meta.db_table, converters=compiler.get_converters([f.get_col(meta.db_table) for f in returning]),
            )
            self._compiled[using] = compiled
            return compiled

    def params(self, obj: Model, using: str) -> list:
        """The statement's values for ``obj`` (new, primary key unset), as the insert compiler computes them."""
        if type(obj) is not self.model or not obj._state.adding or obj.pk is not None:
            raise ValueError(f"expected a new {self.model.__name__} without a primary key")
        c = self.compiled(using)
        obj._prepare_related_fields_for_save(operation_name="save")
        connection = connections[using]
        values = [field.pre_save(obj, True) for field in c.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            raise ValueError("an expression as a field value is not supported: use save()")
        return [field.get_db_prep_save(value, connection=connection) for field, value in zip(c.fields, values)]

    def insert(self, obj: Model, using: str = DEFAULT_DB_ALIAS) -> None:
        """Insert ``obj`` (new, primary key unset) and set its primary key and state, as ``obj.save(using=using)`` does."""
        params = self.params(obj, using)
        c, connection = self.compiled(using), connections[using]
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(c.sql, (*params, *c.returning_params))
            if not c.returning:
                row: tuple = ()
            elif connection.features.can_return_columns_from_insert:
                row = connection.ops.fetch_returned_insert_columns(cursor, c.returning_params)
            else:
                row = (connection.ops.last_insert_id(cursor, c.table, c.returning[0].column),)
        self.stored(obj, row, using)

    def stored(self, obj: Model, row, using: str) -> None:
        """Set what the statement returned (``row``, converted as the ORM converts it) and mark ``obj`` saved on ``using``."""
        c = self.compiled(using)
        values = list(row)
        for position, (funcs, expression) in c.converters.items():
            for func in funcs:
                values[position] = func(values[position], expression, connections[using])
        for field, value in zip(c.returning, values):
            setattr(obj, field.attname, value)
        obj._state.db = using
        obj._state.adding = False
