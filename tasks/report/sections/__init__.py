"""One module per report section; each has ``build(snap) -> dict`` (the section's context).

The order of the sections and their registry are in :mod:`tasks.report.build`; this package
imports nothing, so its modules never import back into it.
"""
