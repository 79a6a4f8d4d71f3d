"""Registers the approval orchestrator with the Functions host."""

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from bot.workflow import orchestrator
from bot.workflow.names import ORCHESTRATOR

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context", orchestration=ORCHESTRATOR)
def approval_workflow(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Orchestrator trigger for `approval_workflow` (the logic lives in bot.workflow.orchestrator)."""
    return (yield from orchestrator.approval_workflow(context))
