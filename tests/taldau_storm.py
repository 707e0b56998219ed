"""A storm Taldau on a real local HTTP server (pytest-httpserver on 127.0.0.1), for the whole
registry.

It serves every territory of ``territories.csv`` and a town node below every district or city
administration, in the six endpoints the client and ``taldau discover`` use (GetIndexAttributes,
GetPeriodList, GetSegmentList, GetIndexPeriods, GetIndexData/{id}, GetIndexTreeData):

* the tree (``GetIndexTreeData`` by ``p_parent_id``): the republic's oblasts; each oblast's
  registry districts plus a decoy district (made-up id) holding decoy nodes named like the
  monotowns of *other* territories (``Г.САТПАЕВ`` under an Aktobe decoy, ...) and, under one
  oblast, a decoy ``ХРОМТАУСКИЙ РАЙОН``; below each registry territory: the town node (made-up id
  ``TOWN_NODE_BASE + i``, named with varying case and spacing: ``г. Хромтау``), villages and a
  near miss (``С.ХРОМТАУ``); one territory's children sit behind a hidden wrapper node;
* town nodes carry values for ``wage_avg_monthly`` and none for the other indicators;
* GetIndexAttributes units spelled with varying case and spacing (``ТЫС.  ЧЕЛОВЕК``);
* GetIndexData rows for every territory of the indicator's dictionary (dic 67: the republic and
  oblasts; dic 68: also every district, administration and town node), values deterministic;
* ``failure_rate`` (default 0.7) of distinct requests fail their first ``fail_attempts`` attempts
  with HTTP 500, deterministically by request counter.

``expected_town_nodes()`` gives ``{town_id: node id}``; ``decoy_ids`` the ids that must never be
matched.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tasks.sources.taldau.registry import Indicator, Registry, load_registry
from tests.taldau_fake import PREFIX, api_order, date_id, root_for, start_server

ROOT = 741880
TOWN_NODE_BASE = 91000000
DECOY_BASE = 92000000
YEARS = tuple(range(2015, 2025))
HIDDEN_TERRITORY = "district_altai"  # its children sit behind a hidden wrapper node


def _spell(text: str, k: int) -> str:
    """A unit or name with case and spacing varied by ``k``."""
    variants = [
        text,
        text.upper(),
        text.lower().capitalize(),
        text.replace(" ", "  "),
        " " + text + " ",
    ]
    return variants[k % len(variants)]


def _node_name(name_ru: str, k: int) -> str:
    variants = [f"Г.{name_ru.upper()}", f"г. {name_ru}", f"Г. {name_ru.upper()} ", f"г.{name_ru}"]
    return variants[k % len(variants)]


class StormTaldau:
    """Request handler serving the whole registry; see the module docstring."""

    def __init__(
        self,
        server: HTTPServer,
        registry: Registry | None = None,
        *,
        failure_rate: float = 0.7,
        fail_attempts: int = 1,
        years: Iterable[int] = YEARS,
    ) -> None:
        self.server = server
        self.registry = registry or load_registry()
        self.indicators = {i.taldau_index_id: i for i in self.registry.indicators}
        self.failure_rate = failure_rate
        self.fail_attempts = fail_attempts
        self.years = tuple(years)
        self._lock = threading.Lock()
        self._key_index: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self.log: list[dict] = []
        self._build_tree()

    # -- the tree ----------------------------------------------------------------------------

    def _build_tree(self) -> None:
        reg = self.registry
        terr = reg.territories
        self.children: dict[int, list[dict]] = {}
        self.names: dict[int, str] = {ROOT: "РЕСПУБЛИКА КАЗАХСТАН"}
        self.town_nodes: dict[str, int] = {}
        self.decoy_ids: set[int] = set()
        self.dic67_terms = [ROOT]
        for t in terr.values():
            if t.taldau_term_id is None:
                continue
            self.names[t.taldau_term_id] = t.taldau_term_name
            if t.kind == "oblast":
                self.dic67_terms.append(t.taldau_term_id)
                self.children.setdefault(ROOT, []).append(self._node(t.taldau_term_id, False))
        oblasts = [t for t in terr.values() if t.kind == "oblast" and t.taldau_term_id]
        towns_by_territory: dict[str, list] = {}
        for town in reg.towns:
            towns_by_territory.setdefault(town.territory_id, []).append(town)
        decoy = DECOY_BASE
        for k, ob in enumerate(oblasts):
            kids = self.children.setdefault(ob.taldau_term_id, [])
            local = [t for t in terr.values() if t.parent_territory_id == ob.territory_id]
            for t in local:
                if t.taldau_term_id is not None:
                    kids.append(self._node(t.taldau_term_id, False))
            # a decoy district with nodes named like other territories' monotowns
            decoy += 1
            decoy_district = decoy
            self.names[decoy] = f"ДЕКОЙСКИЙ РАЙОН {k}"
            kids.append(self._node(decoy, False))
            others = [
                tw
                for tw in reg.towns
                if terr[tw.territory_id].parent_territory_id != ob.territory_id
            ][:3]
            for j, tw in enumerate(others):
                decoy += 1
                self.decoy_ids.add(decoy)
                self.names[decoy] = _node_name(tw.name_ru, j)
                self.children.setdefault(decoy_district, []).append(self._node(decoy, True))
            if ob.territory_id == "oblast_kostanay":
                decoy += 1
                self.decoy_ids.add(decoy)
                self.names[decoy] = "ХРОМТАУСКИЙ РАЙОН"
                kids.append(self._node(decoy, False))
                decoy += 1
                self.decoy_ids.add(decoy)
                self.names[decoy] = "Г.ХРОМТАУ"
                self.children[decoy - 1] = [self._node(decoy, True)]
        n = 0
        for tid, towns in towns_by_territory.items():
            t = terr[tid]
            kids: list[dict] = []
            for town in towns:
                n += 1
                node = TOWN_NODE_BASE + n
                self.town_nodes[town.town_id] = node
                self.names[node] = _node_name(town.name_ru, n)
                kids.append(self._node(node, False))
                decoy += 1
                self.decoy_ids.add(decoy)
                self.names[decoy] = f"С.{town.name_ru.upper()}"  # a village, a near miss
                kids.append(self._node(decoy, True))
                decoy += 1
                self.names[decoy] = f"{town.name_ru.upper()}СКИЙ С.О."
                self.decoy_ids.add(decoy)
                kids.append(self._node(decoy, True))
            if tid == HIDDEN_TERRITORY:
                decoy += 1
                self.names[decoy] = "…"
                self.children[decoy] = kids
                kids = [{**self._node(decoy, False), "hidden": "true"}]
            assert t.taldau_term_id is not None
            self.children[t.taldau_term_id] = kids
            for town in towns:  # a town node has villages below it
                self.children[self.town_nodes[town.town_id]] = []

    def _node(self, term: int, leaf: bool) -> dict:
        return {"id": str(term), "leaf": "true" if leaf else "false", "expanded": "false"}

    def expected_town_nodes(self) -> dict[str, int]:
        return dict(self.town_nodes)

    def dic68_terms(self) -> list[int]:
        return [t for t in self.names if t not in self.decoy_ids]

    # -- values ------------------------------------------------------------------------------

    @staticmethod
    def value(ind: Indicator, term: int, year: int) -> float:
        """The value served for (indicator, territory term, year), in Taldau's unit."""
        factor = 1.0 + (term % 97) / 50.0
        if ind.unit == "%":  # plausible rates (a percentage above 100 would block the run)
            return round(3.0 + (term % 13) / 10.0 + 0.1 * (year - 2015), 1)
        index_id = 702835 if ind.indicator_id == "labour_employed" else ind.taldau_index_id
        base = 1000.0 + 37.0 * (index_id % 11) + 25.0 * (year - 2015)
        if ind.indicator_id == "labour_employed":  # employed <= active (labour_active, 702835)
            return round(round(base * factor, 1) * 0.95, 1)
        return round(base * factor, 1)

    def segments(self, ind: Indicator) -> list[tuple[int, ...]]:
        preferred = ind.dics or (ind.territory_dic,)
        decoy = 859 if 915 in preferred else 915
        return [(ind.territory_dic, decoy), tuple(preferred)]

    # -- HTTP --------------------------------------------------------------------------------

    def install(self) -> StormTaldau:
        self.server.expect_request(re.compile("^" + re.escape(PREFIX))).respond_with_handler(
            self.handle
        )
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for(PREFIX)

    def count(self, path_prefix: str = "", status: int | None = None) -> int:
        with self._lock:
            return sum(
                1
                for e in self.log
                if e["path"].startswith(path_prefix) and (status is None or e["status"] == status)
            )

    def _failing(self, key: str) -> bool:
        with self._lock:
            if key not in self._key_index:
                self._key_index[key] = len(self._key_index)
            k = self._key_index[key]
            self._attempts[key] = self._attempts.get(key, 0) + 1
            attempt = self._attempts[key]
        selected = math.floor((k + 1) * self.failure_rate) > math.floor(k * self.failure_rate)
        return selected and attempt <= self.fail_attempts

    def handle(self, request: Request) -> Response:
        path = request.path[len(PREFIX) :]
        args = dict(request.args.items())
        key = path + "?" + json.dumps(args, sort_keys=True)
        if self.failure_rate and self._failing(key):
            response = Response(
                "<html><body>500 Internal Server Error</body></html>",
                status=500,
                content_type="text/html",
            )
        else:
            response = self._route(path, args)
        with self._lock:
            self.log.append({"path": path, "args": args, "status": response.status_code})
        return response

    def _json(self, obj: Any) -> Response:
        body = b"\xef\xbb\xbf" + json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return Response(body, status=200, content_type="application/json; charset=utf-8")

    def _route(self, path: str, args: dict[str, str]) -> Response:
        if path.startswith("GetIndexData/"):
            index = path.split("/", 1)[1]
        else:
            index = args.get("indexId") or args.get("p_index_id") or ""
        ind = self.indicators.get(int(index)) if index.isdigit() else None
        if ind is None:
            return self._json([])
        k = list(self.indicators).index(ind.taldau_index_id)
        if path == "GetIndexAttributes":
            return self._json(
                {
                    "id": ind.taldau_index_id,
                    "name": ind.name_ru,
                    "path": "…/12",
                    "measureName": _spell(ind.taldau_unit, k),
                    "decFormat": 1,
                }
            )
        if path == "GetPeriodList":
            return self._json([{"id": 7, "name": "Год"}, {"id": 5, "name": "Квартал"}])
        if path == "GetSegmentList":
            pid = args.get("periodId")
            segs = self.segments(ind) if pid == "7" else [self.segments(ind)[0]] if pid else []
            return self._json(
                [
                    {
                        "dicId": " + ".join(map(str, d)),
                        "names": " + ".join(f"dic {x}" for x in d),
                        "termIds": ",".join(str(root_for(x)) for x in d),
                        "idx": i,
                        "dicCount": len(d),
                    }
                    for i, d in enumerate(segs)
                ]
            )
        if path == "GetIndexPeriods":
            ys = sorted(self.years)
            return self._json(
                {
                    "dateList": [f"12{y}" for y in ys],
                    "periodNameList": [f"{y} год" for y in ys],
                    "datesToDraw": [f"31.12.{y}" for y in ys],
                    "datesIds": [date_id(y) for y in ys],
                }
            )
        if path == "GetIndexTreeData":
            return self._tree(ind, args)
        if path.startswith("GetIndexData/"):
            return self._index_data(ind, args)
        return Response(f"unknown endpoint {path}", status=404)

    def _tree(self, ind: Indicator, args: dict[str, str]) -> Response:
        if 68 not in [int(d) for d in args.get("p_dicIds", "").split(",") if d.isdigit()]:
            return self._json([])
        parent = args.get("p_parent_id", "")
        pid = int(parent) if parent.isdigit() else None
        if pid is None:
            return self._json([{"id": str(ROOT), "text": self.names[ROOT], "leaf": "false"}])
        nodes = []
        town_values = ind.indicator_id == "wage_avg_monthly"
        town_ids = set(self.town_nodes.values())
        for node in self.children.get(pid, []):
            term = int(node["id"])
            out = {**node, "text": self.names.get(term, "")}
            if term not in town_ids or town_values:
                out.update({f"y12{y}": format(self.value(ind, term, y), ".1f") for y in self.years})
            else:
                out.update({f"y12{y}": "" for y in self.years})
            nodes.append(out)
        return self._json(nodes)

    def _index_data(self, ind: Indicator, args: dict[str, str]) -> Response:
        try:
            dics = tuple(int(d) for d in args.get("dics", "").split(",") if d)
        except ValueError:
            dics = ()
        if dics not in self.segments(ind) or args.get("period") != "7":
            return Response(f"bad period/dics {args}", status=400)
        date_ids = set(args["dateIds"].split(",")) if args.get("dateIds") else None
        years = [y for y in api_order(self.years) if date_ids is None or date_id(y) in date_ids]
        pos = dics.index(ind.territory_dic)
        roots = [root_for(d) for d in dics]
        terms = self.dic67_terms if ind.territory_dic == 67 else self.dic68_terms()
        rows = []
        for term in terms:
            row_terms = list(roots)
            row_terms[pos] = term
            rows.append(
                {
                    "terms": row_terms,
                    "termNames": [self.names.get(term, "")] + ["Всего"] * (len(roots) - 1),
                    "periods": [
                        {
                            "name": f"{y} год",
                            "date": f"31.12.{y}",
                            "value": format(self.value(ind, term, y), ".1f"),
                        }
                        for y in years
                    ],
                }
            )
        return self._json(rows)


def install_storm(server: HTTPServer, **kwargs: Any) -> StormTaldau:
    """Clear ``server``'s handlers and install a :class:`StormTaldau`."""
    server.clear()
    return StormTaldau(server, **kwargs).install()


__all__ = ["DECOY_BASE", "TOWN_NODE_BASE", "StormTaldau", "install_storm", "start_server"]
