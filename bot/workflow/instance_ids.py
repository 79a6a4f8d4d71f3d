"""Instance ids begin with who asked, so a person's own requests are one prefix query away.

An id is 32 hexadecimal characters, as the durable client's own: twelve for the requester (their
chat account, else the name typed into the HTTP API), then twenty more. The management API lists
instances by id prefix, so "my requests" reads a person's own instances instead of everybody's,
and a request typed again is found with one query (bot.workflow.repeats).
"""

from __future__ import annotations

import hashlib
import uuid

from bot.approvals import ApprovalRequest
from bot.people import Person

PERSON_PREFIX_LENGTH = 12
ID_LENGTH = 32


def person_prefix(person: Person) -> str:
    """The id prefix of every request this chat account makes."""
    return _digest(f"{person.platform}:{person.id}", PERSON_PREFIX_LENGTH)


def named_prefix(requester: str) -> str:
    """The id prefix of requests made over the HTTP API in this name (ignoring case and spacing)."""
    return _digest(f"api:{' '.join(requester.split()).casefold()}", PERSON_PREFIX_LENGTH)


def requester_prefix(request: ApprovalRequest) -> str:
    """The id prefix of this request's requester: their chat account, else the name given."""
    account = request.requester_account
    return person_prefix(account) if account else named_prefix(request.requester)


def new_instance_id(request: ApprovalRequest) -> str:
    """A fresh id for this request: its requester's prefix, then random."""
    prefix = requester_prefix(request)
    return prefix + uuid.uuid4().hex[: ID_LENGTH - len(prefix)]


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]
