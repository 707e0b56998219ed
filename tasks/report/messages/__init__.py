"""Message catalogues of the report, one YAML file per language (``en.yaml``); data only."""
