"""What /forget deletes, derived from the schema so a table added later cannot be missed.

Every table in ``Base.metadata`` falls in exactly one of these groups:

- **linked to the user by foreign keys**: it has a column referencing ``users.id``, or
  referencing a column of another table that is itself linked (an outbox row pointing at an
  inbox row, say). Its rows of that user are deleted, children before parents.
- **keyed by the platform account** without a foreign key (an inbox row stored before the
  user row exists): it declares ``info={ERASE_BY: {"platform": COLUMN, "user": COLUMN}}``
  naming the columns holding ``Platform`` value and the platform's user id.
- **holding no personal data**: it declares ``info={PERSONAL_DATA: False}`` (say why beside it).
- **work in flight**: a delivery queue whose rows are deleted when their work is done (the
  inbox once a message is answered, the outbox once a reply is sent, a chat lease once its
  worker lets go). It declares ``info={IN_FLIGHT: True}`` and /forget leaves it to finish:
  erasing it dropped the messages a person sent right after /forget (a crisis message among
  them, found by a fresh review with separate receivers and workers), undelivered replies,
  and a live lease (a second worker then answered the chat too). Its rows are gone seconds
  later, when the work is done.

``uncovered_tables`` lists the tables in none of these groups; a test fails on any, so a
new table has to choose one. The ``users`` row itself goes last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Delete, MetaData, Table, and_, delete, false, or_, select

#: ``Table.info`` key: ``{"platform": column name, "user": column name}``.
ERASE_BY = "erase_by"
#: ``Table.info`` key: ``False`` declares the table holds nothing about any person.
PERSONAL_DATA = "personal_data"
#: ``Table.info`` key: ``True`` declares a queue of work in flight, left to finish (above).
IN_FLIGHT = "in_flight"
USERS = "users"


@dataclass(frozen=True, slots=True)
class Account:
    """Whose data to erase: the users-table id (None when there is no row) and the
    platform account it stands for."""

    user_id: int | None
    platform: str
    platform_user_id: str


def _by_account(table: Table, account: Account) -> ColumnElement[bool] | None:
    columns = table.info.get(ERASE_BY)
    if not columns:
        return None
    return and_(
        table.c[columns["platform"]] == account.platform,
        table.c[columns["user"]] == account.platform_user_id,
    )


def owned_rows(metadata: MetaData, account: Account) -> dict[str, ColumnElement[bool]]:
    """For every table holding this account's rows: the condition that selects them."""
    users = metadata.tables[USERS]
    owned: dict[str, ColumnElement[bool]] = {
        USERS: users.c.id == account.user_id if account.user_id is not None else false()
    }
    for table in metadata.sorted_tables:  # parents before children
        if table.name == USERS:
            continue
        conditions = [
            c
            for c in (*_fk_conditions(table, owned, account), _by_account(table, account))
            if c is not None
        ]
        if conditions:
            owned[table.name] = or_(*conditions)
    return owned


def _fk_conditions(
    table: Table, owned: Mapping[str, ColumnElement[bool]], account: Account
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name not in owned:
            continue
        if parent.name == USERS and fk.column.name == "id":
            if account.user_id is not None:
                conditions.append(fk.parent == account.user_id)
            continue
        # Rows pointing at the parent's rows of this account, by the referenced column.
        conditions.append(fk.parent.in_(select(fk.column).where(owned[parent.name])))
    return conditions


def erase_statements(metadata: MetaData, account: Account) -> list[tuple[str, Delete]]:
    """DELETE statements for every row of ``account``, children first, ``users`` last."""
    owned = owned_rows(metadata, account)
    tables = [t for t in reversed(metadata.sorted_tables) if t.name in owned and t.name != USERS]
    tables.append(metadata.tables[USERS])
    return [(table.name, delete(table).where(owned[table.name])) for table in tables]


def linked_tables(metadata: MetaData) -> set[str]:
    """Tables /forget reaches: ``users``, tables keyed by the account (``ERASE_BY``), and
    every table with a foreign key into one of those, transitively."""
    linked = {USERS} | {t.name for t in metadata.sorted_tables if t.info.get(ERASE_BY)}
    for table in metadata.sorted_tables:  # parents before children
        if any(fk.column.table.name in linked for fk in table.foreign_keys):
            linked.add(table.name)
    return linked


def uncovered_tables(metadata: MetaData) -> list[str]:
    """Tables that neither /forget reaches nor declare that they hold no personal data."""
    linked = linked_tables(metadata)
    return sorted(
        table.name
        for table in metadata.sorted_tables
        if table.name not in linked
        and table.info.get(PERSONAL_DATA, True)
        and not table.info.get(IN_FLIGHT, False)
    )
