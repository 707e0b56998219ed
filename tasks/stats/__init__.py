"""Statistics by family, plain functions matching R (see ``docs/statistics.md``).

Import from the family module; this package imports none of them (no import cycle):

* :mod:`tasks.stats.correlation` -- ``correlate``, ``correlation_matrix``, ``fisher_z_ci``
  (R ``cor.test``); the vectorised engine is :mod:`tasks.stats._correlation_engine`.
* :mod:`tasks.stats.ttest` -- ``one_sample_t``, ``welch``, ``sign_test`` (R ``t.test``,
  ``binom.test``).
* :mod:`tasks.stats.contingency` -- ``association_test``: chi-square / Fisher, Cramér's V
  (R ``chisq.test``, ``fisher.test``).
* :mod:`tasks.stats.reliability` -- ``cronbach_alpha`` with the Feldt interval
  (R ``psych::alpha``).
* :mod:`tasks.stats.multiple` -- ``holm`` (R ``p.adjust``).
* :mod:`tasks.stats.describe` -- ``mean_ci``, ``median_from_counts``.
* :mod:`tasks.stats._checks` -- the shared input validators.
"""
