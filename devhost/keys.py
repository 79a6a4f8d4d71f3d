"""The host key: the secret a remote caller must present, kept beside the database.

One key per database, so a restarted devhost accepts the key its callers already hold. The file
is created atomically (written under a temporary name, then linked into place) with mode 0600,
so two hosts starting at once agree on one key and nobody else on the machine can read it.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

log = logging.getLogger("devhost")

KEY_SUFFIX = ".host-key"


class HostKeyError(Exception):
    """The key file exists but holds no usable key."""


def key_path(db_path: Path) -> Path:
    """`hub.sqlite3` -> `hub.sqlite3.host-key`, in the same directory."""
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def _create(path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another host made it first: use theirs
    finally:
        os.unlink(tmp)


def load_or_create_host_key(path: Path) -> str:
    """The key in `path`, made first if there is none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("host key file %s was readable by others (mode %o); now 0600", path, mode)
        path.chmod(0o600)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 16:
        raise HostKeyError(f"host key file {path} holds no usable key; delete it and devhost "
                           "makes a new one")
    return key


def key_matches(presented: str | None, key: str) -> bool:
    """Constant-time comparison, so response timing tells nothing about the key."""
    return presented is not None and hmac.compare_digest(presented.encode(), key.encode())
