"""Fixtures shared by every test folder."""

from testkit.chromium import browser

__all__ = ["browser"]
