"""``monotowns run``'s up-to-date check runs before anything heavy is imported."""

import json
import subprocess
import sys

import pytest

from flows import taldau_cli
from tasks.sources.taldau.client import DEFAULT_BASE_URL

HEAVY = ("prefect", "pandas", "pandera", "httpx", "matplotlib", "scipy", "flows.refresh")


@pytest.mark.subprocess
def test_the_cli_and_the_check_import_nothing_heavy():
    code = (
        "import sys, json; import flows.cli, flows.uptodate; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_help_text_names_the_clients_default_url():
    assert taldau_cli.PUBLIC_TALDAU_URL == DEFAULT_BASE_URL
