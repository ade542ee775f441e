"""Entity resolution within one user's graph: alias keys first, then compatible person names.

Never across users: every lookup is scoped by user_id. Merges go through the merge log,
so a wrong one can be split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store import graph as store
from graphmem.store.merges import merge_entities

__all__ = ["Wanted", "names_compatible", "pick", "resolve_keys", "merge_people", "attach_name"]


@dataclass(frozen=True, slots=True)
class Wanted:
    key: str
    name: str
    type: str


def names_compatible(a: str, b: str) -> bool:
    """"sarah" and "sarah connor" may be one person; "sarah connor" and "sarah lee" may not."""
    ta, tb = a.split(), b.split()
    if ta == tb or not ta or not tb:
        return False
    short, long = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    return long[: len(short)] == short


def pick(candidates: list[store.EntityRef], type_: str) -> int:
    """Prefer the same type, then the most mentioned, then the oldest id."""
    return min(candidates, key=lambda c: (c[2] != type_, -c[3], c[0]))[0]


async def resolve_keys(
    conn: AsyncConnection, user_id: str, wanted: Iterable[Wanted]
) -> tuple[dict[str, int], list[Wanted]]:
    """Map each wanted key to an entity id, creating entities that do not exist yet.
    Also returns the people created, for ``merge_people`` once their rows are written."""
    by_key: dict[str, Wanted] = {}
    for w in wanted:
        by_key.setdefault(w.key, w)
    found = await store.entities_by_alias(conn, user_id, by_key)
    ids = {k: pick(found[k], w.type) for k, w in by_key.items() if k in found}
    missing = [w for k, w in by_key.items() if k not in found]
    created = await store.create_entities(conn, user_id, [{"key": w.key, "name": w.name, "type": w.type} for w in missing])
    for w in missing:
        ids[w.key] = created[(w.type, w.key)]
    return ids, [w for w in missing if w.type == "PERSON"]


async def merge_people(
    conn: AsyncConnection, user_id: str, people: list[Wanted], ids: dict[str, int], participants: set[int]
) -> None:
    """Fold each new person into the one existing person whose name is compatible, if exactly one.
    Runs after the person's mentions and relations are written, so the merge log holds them
    and a split gives them back. Conversation participants never merge by first name: a new
    speaker "Sarah" is not the "Sarah Connor" someone mentioned earlier."""
    people = [w for w in people if ids[w.key] not in participants]
    if not people:
        return
    candidates = await store.persons_by_first_name(conn, user_id, {w.key.split()[0] for w in people})
    merged: set[int] = set()
    for w in people:
        match = [
            c
            for c in candidates
            if c[0] != ids[w.key] and c[0] not in merged | participants and names_compatible(c[1], w.key)
        ]
        if len(match) != 1:
            continue
        kept = match[0]
        await merge_entities(conn, user_id, kept[0], ids[w.key], reason=f"name:{w.key}")
        merged.add(ids[w.key])
        if len(w.key.split()) > len(kept[1].split()):  # keep the fuller name on display
            await store.rename_entity(conn, user_id, kept[0], w.name)


async def attach_name(conn: AsyncConnection, user_id: str, entity_id: int, key: str, name: str) -> None:
    """"My name is Sarah": Sarah becomes the entity's name and alias; a separate Sarah merges in."""
    others = [c for c in (await store.entities_by_alias(conn, user_id, [key])).get(key, []) if c[0] != entity_id]
    for other in others:
        if other[2] == "PERSON":
            await merge_entities(conn, user_id, entity_id, other[0], reason=f"name:{key}")
    await store.add_aliases(conn, user_id, [(entity_id, key, name)])
    await store.rename_entity(conn, user_id, entity_id, name)
