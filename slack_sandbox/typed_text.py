"""What Slack makes of text a person types, before anyone else sees it.

All Slack text shares one escaping: `&`, `<` and `>` travel as `&amp;`, `&lt;` and `&gt;`, so that
`<...>` only ever means a mention, a channel, a link or a date the server put there. A slash
command's text is escaped the same way. With the command's `should_escape: true` Slack also turns
`@name` into `<@U…|name>`, `#channel` into `<#C…|channel>` and a URL into `<url>`; with
`should_escape: false` (the manifest's default) those arrive as typed.
"""

from __future__ import annotations

import re

from .workspace import Workspace

MENTION = re.compile(r"(?<![\w@#])([@#])([\w.\-]+)")
URL = re.compile(r"(?<![\w<|])(https?://[^\s<>|]+[^\s<>|.,;:!?)\]'\"])")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def command_text(workspace: Workspace, typed: str, *, should_escape: bool) -> str:
    """The `text` field of a slash command as Slack sends it for what was typed."""
    text = escape(typed)
    if not should_escape:
        return text

    def link(match: re.Match[str]) -> str:
        sigil, name = match.groups()
        if sigil == "@":
            user = next((u for u in workspace.users.values() if u.name == name), None)
            return f"<@{user.id}|{user.name}>" if user else match.group(0)
        channel = next((c for c in workspace.channels.values() if not c.is_im and c.name == name), None)
        return f"<#{channel.id}|{channel.name}>" if channel else match.group(0)

    text = URL.sub(lambda m: f"<{m.group(1)}>", text)
    return MENTION.sub(link, text)
