"""Entity routes: search, detail, neighbours, paths, mentions and manual corrections, per user."""

from __future__ import annotations

from typing import Any, Callable

from graph_helpers import entity_id, error_code
from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]


def _family(ingest: Ingest, user: str) -> None:
    ingest(
        user,
        "c1",
        {"role": "user", "text": "I live in Denver.", "timestamp": "2024-01-10T10:00:00Z"},
        {"role": "user", "text": "My sister Anna lives in Portland.", "timestamp": "2024-02-10T10:00:00Z"},
        {"role": "user", "text": "Anna loves Portland in the spring.", "timestamp": "2024-03-10T10:00:00Z"},
        {"role": "user", "text": "Denver was sunny today.", "timestamp": "2024-04-10T10:00:00Z"},
    )


def test_search_by_prefix_type_mentions_and_sort(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _family(ingest, user_id)
    base = f"/v1/users/{user_id}/entities"
    names = [e["name"] for e in client.get(base, params={"q": "den"}).json()["entities"]]
    assert names == ["Denver"]
    gpe = {e["name"] for e in client.get(base, params={"type": "GPE"}).json()["entities"]}
    assert gpe == {"Denver", "Portland"}
    busy = client.get(base, params={"min_mentions": 2}).json()["entities"]
    assert {"Denver", "Anna", "Portland"} <= {e["name"] for e in busy}
    assert all(e["mention_count"] >= 2 for e in busy)
    by_mentions = client.get(base).json()["entities"]
    counts = [e["mention_count"] for e in by_mentions]
    assert counts == sorted(counts, reverse=True)
    by_recency = client.get(base, params={"sort": "recent", "type": "GPE"}).json()["entities"]
    assert [e["name"] for e in by_recency] == ["Denver", "Portland"]  # Denver was mentioned last

    fuzzy = client.get(base, params={"q": "Portlnd", "match": "fuzzy"}).json()
    assert fuzzy["entities"][0]["name"] == "Portland" and fuzzy["next_cursor"] is None
    assert client.get(base, params={"q": "Portlnd"}).json()["entities"] == []  # not a prefix
    response = client.get(base, params={"q": "Portlnd", "match": "fuzzy", "cursor": "abc"})
    assert response.status_code == 422 and error_code(response) == "invalid_input"


def test_entity_pages_end_exactly(client: TestClient, user_id: str) -> None:
    base = f"/v1/users/{user_id}/entities"
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        assert client.post(base, json={"name": name, "type": "ORG"}).status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "recent"}
        if cursor:
            params["cursor"] = cursor
        body = client.get(base, params=params).json()
        seen += [e["name"] for e in body["entities"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and sorted(seen) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] and len(seen) == 5
    exact = client.get(base, params={"limit": 5}).json()
    assert len(exact["entities"]) == 5 and exact["next_cursor"] is None
    first = client.get(base, params={"limit": 1}).json()["next_cursor"]
    assert client.get(base, params={"limit": 1, "sort": "recent", "cursor": first}).status_code == 422
    assert client.get(base, params={"cursor": "not-a-cursor"}).status_code == 422
    for bad in ({"limit": 0}, {"limit": 501}, {"min_mentions": -1}):
        response = client.get(base, params=bad)
        assert response.status_code == 422 and error_code(response) == "limit_exceeded", bad
    for bad in ({"sort": "name"}, {"match": "regex"}):
        response = client.get(base, params=bad)
        assert response.status_code == 400 and error_code(response) == "invalid_request", bad
    assert client.get(f"/v1/users/{user_id}/entities", params={"q": "zzz"}).json()["entities"] == []


def test_entity_detail_has_aliases_counts_and_strongest_relations(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _family(ingest, user_id)
    anna = entity_id(client, user_id, "Anna")
    body = client.get(f"/v1/users/{user_id}/entities/{anna}").json()
    assert body["entity"]["name"] == "Anna" and body["entity"]["mention_count"] == 2
    assert body["entity"]["first_seen"].startswith("2024-02-10") and body["entity"]["last_seen"].startswith("2024-03-10")
    assert "Anna" in body["aliases"]
    predicates = {r["predicate"] for r in body["relations"]}
    assert {"lives_in", "has_family_member"} <= predicates
    assert client.get(f"/v1/users/{user_id}/entities/999999999").status_code == 404


def test_neighbours_by_depth_predicate_and_limit(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _family(ingest, user_id)
    me = entity_id(client, user_id, "user")
    url = f"/v1/users/{user_id}/entities/{me}/neighbours"
    one = client.get(url).json()
    assert {(n["entity"]["name"], n["distance"]) for n in one["neighbours"]} >= {("Denver", 1), ("Anna", 1)}
    assert "Portland" not in {n["entity"]["name"] for n in one["neighbours"]}
    two = client.get(url, params={"depth": 2}).json()
    assert ("Portland", 2) in {(n["entity"]["name"], n["distance"]) for n in two["neighbours"]}
    assert all(r["object"] is not None for r in two["relations"])
    family = client.get(url, params={"depth": 2, "predicate": "has_family_member"}).json()
    assert [n["entity"]["name"] for n in family["neighbours"]] == ["Anna"]
    several = client.get(url, params=[("depth", "2"), ("predicate", "has_family_member"), ("predicate", "lives_in")]).json()
    assert {"Anna", "Portland", "Denver"} <= {n["entity"]["name"] for n in several["neighbours"]}
    cut = client.get(url, params={"depth": 2, "limit": 1}).json()
    assert len(cut["neighbours"]) == 1 and cut["truncated"] is True and cut["neighbours"][0]["distance"] == 1
    assert client.get(url, params={"depth": 4}).status_code == 422


def test_shortest_path(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _family(ingest, user_id)
    me, portland = entity_id(client, user_id, "user"), entity_id(client, user_id, "Portland")
    path = client.get(f"/v1/users/{user_id}/entities/{me}/path", params={"to": portland}).json()
    assert path["found"] is True
    assert len(path["entities"]) == 3 and path["entities"][0]["id"] == me and path["entities"][-1]["id"] == portland
    assert len(path["relations"]) == 2
    short = client.get(f"/v1/users/{user_id}/entities/{me}/path", params={"to": portland, "max_hops": 1}).json()
    assert short == {"found": False, "entities": [], "relations": []}
    lonely = client.post(f"/v1/users/{user_id}/entities", json={"name": "Nowhere Inc", "type": "ORG"}).json()["entity"]["id"]
    assert client.get(f"/v1/users/{user_id}/entities/{me}/path", params={"to": lonely}).json()["found"] is False
    itself = client.get(f"/v1/users/{user_id}/entities/{me}/path", params={"to": me}).json()
    assert itself["found"] and [e["id"] for e in itself["entities"]] == [me] and itself["relations"] == []
    assert client.get(f"/v1/users/{user_id}/entities/{me}/path", params={"to": 999999999}).status_code == 404
    assert client.get(f"/v1/users/{user_id}/entities/{me}/path").status_code == 400


def test_mentions_page_newest_first(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _family(ingest, user_id)
    denver = entity_id(client, user_id, "Denver")
    url = f"/v1/users/{user_id}/entities/{denver}/mentions"
    first = client.get(url, params={"limit": 1}).json()
    assert [m["text"] for m in first["mentions"]] == ["Denver was sunny today."]
    assert first["mentions"][0]["surface"] == "Denver" and first["mentions"][0]["role"] == "user"
    second = client.get(url, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [m["text"] for m in second["mentions"]] == ["I live in Denver."] and second["next_cursor"] is None
    assert client.get(f"/v1/users/{user_id}/entities/999999999/mentions").status_code == 404


def test_create_rename_and_delete(client: TestClient, ingest: Ingest, sql: Callable[..., list[Any]], user_id: str) -> None:
    base = f"/v1/users/{user_id}/entities"
    made = client.post(base, json={"name": "Acme Corp", "type": "ORG", "aliases": ["ACME"], "attributes": {"tier": "gold"}})
    assert made.status_code == 201, made.text
    acme = made.json()
    assert acme["entity"]["key"] == "acme corp" and sorted(acme["aliases"]) == ["ACME", "Acme Corp"]
    assert acme["attributes"] == {"tier": "gold"}
    again = client.post(base, json={"name": "acme corp", "type": "ORG"})
    assert again.status_code == 409 and error_code(again) == "conflict"
    assert client.post(base, json={"name": "   "}).status_code == 422
    assert client.post(base, json={"name": "x", "type": "lowercase"}).status_code == 400

    ingest(user_id, "c", {"role": "user", "text": "I work at Acme."})  # resolves through the alias
    eid = acme["entity"]["id"]
    found = client.get(base, params={"q": "acme"}).json()["entities"]
    assert [(e["id"], e["mention_count"]) for e in found] == [(eid, 1)]
    renamed = client.patch(f"{base}/{eid}", json={"name": "Acme Corporation", "remove_aliases": ["ACME"]}).json()
    assert renamed["entity"]["name"] == "Acme Corporation" and renamed["entity"]["key"] == "acme corp"
    assert sorted(renamed["aliases"]) == ["Acme Corp", "Acme Corporation"]
    assert client.patch(f"{base}/{eid}", json={"remove_aliases": ["Acme Corp"]}).status_code == 422
    assert client.patch(f"{base}/{eid}", json={"type": "PRODUCT"}).json()["entity"]["type"] == "PRODUCT"
    assert client.patch(f"{base}/{eid}", json={"colour": "red"}).status_code == 400

    deleted = client.delete(f"{base}/{eid}")
    assert deleted.status_code == 200
    assert deleted.json()["deleted"]["entities"] == 1 and deleted.json()["deleted"]["relations"] >= 1
    assert deleted.json()["deleted"]["mentions"] >= 1
    assert client.get(f"{base}/{eid}").status_code == 404
    assert client.delete(f"{base}/{eid}").status_code == 404
    left = sql("SELECT count(*) AS n FROM relations WHERE user_id = :u AND (subject_id = :e OR object_id = :e)", u=user_id, e=eid)
    assert left[0].n == 0
    assert sql("SELECT count(*) AS n FROM mentions WHERE user_id = :u AND entity_id = :e", u=user_id, e=eid)[0].n == 0


def test_merge_then_split(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(
        user_id,
        "c",
        {"role": "user", "text": "I bought a laptop from Globex."},
        {"role": "user", "text": "Globex Inc shipped the charger late."},
    )
    base = f"/v1/users/{user_id}/entities"
    kept, merged = entity_id(client, user_id, "Globex"), entity_id(client, user_id, "Globex Inc")
    before = client.get(f"{base}/{kept}").json()["entity"]["mention_count"]
    other = client.get(f"{base}/{merged}").json()["entity"]["mention_count"]

    response = client.post(f"{base}/{kept}/merges", json={"merged_id": merged})
    assert response.status_code == 201, response.text
    merge = response.json()
    assert merge["kept_id"] == kept and merge["merged_id"] == merged and merge["reason"] == "manual"
    assert client.get(f"{base}/{merged}").status_code == 404
    detail = client.get(f"{base}/{kept}").json()
    assert detail["entity"]["mention_count"] == before + other and "Globex Inc" in detail["aliases"]
    log = client.get(f"{base}/{kept}/merges").json()["merges"]
    assert [(m["merge_id"], m["merged_name"], m["undone_at"]) for m in log] == [(merge["merge_id"], "Globex Inc", None)]
    assert client.post(f"{base}/{kept}/merges", json={"merged_id": kept}).status_code == 409
    assert client.post(f"{base}/{kept}/merges", json={"merged_id": 999999999}).status_code == 404

    split = client.post(f"{base}/{kept}/merges/{merge['merge_id']}/split")
    assert split.status_code == 200, split.text
    assert split.json()["restored"]["id"] == merged and split.json()["restored"]["name"] == "Globex Inc"
    assert client.get(f"{base}/{kept}").json()["entity"]["mention_count"] == before
    assert "Globex Inc" not in client.get(f"{base}/{kept}").json()["aliases"]
    assert client.get(f"{base}/{merged}/mentions").json()["mentions"][0]["text"] == "Globex Inc shipped the charger late."
    assert client.get(f"{base}/{kept}/merges").json()["merges"][0]["undone_at"] is not None
    again = client.post(f"{base}/{kept}/merges/{merge['merge_id']}/split")
    assert again.status_code == 409 and error_code(again) == "conflict"
    assert client.post(f"{base}/{merged}/merges/{merge['merge_id']}/split").status_code == 404


def test_another_users_entity_ids_are_not_found(client: TestClient, ingest: Ingest, user_id: str) -> None:
    other = f"{user_id}-b"
    _family(ingest, other)
    _family(ingest, user_id)
    theirs = entity_id(client, other, "Anna")
    their_city = entity_id(client, other, "Portland")
    mine = entity_id(client, user_id, "Anna")
    merge = client.post(f"/v1/users/{other}/entities/{theirs}/merges", json={"merged_id": their_city}).json()
    base = f"/v1/users/{user_id}/entities"
    attempts = [
        client.get(f"{base}/{theirs}"),
        client.patch(f"{base}/{theirs}", json={"name": "Mallory"}),
        client.get(f"{base}/{theirs}/neighbours"),
        client.get(f"{base}/{theirs}/path", params={"to": mine}),
        client.get(f"{base}/{mine}/path", params={"to": theirs}),
        client.get(f"{base}/{theirs}/mentions"),
        client.get(f"{base}/{theirs}/merges"),
        client.post(f"{base}/{mine}/merges", json={"merged_id": theirs}),
        client.post(f"{base}/{theirs}/merges", json={"merged_id": mine}),
        client.post(f"{base}/{theirs}/merges/{merge['merge_id']}/split"),
        client.post(f"{base}/{mine}/merges/{merge['merge_id']}/split"),
        client.delete(f"{base}/{theirs}"),
    ]
    for response in attempts:
        assert response.status_code == 404, (response.request.url, response.text)
        assert error_code(response) == "not_found" and "Anna" not in response.text
    still = client.get(f"/v1/users/{other}/entities/{theirs}").json()
    assert still["entity"]["name"] == "Anna" and "Portland" in still["aliases"]
    assert client.get(f"/v1/users/{user_id}/entities/{mine}").json()["entity"]["name"] == "Anna"
