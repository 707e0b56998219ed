"""``GetIndexTreeData`` nodes, and matching a town's node by name or KATO code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tasks.sources.base import Payload
from tasks.sources.taldau.parse import TaldauParseError, payload_json
from tasks.sources.taldau.registry.towns import Town


@dataclass(frozen=True)
class TreeNode:
    """One ``GetIndexTreeData`` node."""

    id: int
    text: str
    leaf: bool
    hidden: bool
    kato: str = ""
    years: tuple[int, ...] = ()  # years with a value (keys y12YYYY that are not empty)


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true" if not isinstance(value, bool) else value


def parse_tree_nodes(payload: Payload) -> list[TreeNode]:
    """GetIndexTreeData -> nodes. An empty list is a valid answer (no children)."""
    data = payload_json(payload)
    endpoint = str(payload.meta.get("endpoint") or payload.kind)
    params = dict(payload.meta.get("params") or {})
    if isinstance(data, dict) and isinstance(data.get("children"), list):
        data = data["children"]
    if not isinstance(data, list):
        raise TaldauParseError(
            f"expected a JSON list of tree nodes, got {type(data).__name__}",
            endpoint=endpoint,
            params=params,
        )
    nodes = []
    for i, item in enumerate(data):
        text_id = str(item.get("id", "")).strip() if isinstance(item, dict) else ""
        if not text_id.isdigit():
            raise TaldauParseError(
                f"node {i} has no numeric 'id': {item!r}"[:200], endpoint=endpoint, params=params
            )
        years = sorted(
            int(k[3:])
            for k, v in item.items()
            if re.fullmatch(r"y12\d{4}", k) and str(v if v is not None else "").strip()
        )
        kato = next(
            (
                str(item[k]).strip()
                for k in ("kato", "katoCode", "kato_code", "code")
                if re.fullmatch(r"\d{9}", str(item.get(k, "")).strip())
            ),
            "",
        )
        nodes.append(
            TreeNode(
                id=int(text_id),
                text=str(item.get("text", "")),
                leaf=_flag(item.get("leaf", False)),
                hidden=_flag(item.get("hidden", False)),
                kato=kato,
                years=tuple(years),
            )
        )
    return nodes


def normalize_name(text: str) -> str:
    """Name for comparison: case-folded, ё -> е, no whitespace, ``город`` -> ``г.``."""
    out = re.sub(r"\s+", "", str(text).casefold().replace("ё", "е"))
    return re.sub(r"^город\.?", "г.", out)


def _stem(name: str) -> str:
    """``Г.ХРОМТАУ`` -> ``хромтау`` (for listing near-miss candidates)."""
    return re.sub(r"^г\.", "", normalize_name(name))


def match_town_node(town: Town, nodes: Sequence[TreeNode]) -> tuple[list[TreeNode], list[TreeNode]]:
    """``(matches, near misses)`` among ``nodes`` for ``town``: a match has the town's node name
    (or an alias) or its KATO code; a near miss merely contains the town's name."""
    names = {normalize_name(n) for n in town.node_names}
    matches = [
        n
        for n in nodes
        if normalize_name(n.text) in names or (town.kato_code and n.kato == town.kato_code)
    ]
    stems = {_stem(n) for n in town.node_names if _stem(n)}
    near = [
        n
        for n in nodes
        if n not in matches and any(s and s in normalize_name(n.text) for s in stems)
    ]
    return matches, near
