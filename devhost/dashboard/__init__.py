"""The devhost dashboard: watch orchestrations wait, race their timers and finish, in a browser.

Served by devhost on its own port (no extra server), reading the same SQLite store read-only.
"""
from .routes import MOUNT, PAGE_PATH, build_dashboard

__all__ = ["MOUNT", "PAGE_PATH", "build_dashboard"]
