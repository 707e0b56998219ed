"""The cross-input rules, each a small function ``rule(batch) -> list[Issue]``, listed once,
in the order they run, in :data:`RULES`.

* :data:`KEY_RULES` -- every key an input names exists (towns, territories, indicators,
  surveys): blocking errors;
* :data:`VALUE_RULES` -- values agree across inputs (labour market, printed text, survey sums,
  then every registered study's own rules); they join on the keys, so they run only when every
  key rule found nothing.

A rule reads a :class:`~tasks.validate.rules.batch.RuleBatch`: the batch's inputs, the registry,
and what the rules before it found in this pass (``batch.found``). Adding a rule: write the
function (in the module of its concern) and add it to one of the two lists.
"""

from __future__ import annotations

from collections.abc import Callable

from tasks import studies, territories
from tasks.parse import Issue
from tasks.sources.base import Batch
from tasks.sources.taldau.registry import Registry
from tasks.validate.rules.batch import RuleBatch
from tasks.validate.rules.labour import labour_consistency
from tasks.validate.rules.printed import printed_values
from tasks.validate.rules.referential import (
    known_indicators,
    known_survey_towns,
    known_surveys,
    known_territories,
    known_towns,
    town_territories,
)
from tasks.validate.rules.surveys import survey_sums

Rule = Callable[[RuleBatch], list[Issue]]


def study_rules(batch: RuleBatch) -> list[Issue]:
    """Every registered study's own cross-input rules (:func:`tasks.studies.checks`)."""
    return studies.checks(batch)


#: Keys first: what an input names must exist.
KEY_RULES: tuple[Rule, ...] = (
    known_towns,
    known_territories,
    known_indicators,
    town_territories,
    known_survey_towns,
    known_surveys,
)
#: Then values, only when every key resolves.
VALUE_RULES: tuple[Rule, ...] = (
    labour_consistency,
    printed_values,
    survey_sums,
    study_rules,
)
#: Every cross-input rule, in the order it runs.
RULES: tuple[Rule, ...] = (*KEY_RULES, *VALUE_RULES)


def cross_checks(batch: Batch, registry: Registry | None = None) -> list[Issue]:
    """Run :data:`RULES` over ``batch`` (towns and territories from ``registry``, default the
    shipped one); returns what they found, in rule order. :data:`VALUE_RULES` run only when
    :data:`KEY_RULES` found nothing."""
    checked = RuleBatch.of(batch, registry or territories.default_registry())
    checked.found = []
    for rule in KEY_RULES:
        checked.found += rule(checked)
    if not checked.found:
        for rule in VALUE_RULES:
            checked.found += rule(checked)
    return checked.found
