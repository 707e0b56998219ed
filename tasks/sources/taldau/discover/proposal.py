"""The registry edits a discovery run's findings support, as text; no file is ever edited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tasks.sources.taldau.registry.model import Registry, load_registry


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
