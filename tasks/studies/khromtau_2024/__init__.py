"""The Khromtau study (2024): a survey of 50 entrepreneurs and the town's official series.

Everything specific to the paper lives here: its bundled data (``data/``), its extra inputs
(Tables 5 and 8 as printed, the numbers it publishes) and their checks, its analyses (Tables 5-9,
the hypotheses) and the reproduction audit. :data:`plugin.STUDY` is what the registry
(:mod:`tasks.studies`) plugs into the flow.
"""
