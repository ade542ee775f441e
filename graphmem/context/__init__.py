"""Pure parts of the customer context: profile topics, token counting and the rendered text."""

__all__: list[str] = []
