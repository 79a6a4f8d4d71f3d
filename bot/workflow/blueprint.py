"""Registers the approval orchestrator and the month-to-date entity with the Functions host."""

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from bot.workflow import orchestrator, spending
from bot.workflow.names import MONTHLY_SPEND, ORCHESTRATOR

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context", orchestration=ORCHESTRATOR)
def approval_workflow(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Orchestrator trigger for `approval_workflow` (the logic lives in bot.workflow.orchestrator)."""
    return (yield from orchestrator.approval_workflow(context))


@bp.entity_trigger(context_name="context", entity_name=MONTHLY_SPEND)
def monthly_spend(context: df.DurableEntityContext) -> None:
    """Entity `monthly_spend` (`<requester>:<YYYY-MM>`, see bot.workflow.spending): `add`
    counts an Approved amount once per approval id, `get` answers the total."""
    if context.operation_name == spending.ADD:
        context.set_state(spending.added(context.get_state(dict), context.get_input()))
    elif context.operation_name == spending.GET:
        context.set_result(spending.total(context.get_state(dict)))
    else:
        raise ValueError(f"monthly_spend has no operation {context.operation_name!r}")
