"""The Khromtau study's part of the report: its sections (Table 7 support measures, the
hypotheses, the reproduction audit), their headline figures and the tables they read
(:data:`tasks.studies.khromtau_2024.report.part.PART`). Text: ``../messages/<lang>.yaml``."""
