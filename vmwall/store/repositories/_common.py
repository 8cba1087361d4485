"""Helpers shared by the repositories."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.orm import Session

from vmwall.store.errors import StoreError

Explain = Callable[[Session], StoreError]


@contextmanager
def explained_conflicts(session: Session, explain: Explain) -> Iterator[None]:
    """Run the block's changes in a savepoint; on a constraint violation raise ``explain(session)``.

    Put the ``session.add()`` or the attribute changes inside the block: they are flushed when it
    ends. The savepoint keeps the transaction usable (PostgreSQL aborts it otherwise), so
    ``explain`` can query what the change collided with and name it; the whole transaction is then
    rolled back by ``Database.session()`` as the error leaves it.
    """
    try:
        with session.begin_nested():
            yield
    except exc.IntegrityError as error:
        raise explain(session) from error


def require_no_id(kind: str, item_id: int | None) -> None:
    if item_id is not None:
        raise ValueError(f"add() takes a new {kind}; this one already has id {item_id}")


def require_id(kind: str, item_id: int | None) -> int:
    if item_id is None:
        raise ValueError(f"this {kind} has no id: add() it first")
    return item_id


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def loads(text: str) -> object:
    return json.loads(text)
