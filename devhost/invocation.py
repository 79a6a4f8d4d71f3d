"""The `context` argument a function may declare, as the Python worker passes it."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class InvocationContext:
    """The `context` argument a function may declare (a subset of azure.functions.Context)."""
    function_name: str
    invocation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_directory: str = ""
    trace_context: Any = None
    retry_context: Any = None
    thread_local_storage: Any = None
