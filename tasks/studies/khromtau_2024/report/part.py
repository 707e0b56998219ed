"""The Khromtau study's part of the report, as :class:`~tasks.report.parts.ReportPart`.

The part takes the generic GRP, labour, perception and correlation sections (the study's
Tables 1, 2, 4 and its correlations) and adds its own: Table 7 support measures, the hypotheses
and the reproduction audit. The headline cards open it.
"""

from __future__ import annotations

from tasks.report.parts import ReportPart
from tasks.studies.khromtau_2024.report import headline, hypotheses, reproduction, support

PART = ReportPart(
    id="study",
    sections=(
        "grp",
        "labour",
        "perception",
        "support",
        "correlation",
        "hypotheses",
        "reproduction",
    ),
    builders={
        support.ID: support.build,
        hypotheses.ID: hypotheses.build,
        reproduction.ID: reproduction.build,
    },
    headlines={
        support.ID: headline.support,
        hypotheses.ID: headline.hypotheses,
        reproduction.ID: headline.reproduction,
    },
    queries={
        "results.support_measure": None,
        "results.hypothesis": "SELECT * FROM results.hypothesis ORDER BY hypothesis",
        "results.paper_reproduction": None,
    },
    labelled={"results.support_measure": ("measure_label", "measure")},
    summary=True,
)
