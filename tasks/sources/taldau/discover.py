"""``taldau discover``: check the registry against a Taldau server and find the town nodes.

Plain functions, no Prefect. For a networked machine (or a local test server):

1. For every registry indicator: ``GetPeriodList``, then ``GetSegmentList`` for every period type
   listed, recording which territory dictionaries (67 oblasts, 68 KATO tree), periods and root
   terms exist (findings ``period`` and ``segment``).
2. For the first indicator with a dic-68 segment: ``GetIndexTreeData`` below the republic and
   below every oblast the registry uses, recording whether each registry territory id is where
   the registry says, under the name it gives (finding ``territory``).
3. For every dic-68 indicator and every town, ``GetIndexTreeData`` below the town's district or
   city administration (``p_parent_id``), walking through hidden wrapper nodes, to find the town
   node: matched on its name (``Г.ХРОМТАУ``; case, spaces and ё/е ignored; aliases such as
   ``Г.ЗЫРЯНОВСК``) or its KATO code. Nodes under other parents are never looked at, so a decoy
   named like a monotown elsewhere cannot match; when two nodes match, both are listed as
   ``ambiguous`` and none is proposed (finding ``town_node``). A shared territory (РАЙОН АЛТАЙ)
   is walked once per indicator.

The units of work (one indicator's metadata, one parent's children, one territory's town
nodes) run three at a time; every response is archived by the :class:`~.client.TaldauClient`
(the same politeness as a fetch: 3 in flight, 0.2 s apart; retries; same-day cache).
:func:`write_findings` writes the rows as CSV; :func:`proposed_changes` turns them into a
diff-like listing of registry edits. Nothing here
edits a registry file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tasks.sources.base import Payload
from tasks.sources.taldau.archive import TaldauError
from tasks.sources.taldau.client import TaldauClient
from tasks.sources.taldau.parse import (
    Segment,
    TaldauParseError,
    choose_segment,
    parse_period_list,
    parse_segment_list,
    payload_json,
)
from tasks.sources.taldau.registry import (
    Indicator,
    Registry,
    Territory,
    Town,
    load_registry,
)

FINDING_COLUMNS = (
    "town_id",
    "indicator_id",
    "term_id",
    "term_name",
    "dic",
    "period_id",
    "available",
    "checked_at",
    "finding",
    "territory_id",
    "parent_term_id",
    "note",
)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# tree nodes and name matching


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


# ---------------------------------------------------------------------------------------------
# discovery


@dataclass
class Discovery:
    """What a discovery run found: rows (one per finding), errors, and the payloads received."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    payloads: list[Payload] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, **values: Any) -> None:
        row = {c: "" for c in FINDING_COLUMNS}
        row.update({k: "" if v is None else v for k, v in values.items()})
        self.rows.append(row)

    def extend(self, other: Discovery) -> None:
        self.rows += other.rows
        self.errors += other.errors
        self.payloads += other.payloads

    def town_nodes(self) -> dict[str, list[dict]]:
        """``{town_id: [town_node rows with available == 'yes']}``."""
        out: dict[str, list[dict]] = {}
        for r in self.rows:
            if r["finding"] == "town_node" and r["available"] == "yes":
                out.setdefault(r["town_id"], []).append(r)
        return out


class _Walk:
    """One unit of discovery work: calls the client, records failures as findings."""

    def __init__(self, client: TaldauClient, clock: Callable[[], str]) -> None:
        self.client = client
        self.clock = clock
        self.out = Discovery()

    def fail(self, what: str, exc: Exception, **row: Any) -> None:
        self.out.errors.append(f"{what}: {exc}")
        self.out.add(
            finding="error", available="error", checked_at=self.clock(), note=str(exc), **row
        )

    def call(self, what: str, fn: Callable[[], Payload], **row: Any) -> Payload | None:
        try:
            payload = fn()
        except TaldauError as exc:
            self.fail(what, exc, **row)
            return None
        self.out.payloads.append(payload)
        return payload

    def children(
        self, ind: Indicator, seg: Segment, parent: int, **row: Any
    ) -> list[TreeNode] | None:
        """Children of ``parent`` in the indicator's dic-68 segment, hidden wrappers walked
        through; ``None`` if a request failed."""
        found: list[TreeNode] = []
        queue, seen = [parent], set()
        while queue:
            pid = queue.pop(0)
            if pid in seen:
                continue
            seen.add(pid)
            what = f"GetIndexTreeData {ind.indicator_id} below {pid}"
            got = self.call(
                what,
                lambda pid=pid: self.client.get_index_tree_data(
                    ind.taldau_index_id,
                    ind.period_id,
                    _tree_terms(seg, pid),
                    seg.dic_ids,
                    seg.idx or 0,
                    parent_id=pid,
                    measure_id=ind.measure_id,
                ),
                indicator_id=ind.indicator_id,
                parent_term_id=pid,
                **row,
            )
            if got is None:
                return None
            try:
                nodes = parse_tree_nodes(got)
            except TaldauParseError as exc:
                self.fail(what, exc, indicator_id=ind.indicator_id, parent_term_id=pid, **row)
                return None
            queue += [n.id for n in nodes if n.hidden]
            found += [n for n in nodes if not n.hidden]
        return found


def _segment_row(seg: Segment) -> tuple[int | str, int | str]:
    for dic in (68, 67):
        if dic in seg.dic_ids:
            return dic, seg.term_ids[seg.dic_ids.index(dic)]
    return "", ""


def _tree_terms(seg: Segment, territory_term: int) -> list[int]:
    terms = list(seg.term_ids)
    terms[seg.dic_ids.index(68)] = territory_term
    return terms


def discover_indicator(
    client: TaldauClient, ind: Indicator, clock: Callable[[], str] = _now
) -> tuple[Discovery, Segment | None]:
    """Periods and segments of one indicator; also its dic-68 segment for the registry's period
    (``None`` if it has none), used to walk the tree."""
    walk = _Walk(client, clock)
    out, iid, index = walk.out, ind.indicator_id, ind.taldau_index_id
    got = walk.call(f"GetPeriodList {iid}", lambda: client.get_period_list(index), indicator_id=iid)
    if got is None:
        return out, None
    try:
        periods = parse_period_list(got)
    except TaldauParseError as exc:
        walk.fail(f"GetPeriodList {iid}", exc, indicator_id=iid)
        return out, None
    listed = sorted({p["id"] for p in periods})
    for p in periods:
        out.add(
            finding="period",
            indicator_id=iid,
            period_id=p["id"],
            available="yes",
            checked_at=clock(),
            note=p["name"],
        )
    if ind.period_id not in listed:
        out.add(
            finding="period",
            indicator_id=iid,
            period_id=ind.period_id,
            available="no",
            checked_at=clock(),
            note="the registry's period_id is not listed",
        )
    tree_segment = None
    for pid in listed:
        got = walk.call(
            f"GetSegmentList {iid} period {pid}",
            lambda pid=pid: client.get_segment_list(index, pid),
            indicator_id=iid,
            period_id=pid,
        )
        if got is None:
            continue
        try:
            segments = parse_segment_list(got)
        except TaldauParseError as exc:
            out.add(
                finding="segment",
                indicator_id=iid,
                period_id=pid,
                available="no",
                checked_at=clock(),
                note=str(exc),
            )
            continue
        for seg in segments:
            dic, root = _segment_row(seg)
            out.add(
                finding="segment",
                indicator_id=iid,
                period_id=pid,
                dic=dic,
                term_id=root,
                term_name=seg.names,
                available="yes" if dic else "no",
                checked_at=clock(),
                note=f"dics {'+'.join(map(str, seg.dic_ids))}; roots "
                f"{','.join(map(str, seg.term_ids))}; idx {seg.idx}",
            )
        if pid == ind.period_id:
            tree_segment = choose_segment(segments, 68, ind.dics if ind.territory_dic == 68 else ())
    return out, tree_segment


def check_territories(
    client: TaldauClient,
    ind: Indicator,
    seg: Segment,
    parent: Territory,
    expected: Sequence[Territory],
    clock: Callable[[], str] = _now,
) -> Discovery:
    """Are the ``expected`` registry territories children of ``parent``, under their names?"""
    walk = _Walk(client, clock)
    assert parent.taldau_term_id is not None
    nodes = walk.children(ind, seg, parent.taldau_term_id, territory_id=parent.territory_id)
    if nodes is None:
        return walk.out
    ids = {n.id: n for n in nodes}
    for terr in expected:
        node = ids.get(terr.taldau_term_id) if terr.taldau_term_id else None
        named = [
            n for n in nodes if normalize_name(n.text) == normalize_name(terr.taldau_term_name)
        ]
        if node is not None:
            same = normalize_name(node.text) == normalize_name(terr.taldau_term_name)
            note = (
                "id and name as in the registry"
                if same
                else f"id found, name differs: registry {terr.taldau_term_name!r}"
            )
        elif terr.taldau_term_id is None:
            note = "no Taldau term id in the registry"
        else:
            note = f"id not found below {parent.taldau_term_id}"
        if node is None and named:
            note += "; same name: " + ", ".join(f"{n.id} {n.text}" for n in named)
        shown = node or (named[0] if len(named) == 1 else None)
        walk.out.add(
            finding="territory",
            territory_id=terr.territory_id,
            indicator_id=ind.indicator_id,
            term_id=shown.id if shown else "",
            term_name=shown.text if shown else "",
            dic=68,
            period_id=ind.period_id,
            parent_term_id=parent.taldau_term_id,
            available="yes" if node else "no",
            checked_at=clock(),
            note=note,
        )
    return walk.out


def find_town_nodes(
    client: TaldauClient,
    ind: Indicator,
    seg: Segment,
    territory: Territory,
    towns: Sequence[Town],
    clock: Callable[[], str] = _now,
) -> Discovery:
    """Walk below ``territory`` once and look for each of its ``towns``' nodes."""
    walk = _Walk(client, clock)
    out = walk.out
    base = dict(
        finding="town_node",
        indicator_id=ind.indicator_id,
        dic=68,
        period_id=ind.period_id,
        territory_id=territory.territory_id,
        parent_term_id=territory.taldau_term_id,
    )
    if territory.taldau_term_id is None:
        for town in towns:
            out.add(
                **base,
                town_id=town.town_id,
                available="no",
                checked_at=clock(),
                note="the town's territory has no Taldau term id",
            )
        return out
    nodes = walk.children(ind, seg, territory.taldau_term_id, territory_id=territory.territory_id)
    if nodes is None:
        return out
    where = f"below {territory.taldau_term_id} ({territory.taldau_term_name})"
    for town in towns:
        matches, near = match_town_node(town, nodes)
        row = dict(base, town_id=town.town_id, checked_at=clock())
        if len(matches) == 1:
            n = matches[0]
            how = "KATO" if town.kato_code and n.kato == town.kato_code else "name"
            years = f"; values for {n.years[0]}-{n.years[-1]}" if n.years else "; no values"
            out.add(
                **row,
                term_id=n.id,
                term_name=n.text,
                available="yes",
                note=f"{where}; matched on {how}{years}",
            )
        elif matches:
            for n in matches:
                out.add(
                    **row,
                    term_id=n.id,
                    term_name=n.text,
                    available="ambiguous",
                    note=f"{where}; {len(matches)} nodes match {town.town_node_name!r}",
                )
        else:
            listed = ", ".join(f"{n.id} {n.text}" for n in near) or "none"
            out.add(
                **row,
                available="no",
                note=f"{where}: no node named {' / '.join(town.node_names)!r} among "
                f"{len(nodes)} children; candidates: {listed}",
            )
    return out


def discover(
    client: TaldauClient,
    registry: Registry | None = None,
    *,
    indicators: Sequence[Indicator] | None = None,
    towns: Sequence[Town] | None = None,
    clock: Callable[[], str] = _now,
    walk_territories: bool = True,
    max_workers: int = 3,
) -> Discovery:
    """Run the discovery (see the module docstring) and return its findings.

    The units of work (one indicator's metadata; one parent's children; one territory's town
    nodes) run ``max_workers`` at a time; the client keeps its own politeness limits. Rows come
    back in a fixed order (indicators, territories, town nodes, each in registry order). A
    request that fails after the client's retries is recorded in ``errors`` (and as a finding
    ``error``); the walk goes on with what it can still reach.
    """
    reg = registry or load_registry()
    inds = list(indicators) if indicators is not None else reg.indicators
    tws = list(towns) if towns is not None else reg.towns
    out = Discovery()
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        first = list(pool.map(lambda ind: discover_indicator(client, ind, clock), inds))
        for part, _ in first:
            out.extend(part)
        tree = [(ind, seg) for ind, (_, seg) in zip(inds, first, strict=True) if seg is not None]

        jobs: list[Callable[[], Discovery]] = []
        if walk_territories and tree:
            ind, seg = tree[0]
            used = {
                tid for t in tws for tid in (t.territory_id, *(p for p, _, _ in t.oblast_periods()))
            }
            by_parent: dict[str, list[Territory]] = {}
            for tid in sorted(used):
                terr = reg.territories[tid]
                by_parent.setdefault(terr.parent_territory_id, []).append(terr)
            for parent_id in sorted(by_parent, key=lambda p: (p != "kazakhstan", p)):
                parent = reg.territories.get(parent_id)
                if parent is not None and parent.taldau_term_id is not None:
                    jobs.append(
                        lambda ind=ind, seg=seg, parent=parent, exp=by_parent[parent_id]: (
                            check_territories(client, ind, seg, parent, exp, clock)
                        )
                    )
        by_territory: dict[str, list[Town]] = {}
        for town in tws:
            by_territory.setdefault(town.territory_id, []).append(town)
        for ind, seg in tree:
            for tid, group in by_territory.items():
                jobs.append(
                    lambda ind=ind, seg=seg, terr=reg.territories[tid], group=group: (
                        find_town_nodes(client, ind, seg, terr, group, clock)
                    )
                )
        for part in pool.map(lambda job: job(), jobs):
            out.extend(part)
    return out


# ---------------------------------------------------------------------------------------------
# output


def write_findings(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write the finding rows as CSV (columns :data:`FINDING_COLUMNS`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FINDING_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in FINDING_COLUMNS})
    return path


def read_findings(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def proposed_changes(
    rows: Iterable[Mapping[str, Any]], registry: Registry | None = None
) -> list[str]:
    """The registry edits the findings support, one line each (the files are never edited).

    * ``towns.csv row <town>: town_term_id '' -> <id> (<name> below <term>)`` for a town node
      found (the same id for every indicator walked); a conflict or an ambiguity is listed as a
      ``check`` line instead.
    * ``territories.csv row <territory>: confidence/confirmed`` when an id was seen live where the
      registry puts it; a ``check`` line when it was not, or its name differs.
    * ``indicators.csv row <indicator>: levels`` when a dic-68 segment exists for an indicator the
      registry keeps at oblast level, or when town nodes carry values.
    """
    reg = registry or load_registry()
    rows = [dict(r) for r in rows]
    lines: list[str] = []
    towns = {t.town_id: t for t in reg.towns}

    nodes: dict[str, dict[str, dict]] = {}
    ambiguous: dict[str, list[dict]] = {}
    for r in rows:
        if r.get("finding") != "town_node":
            continue
        if r.get("available") == "yes":
            nodes.setdefault(r["town_id"], {})[str(r["term_id"])] = r
        elif r.get("available") == "ambiguous":
            ambiguous.setdefault(r["town_id"], []).append(r)
    for town_id, town in towns.items():
        found = nodes.get(town_id, {})
        current = "" if town.town_term_id is None else str(town.town_term_id)
        if len(found) == 1:
            term, r = next(iter(found.items()))
            if term != current:
                lines.append(
                    f"towns.csv row {town_id}: town_term_id {current!r} -> {term} "
                    f"({r['term_name']} below {r['parent_term_id']})"
                )
        elif len(found) > 1:
            listed = ", ".join(f"{t} {r['term_name']}" for t, r in found.items())
            lines.append(
                f"check towns.csv row {town_id}: indicators disagree on the node: {listed}"
            )
        elif town_id in ambiguous:
            listed = ", ".join(
                dict.fromkeys(f"{r['term_id']} {r['term_name']}" for r in ambiguous[town_id])
            )
            lines.append(f"check towns.csv row {town_id}: ambiguous town node: {listed}")

    seen_territory: dict[str, dict] = {}
    for r in rows:
        if r.get("finding") == "territory":
            seen_territory.setdefault(r["territory_id"], r)
    for tid, r in seen_territory.items():
        terr = reg.territories.get(tid)
        if terr is None:
            continue
        if r["available"] == "yes" and "as in the registry" in r["note"]:
            if not terr.confirmed:
                lines.append(
                    f"territories.csv row {tid}: confidence {terr.confidence!r} -> 'high', "
                    f"confirmed 'no' -> 'yes' ({terr.taldau_term_id} {r['term_name']} seen below "
                    f"{r['parent_term_id']} on {str(r['checked_at'])[:10]})"
                )
        elif r["available"] == "yes":
            lines.append(
                f"check territories.csv row {tid}: taldau_term_name {terr.taldau_term_name!r} "
                f"-> {r['term_name']!r}? ({r['note']})"
            )
        elif r.get("term_id"):
            lines.append(
                f"territories.csv row {tid}: taldau_term_id {terr.taldau_term_id or ''!r} -> "
                f"{r['term_id']} ({r['term_name']} below {r['parent_term_id']}; {r['note']})"
            )
        else:
            lines.append(f"check territories.csv row {tid}: {r['note']}")

    for ind in reg.indicators:
        segs = [
            r
            for r in rows
            if r.get("finding") == "segment"
            and r.get("indicator_id") == ind.indicator_id
            and str(r.get("period_id")) == str(ind.period_id)
            and r.get("available") == "yes"
        ]
        levels = list(ind.fetch_levels)
        new = list(levels)
        if any(str(r.get("dic")) == "68" for r in segs) and "district" not in levels:
            new.append("district")
        with_values = [
            r
            for r in rows
            if r.get("finding") == "town_node"
            and r.get("indicator_id") == ind.indicator_id
            and r.get("available") == "yes"
            and "values for" in str(r.get("note"))
        ]
        if with_values and "town" not in new:
            new.append("town")
        if new != levels:
            why = []
            if "district" in new and "district" not in levels:
                why.append(f"a dic-68 segment exists for period {ind.period_id}")
            if "town" in new and "town" not in levels:
                why.append(f"{len(with_values)} town node(s) carry values")
            extra = (
                "; territory_dic 67 -> 68 and dics to a dic-68 segment"
                if ind.territory_dic == 67
                else ""
            )
            lines.append(
                f"indicators.csv row {ind.indicator_id}: levels {';'.join(levels)!r} -> "
                f"{';'.join(new)!r} ({'; '.join(why)}{extra})"
            )
    return lines


def format_proposal(lines: Sequence[str]) -> str:
    """The proposal as printed by ``monotowns taldau discover``."""
    if not lines:
        return "No registry changes proposed.\n"
    head = f"Proposed registry changes ({len(lines)}; edit the files yourself, then re-run):\n"
    return head + "".join(f"  {line}\n" for line in lines)
