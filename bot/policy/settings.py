"""Which policy this deployment runs under: the file named by APPROVAL_POLICY_FILE, read once.

Unset means no policy: one approval stage, the configured approvers, the sample's outcomes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from bot.policy.loading import load_policy
from bot.policy.model import Policy

POLICY_SETTING = "APPROVAL_POLICY_FILE"


def approval_policy(environ: Mapping[str, str] | None = None) -> Policy | None:
    """The policy, or None; PolicyError (naming file, line or key, problem) when it is invalid."""
    env = os.environ if environ is None else environ
    path = (env.get(POLICY_SETTING) or "").strip()
    return _load(path) if path else None


@lru_cache(maxsize=8)
def _load(path: str) -> Policy:
    return load_policy(path)
