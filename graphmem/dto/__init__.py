"""The wire format: msgspec Structs for every request and response body, one module per
resource. Shared by the API, the services and clients; it imports nothing but msgspec."""

from graphmem.dto.core import *  # noqa: F403
from graphmem.dto.core import __all__ as _core

__all__ = [*_core]
