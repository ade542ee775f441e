"""The JSONL import format (docs/import.md): one message per line, or one conversation per line.

A message line is a message as ``POST .../messages`` takes it, plus ``user_id`` and
``conversation_id``. A conversation line has ``user_id``, ``conversation_id`` and ``messages``.
Messages without a ``client_id`` get a deterministic one, so a re-run skips what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import msgspec

from graphmem.importers.records import BadRecord, ClientIds, Item, make_record

__all__ = ["Addressing", "read_jsonl", "parse_lines"]

_ADDRESS = ("user_id", "conversation_id")


@dataclass(frozen=True, slots=True)
class Addressing:
    """Where messages go: ``user`` for lines that name no user, ``user_prefix`` before every user id
    (to load a file twice side by side, or into a test database under fresh users)."""

    user: str | None = None
    user_prefix: str = ""

    def user_id(self, value: Any) -> Any:
        value = value if value is not None else self.user
        return f"{self.user_prefix}{value}" if isinstance(value, str) else value


def read_jsonl(path: str | Path, addressing: Addressing = Addressing()) -> Iterator[Item]:
    with open(path, encoding="utf-8") as f:
        yield from parse_lines(f, addressing, name=Path(path).name)


def parse_lines(lines: Iterable[str], addressing: Addressing = Addressing(), *, name: str = "-") -> Iterator[Item]:
    client_ids = ClientIds("jsonl")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        source = f"{name}:{number}"
        try:
            data = msgspec.json.decode(line)
        except msgspec.DecodeError as exc:
            yield BadRecord(source, f"not JSON: {exc}")
            continue
        if not isinstance(data, dict):
            yield BadRecord(source, "a line must be a JSON object")
            continue
        user, conversation = addressing.user_id(data.pop("user_id", None)), data.pop("conversation_id", None)
        if "messages" in data:
            yield from _conversation(user, conversation, data, source, client_ids)
        else:
            yield _message(user, conversation, data, source, client_ids)


def _conversation(user: Any, conversation: Any, data: dict[str, Any], source: str, client_ids: ClientIds) -> Iterator[Item]:
    messages = data.pop("messages")
    if data:
        yield BadRecord(source, f"unknown fields in a conversation line: {', '.join(sorted(data))}")
        return
    if not isinstance(messages, list) or not messages:
        yield BadRecord(source, "messages must be a non-empty list")
        return
    for i, message in enumerate(messages):
        where = f"{source}#{i}"
        if not isinstance(message, dict):
            yield BadRecord(where, "a message must be a JSON object")
        elif _ADDRESS[0] in message or _ADDRESS[1] in message:
            yield BadRecord(where, "a message inside a conversation line takes its user and conversation from the line")
        else:
            yield _message(user, conversation, message, where, client_ids)


def _message(user: Any, conversation: Any, fields: dict[str, Any], source: str, client_ids: ClientIds) -> Item:
    if fields.get("client_id") is None and isinstance(user, str) and isinstance(conversation, str):
        fields = {**fields, "client_id": client_ids(user, conversation, fields)}
    return make_record(user, conversation, fields, source)
