"""The durable extension's URLs: the management payload and the durable client binding JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

WEBHOOK_PATH = "/runtime/webhooks/durabletask"
RPC_PATH = "/durabletask"
CONNECTION = "Storage"


@dataclass(frozen=True)
class DurableUrls:
    origin: str  # "http://127.0.0.1:7071", no trailing slash
    hub: str

    @property
    def webhook_base(self) -> str:
        return self.origin + WEBHOOK_PATH

    @property
    def rpc_base(self) -> str:
        return self.origin + RPC_PATH + "/"

    def _query(self) -> str:
        return f"taskHub={quote(self.hub)}&connection={CONNECTION}"

    def management_payload(self, instance_id: str, origin: str | None = None) -> dict[str, str]:
        """The check-status payload (HttpManagementPayload), as §2.4 of the protocol doc."""
        base = (origin or self.origin) + WEBHOOK_PATH
        path = f"{base}/instances/{quote(instance_id, safe='')}" if instance_id != "INSTANCEID" \
            else f"{base}/instances/INSTANCEID"
        qs = self._query()
        return {
            "id": instance_id,
            "statusQueryGetUri": f"{path}?{qs}",
            "sendEventPostUri": f"{path}/raiseEvent/{{eventName}}?{qs}",
            "terminatePostUri": f"{path}/terminate?reason={{text}}&{qs}",
            "rewindPostUri": f"{path}/rewind?reason={{text}}&{qs}",
            "purgeHistoryDeleteUri": f"{path}?{qs}",
            "restartPostUri": f"{path}/restart?{qs}",
            "suspendPostUri": f"{path}/suspend?reason={{text}}&{qs}",
            "resumePostUri": f"{path}/resume?reason={{text}}&{qs}",
        }

    def client_binding_json(self) -> str:
        """What the extension hands a `durable_client_input` parameter (protocol doc §1)."""
        qs = self._query()
        create = f"{self.webhook_base}/orchestrators/{{functionName}}[/{{instanceId}}]"
        return json.dumps({
            "taskHubName": self.hub,
            "creationUrls": {
                "createNewInstancePostUri": f"{create}?{qs}",
                "createAndWaitOnNewInstancePostUri": f"{create}?timeout={{timeoutInSeconds}}"
                                                     f"&pollingInterval={{intervalInSeconds}}&{qs}",
            },
            "managementUrls": self.management_payload("INSTANCEID"),
            "baseUrl": self.webhook_base,
            "requiredQueryStringParameters": "",
            "rpcBaseUrl": self.rpc_base,
            "httpBaseUrl": None,
            "connectionName": None,
        })
