"""Analyses of towns: plain functions over core tables, each producing results tables.

* :mod:`.common`: reading the warehouse, one value per (town, indicator, year);
* :mod:`.grp`, :mod:`.labour`, :mod:`.perception`: the analyses, over frames;
* :mod:`.towns`: cross-town results (town profile, latest values and ranks, correlations);
* :mod:`.registry`: :data:`~.registry.ANALYSES`, what the flow runs, and the headline figures.

Study-specific analyses live in their study package (:mod:`tasks.studies`).
"""
