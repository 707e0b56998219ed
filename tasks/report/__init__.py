"""The analyst's report: one self-contained HTML file with charts, plus Parquet and XLSX exports.

* :mod:`tasks.report.snapshot` reads a published warehouse read-only, once, into a frozen
  :class:`~tasks.report.snapshot.Snapshot` of frames;
* :mod:`tasks.report.sections` has one module per report section (``build(snap) -> dict``),
  built from :mod:`tasks.report.blocks` (cells, tables, charts) and :mod:`tasks.report.headline`;
* :mod:`tasks.report.charts` holds the matplotlib figures (plain functions of frames);
* :mod:`tasks.report.render` fills ``templates/report.html.j2`` (Jinja2, autoescaped);
* :mod:`tasks.report.i18n` is the message catalogue (``messages/en.yaml``, ``messages/ru.yaml``):
  every text a reader sees goes through ``t(key)``, in the language of ``language(lang)``;
  :mod:`tasks.report.formats` formats every number and date in that language, and
  :mod:`tasks.report.labels` takes names from the data (registry, codebook) in it;
* :mod:`tasks.report.build` composes them: :func:`~tasks.report.build.build_report` writes
  ``report.html`` and ``charts/``, :func:`~tasks.report.build.publish_report` (what the refresh
  flow calls after publishing) adds the exports;
* :mod:`tasks.report.exports` writes the results tables to Parquet and to one XLSX workbook, its
  "About" sheet from the warehouse's column comments; :mod:`tasks.report.tabledocs` writes
  ``docs/warehouse.md`` from the same comments.

No Prefect here: the flow wraps :func:`~tasks.report.build.publish_report` itself. This package
imports none of its modules (import ``tasks.report.build`` and friends directly), so no module
imports back into it.
"""
