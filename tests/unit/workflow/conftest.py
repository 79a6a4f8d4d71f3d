"""The approval orchestrator as the SDK runs it, shared by the replayed orchestrator tests."""

import pytest

from bot.workflow.blueprint import bp
from tests.unit.workflow.history import orchestrator_handle


@pytest.fixture(scope="module")
def handle():
    return orchestrator_handle(bp, "approval_workflow")
