"""JSON Schema export for editors (YAML language server validates draft-07)."""

from __future__ import annotations

import json

from sim.scenario.models import Scenario


def _rewrite_refs(node):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out[k] = v.replace("#/$defs/", "#/definitions/")
            elif k == "prefixItems":
                out["items"] = [_rewrite_refs(x) for x in v]
            elif k == "const":
                out["enum"] = [v]
            else:
                out[k] = _rewrite_refs(v)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(x) for x in node]
    return node


def export_schema() -> str:
    """The scenario schema as draft-07 JSON text (``$defs`` → ``definitions``)."""
    raw = Scenario.model_json_schema()
    defs = raw.pop("$defs", {})
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Siphon scenario",
        **_rewrite_refs(raw),
    }
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Start from another case file (path relative to this one) and override.",
    }
    schema["definitions"] = _rewrite_refs(defs)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
