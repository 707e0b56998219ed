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
nodes) run three at a time; every response is archived by the
:class:`~tasks.sources.taldau.client.TaldauClient` (the same politeness as a fetch: 3 in flight,
0.2 s apart; retries; same-day cache). :func:`write_findings` writes the rows as CSV;
:func:`proposed_changes` turns them into a diff-like listing of registry edits. Nothing here
edits a registry file.

Modules (this package re-exports their public names):

* ``tree.py``: :class:`TreeNode`, :func:`parse_tree_nodes`, :func:`match_town_node`;
* ``walk.py``: the units of work and :func:`discover`;
* ``findings.py``: :class:`Discovery` (the finding rows), :func:`write_findings`,
  :func:`read_findings`;
* ``proposal.py``: :func:`proposed_changes`, :func:`format_proposal`.
"""

from __future__ import annotations

from tasks.sources.taldau.discover.findings import (
    FINDING_COLUMNS,
    Discovery,
    read_findings,
    write_findings,
)
from tasks.sources.taldau.discover.proposal import format_proposal, proposed_changes
from tasks.sources.taldau.discover.tree import (
    TreeNode,
    match_town_node,
    normalize_name,
    parse_tree_nodes,
)
from tasks.sources.taldau.discover.walk import (
    check_territories,
    discover,
    discover_indicator,
    find_town_nodes,
)

__all__ = [
    "FINDING_COLUMNS",
    "Discovery",
    "TreeNode",
    "check_territories",
    "discover",
    "discover_indicator",
    "find_town_nodes",
    "format_proposal",
    "match_town_node",
    "normalize_name",
    "parse_tree_nodes",
    "proposed_changes",
    "read_findings",
    "write_findings",
]
