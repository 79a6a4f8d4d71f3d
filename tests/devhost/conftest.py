from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"


@pytest.fixture
def basic_app() -> Path:
    return APPS / "basic"


@pytest.fixture
def payloads_app() -> Path:
    return APPS / "payloads"


@pytest.fixture
def bindings_app() -> Path:
    return APPS / "bindings"


@pytest.fixture
def misindexed_app() -> Path:
    return APPS / "misindexed"
