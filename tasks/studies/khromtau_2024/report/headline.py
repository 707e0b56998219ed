"""The study's headline figures ("At a glance", the refresh artifact), one function per section."""

from __future__ import annotations

from tasks.report.formats import number
from tasks.report.i18n import t, value_label
from tasks.report.snapshot import Snapshot
from tasks.studies.khromtau_2024.report.support import support_frame


def support(snap: Snapshot) -> list[tuple[str, str]]:
    """The top-scored support measure and its mean score."""
    sup, _ = support_frame(snap)
    if sup.empty:
        return []
    top = sup.sort_values("mean_score", ascending=False).iloc[0]
    measure = top.get("measure_label") or top["measure"]
    return [(t("headline.support", measure=measure), number(top["mean_score"], ".2f"))]


def hypotheses(snap: Snapshot) -> list[tuple[str, str]]:
    """Hypotheses supported, of all, with the other verdicts counted."""
    hyp = snap.get("results.hypothesis")
    if hyp.empty:
        return []
    counts = hyp["verdict"].astype(str).value_counts()
    rest = ", ".join(
        t("headline.hypotheses_count", n=n, verdict=value_label("status", v))
        for v, n in counts.items()
        if v != "supported"
    )
    figure = t("headline.hypotheses", rest=t("headline.hypotheses_rest", rest=rest) if rest else "")
    return [(figure, t("headline.of", k=counts.get("supported", 0), n=len(hyp)))]


def reproduction(snap: Snapshot) -> list[tuple[str, str]]:
    """Published numbers reproduced, of all, with discrepancies and not reproducible ones."""
    audit = snap.get("results.paper_reproduction")
    if audit.empty:
        return []
    st = audit["status"].astype(str).value_counts()
    figure = t(
        "headline.reproduction",
        discrepancies=st.get("discrepancy", 0),
        not_reproducible=st.get("not_reproducible", 0),
    )
    return [(figure, t("headline.of", k=st.get("reproduced", 0), n=len(audit)))]
