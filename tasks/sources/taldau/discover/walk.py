"""Walking Taldau: one indicator's periods and segments, one parent's children (hidden wrapper
nodes walked through), one territory's town nodes, and :func:`discover` running them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from tasks.sources.base import Payload
from tasks.sources.taldau.archive import TaldauError
from tasks.sources.taldau.client import TaldauClient
from tasks.sources.taldau.discover.findings import Discovery
from tasks.sources.taldau.discover.tree import (
    TreeNode,
    match_town_node,
    normalize_name,
    parse_tree_nodes,
)
from tasks.sources.taldau.parse import (
    Segment,
    TaldauParseError,
    choose_segment,
    parse_period_list,
    parse_segment_list,
)
from tasks.sources.taldau.registry.indicators import Indicator
from tasks.sources.taldau.registry.model import Registry, load_registry
from tasks.sources.taldau.registry.territories import Territory
from tasks.sources.taldau.registry.towns import Town


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


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
