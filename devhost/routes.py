"""HTTP route templates as the Functions host understands them (ASP.NET style).

`{name}` one segment, `{name?}` optional segment, `{name:int}` typed segment, `{*rest}` the rest
of the path. Matching is case-insensitive; values come back as strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CONSTRAINTS = {
    "int": r"-?\d+", "long": r"-?\d+", "bool": r"(?i:true|false)", "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}",
    "float": r"-?\d+(?:\.\d+)?", "double": r"-?\d+(?:\.\d+)?", "decimal": r"-?\d+(?:\.\d+)?",
    "datetime": r"[0-9T:\-\.Z+ ]+",
}
_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(\?)?(?::([^}]*))?\}")


class RouteError(ValueError):
    """A route template devhost cannot parse."""


@dataclass(frozen=True)
class RouteTemplate:
    template: str
    pattern: re.Pattern[str]
    literal_chars: int  # more literal text = more specific route

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path.strip("/"))
        if m is None:
            return None
        return {k: v for k, v in m.groupdict().items() if v is not None}


def _segment_regex(segment: str) -> tuple[str, bool]:
    """Regex for one path segment, and whether the whole segment is optional."""
    out, pos, optional = [], 0, False
    for m in _PARAM.finditer(segment):
        out.append(re.escape(segment[pos:m.start()]))
        catch_all, name, opt, constraint = m.groups()
        if catch_all:
            body = ".*"
            optional = True
        else:
            kind = (constraint or "").split("(")[0].lower()
            body = _CONSTRAINTS.get(kind, r"[^/]+")
            optional = optional or bool(opt)
        out.append(f"(?P<{name}>{body})")
        pos = m.end()
    out.append(re.escape(segment[pos:]))
    return "".join(out), optional and segment.startswith("{") and segment.endswith("}")


def compile_route(template: str) -> RouteTemplate:
    segments = [s for s in template.strip("/").split("/") if s]
    regex = ""
    for i, segment in enumerate(segments):
        body, optional = _segment_regex(segment)
        sep = "/" if i else ""
        regex += f"(?:{sep}{body})?" if optional else f"{sep}{body}"
    try:
        pattern = re.compile(regex, re.IGNORECASE)
    except re.error as exc:
        raise RouteError(f"bad route template {template!r}: {exc}") from exc
    literal = len(_PARAM.sub("", template))
    return RouteTemplate(template, pattern, literal)
