"""A running devhost: the app, its index, the store, the engine and the HTTP server together."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from azure.durable_functions.models.utils import http_utils

from .access import AccessPolicy
from .app_loader import load_function_app
from .background_link import BackgroundWorker
from .clock import Clock, SystemClock
from .dashboard import PAGE_PATH as DASHBOARD_PAGE
from .dashboard import build_dashboard
from .engine import Engine
from .functions import FunctionIndex, build_index
from .keys import key_path, load_or_create_host_key
from .lanes import Lanes
from .management_api import ManagementApi
from .server import Router, build_app, build_routes
from .settings import HostSettings, read_host_settings
from .sqlite_store import SqliteStore
from .store import TaskHubStore
from .urls import DurableUrls

log = logging.getLogger("devhost")


class CannotListen(Exception):
    """The HTTP server could not bind its address (in use, not ours, not allowed)."""


def default_db_path(app_dir: Path, hub: str) -> Path:
    return app_dir / ".devhost" / f"{hub}.sqlite3"


@dataclass
class HostConfig:
    app_dir: Path
    host: str = "127.0.0.1"
    port: int = 7071
    db_path: Path | None = None
    clock: Clock | None = None
    settings: HostSettings | None = None
    lanes: Lanes | None = None  # how requests and background work take turns (lanes.py)
    # Run orchestrations, activities, timers and entities in a worker process beside the HTTP
    # process, as the Functions host does (background_link.py); needs the real clock.
    background_process: bool = False


class DevHost:
    def __init__(self, config: HostConfig) -> None:
        self.config = config
        self.app_dir = config.app_dir.resolve()
        self.settings = config.settings or read_host_settings(self.app_dir)
        self.clock = config.clock or SystemClock()
        self.db_path = config.db_path or default_db_path(self.app_dir, self.settings.hub_name)
        self.host_key_path = key_path(self.db_path)
        self.index: FunctionIndex | None = None
        self.engine: Engine | None = None
        self.store: TaskHubStore | None = None
        self._runner: web.AppRunner | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.background: BackgroundWorker | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        host = self.config.host
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}"

    @property
    def urls(self) -> DurableUrls:
        return DurableUrls(self.base_url, self.settings.hub_name)

    async def start(self) -> None:
        self.index = build_index(load_function_app(self.app_dir))
        self.store = SqliteStore(self.db_path)
        try:
            policy = AccessPolicy(self.config.host, load_or_create_host_key(self.host_key_path))
            self._executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="devhost-fn")
            split = self.config.background_process
            # With the background elsewhere, requests have this loop to themselves: no lanes.
            lanes = None if split else self.config.lanes or Lanes()
            self.engine = Engine(self.store, self.clock, self.index, self._executor,
                                 versioning=self.settings.versioning, lanes=lanes)
            if split:
                self.background = await BackgroundWorker.open(self.engine)
            router = Router(build_routes(self.index.http), self.settings.route_prefix,
                            ManagementApi(self.engine, DurableUrls("", self.settings.hub_name)),
                            DurableUrls("", self.settings.hub_name), self._executor)
            dashboard = build_dashboard(self.store.open_reader(), hub=self.settings.hub_name,
                                        handles=self._orchestrator_handle, now=self.clock.now)
            self._runner = web.AppRunner(build_app(router, policy, dashboard, lanes), access_log=None,
                                         handle_signals=False)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.config.host, self.config.port)
            try:
                await site.start()
            except OSError as exc:
                raise CannotListen(f"cannot listen on {self.config.host}:{self.config.port}: "
                                   f"{exc.strerror or exc}") from None
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            router.urls = router.management.urls = self.urls
            if self.background is not None:
                await self.background.spawn(self.app_dir, self.db_path, self.base_url)
            else:
                self.engine.client_binding = self.urls.client_binding_json
                self.engine.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self.background is not None:
            await self.background.stop()
        if self.engine is not None:
            await self.engine.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            self.store.close()
        # The SDK keeps one aiohttp session per process; it belongs to this event loop.
        await http_utils._close_session()
        self.engine = self.store = self._runner = self._executor = self.background = None

    @property
    def dashboard_url(self) -> str:
        return self.base_url + DASHBOARD_PAGE

    def _orchestrator_handle(self, name: str):  # noqa: ANN202 - the SDK handle
        found = self.index.orchestrator(name) if self.index is not None else None
        return found.handle if found is not None else None

    def function_urls(self) -> list[tuple[str, str]]:
        """(function name, description) lines for the start-up banner, like `func start`."""
        assert self.index is not None
        prefix = f"/{self.settings.route_prefix}" if self.settings.route_prefix else ""
        lines = []
        for fn in self.index.http:
            methods = ",".join(sorted(fn.methods)) if fn.methods else "*"
            lines.append((fn.name, f"[{methods}] {self.base_url}{prefix}/{fn.route}"))
        for o in self.index.orchestrators.values():
            lines.append((o.name, "orchestrationTrigger"))
        for a in self.index.activities.values():
            lines.append((a.name, "activityTrigger"))
        for e in self.index.entities.values():
            lines.append((e.function_name or e.name, "entityTrigger"))
        for name, kind in self.index.unsupported:
            lines.append((name, f"{kind} (not supported by devhost, skipped)"))
        return lines
