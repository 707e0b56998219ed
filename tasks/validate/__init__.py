"""Validate a batch of input payloads: read, type, run the pandera schemas, cross-check inputs.

Everything happens where the data are: each payload is read into a scratch DuckDB database
(:mod:`tasks.stage`: cells as text with their file row numbers), typed there in SQL (the
``analyst`` number rules of :mod:`tasks.numbers_sql`), and the pandera schemas of
:mod:`schemas.inputs` run on it through pandera's Ibis backend; only failing rows come back to
Python, for the messages. The result is a :class:`Batch`: small inputs as pandas frames,
observations as a :class:`~tasks.stage.StagedFrame` (rows stay in the database; the loader
reads them set-wise), plus every :class:`~tasks.parse.Issue` found. Errors block the run
(nothing reaches ``core``); warnings load and are recorded.

One module per concern:

* :mod:`~tasks.validate.adapters` -- the pandera adapters (pandas and Ibis): failures as issues;
* :mod:`~tasks.validate.reading` -- one input read, typed and checked;
* :mod:`~tasks.validate.registry` -- the registry's towns and territories merged in;
* :mod:`~tasks.validate.assemble` -- the batch assembled from payloads, bundled folders merged;
* :mod:`~tasks.validate.rules` -- the cross-input rules, one list
  (:data:`tasks.validate.rules.RULES`; the rule texts stay :data:`schemas.inputs.RULES`);
* :mod:`~tasks.validate.conform` -- observations in the core shape;
* :mod:`~tasks.validate.parsed` -- observations a source parsed itself (Taldau).
"""

from schemas.inputs import ANSWERS, LABOUR, labour_wide
from tasks.sources.base import Batch
from tasks.validate.adapters import schema_issues, table_issues
from tasks.validate.assemble import merge_batches, validate_payloads
from tasks.validate.conform import conform_observations
from tasks.validate.parsed import validate_parsed_observations
from tasks.validate.reading import read_input
from tasks.validate.registry import REGISTRY_LABEL, add_registry
from tasks.validate.rules import cross_checks
from tasks.validate.rules.surveys import SURVEY_INPUTS, survey_inputs

__all__ = [
    "ANSWERS",
    "LABOUR",
    "REGISTRY_LABEL",
    "SURVEY_INPUTS",
    "Batch",
    "add_registry",
    "conform_observations",
    "cross_checks",
    "labour_wide",
    "merge_batches",
    "read_input",
    "schema_issues",
    "survey_inputs",
    "table_issues",
    "validate_parsed_observations",
    "validate_payloads",
]
