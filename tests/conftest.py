"""Fixtures shared by every test folder."""

import json
import os
from pathlib import Path

import pytest

from testkit.chromium import browser

__all__ = ["browser"]

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[1] / "local.settings.example.json"


@pytest.fixture(autouse=True, scope="session")
def task_hub_setting():
    """The app's host.json reads its hub as %TASKHUB_NAME%, and devhost (like the Functions host)
    refuses to start without that setting; tests run the app with the example's value unless the
    environment sets one."""
    hub = json.loads(EXAMPLE_SETTINGS.read_text())["Values"]["TASKHUB_NAME"]
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("TASKHUB_NAME"):
            patch.setenv("TASKHUB_NAME", hub)
        yield
