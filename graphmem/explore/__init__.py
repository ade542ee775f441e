"""Pure helpers for exploring a user's graph: traversal over fetched rows, evidence snippets."""

__all__: list[str] = []
