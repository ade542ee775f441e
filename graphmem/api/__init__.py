"""HTTP: Litestar controllers over the services, and the one mapping of errors to responses."""

__all__: list[str] = []
