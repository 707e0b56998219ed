"""What a study plugs into the report: a :class:`ReportPart`.

The generic report (:mod:`tasks.report.build`) has the towns, the town analyses and the data
checks. A study registers one part (``Study.report``, see :mod:`tasks.studies.base`): its
sections in order (its own, built by ``builders``, and generic ones it takes into its part by
id), the headline figures of its sections, the queries that read its tables into the
:class:`~tasks.report.snapshot.Snapshot`, and which of its frames carry survey labels. Its
text is in the study's ``messages/<lang>.yaml`` (merged by :mod:`tasks.report.i18n`), so the
generic report modules never name a study's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tasks.report.snapshot import Snapshot

#: ``build(snap) -> dict``: a section's context (see :mod:`tasks.report.sections`).
Builder = Callable[[Snapshot], dict]
#: ``f(snap) -> [(figure, value)]``: a section's headline figures ("At a glance").
Headline = Callable[[Snapshot], list[tuple[str, str]]]


@dataclass(frozen=True)
class ReportPart:
    """One part of the report (``report.part.<id>.title`` / ``.intro`` in the catalogue).

    Attributes
    ----------
    id : the part's id (``part-<id>`` in the HTML).
    sections : section ids in report order: the part's own (``builders``) and generic ones,
        which then appear in this part instead of the generic one.
    builders : section id -> builder of the part's own sections.
    headlines : section id -> its headline figures (in report order of the sections).
    queries : table -> SQL (None = ``SELECT *``) the snapshot reads for the part's sections.
    labelled : frame -> (label column, item id column) whose survey labels follow the report's
        language (:func:`tasks.report.labels.localized`).
    summary : the "At a glance" cards open this part.
    """

    id: str
    sections: tuple[str, ...]
    builders: Mapping[str, Builder] = field(default_factory=dict)
    headlines: Mapping[str, Headline] = field(default_factory=dict)
    queries: Mapping[str, str | None] = field(default_factory=dict)
    labelled: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    summary: bool = False
