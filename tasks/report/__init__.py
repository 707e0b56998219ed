"""The analyst's report: one self-contained HTML file with charts, plus Parquet and XLSX exports.

* :mod:`tasks.report.build` reads a published warehouse read-only, draws the charts and writes
  ``report.html`` (charts inline as SVG) and ``charts/<name>.png|.svg``;
  :func:`~tasks.report.build.publish_report` is what the refresh flow calls after publishing.
* :mod:`tasks.report.charts` holds the matplotlib figures (plain functions of frames).
* :mod:`tasks.report.exports` writes the results tables to Parquet and to one XLSX workbook.

No Prefect here: the flow wraps :func:`publish_report` itself, so these stay plain functions.
"""

from tasks.report.build import build_report, publish_report

__all__ = ["build_report", "publish_report"]
