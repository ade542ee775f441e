"""The wire format: msgspec Structs for every request and response body, one module per
resource. Shared by the API, the services and clients; it imports nothing but msgspec."""

from graphmem.dto.context import *  # noqa: F403
from graphmem.dto.context import __all__ as _context
from graphmem.dto.core import *  # noqa: F403
from graphmem.dto.core import __all__ as _core
from graphmem.dto.graph import *  # noqa: F403
from graphmem.dto.graph import __all__ as _graph
from graphmem.dto.jobs import *  # noqa: F403
from graphmem.dto.jobs import __all__ as _jobs
from graphmem.dto.privacy import *  # noqa: F403
from graphmem.dto.privacy import __all__ as _privacy
from graphmem.dto.users import *  # noqa: F403
from graphmem.dto.users import __all__ as _users

__all__ = [*_core, *_graph, *_context, *_users, *_privacy, *_jobs]
