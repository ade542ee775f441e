"""The ``graphmem`` command line, thin over the services."""

__all__: list[str] = []
