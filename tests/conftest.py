"""Test tiers, the one shared Prefect test server, and the guard that keeps the fast tier fast.

Every test lands in tiers by rule, at collection time, so a new test is classified without
anyone remembering to mark it:

- ``flow``: runs a Prefect flow in this process (marked by hand, or by using
  :func:`prefect_harness`); the session's Prefect test server is started before its fixtures.
- ``server``: talks to a Prefect API server (``flow`` tests, CLI runs against
  :func:`prefect_api`, ``tests/integration/``, which starts servers as a user would).
- ``subprocess``: starts other processes (the ``monotowns`` console script, helper scripts,
  venvs): tests using a fixture of :data:`FIXTURE_TIERS` or marked by hand.
- ``browser``: renders the report in Chromium.
- ``slow``: long integration and fault-injection tests, whole reports drawn from scratch
  (marked by hand).
- ``fast``: everything else; ``pytest -m fast`` runs only these (no server, no subprocess, no
  browser, no flow run).

A test that the rules call ``fast`` but that starts a process or a Prefect flow fails with a
message naming the marker to add, so the fast tier cannot silently grow slow.

One Prefect test server per test run (per pytest-xdist worker): :func:`start_prefect_harness`
enters ``prefect_test_harness`` once; :func:`prefect_api` hands its URL to CLI subprocesses.
Tests that are about Prefect's own temporary server (the default mode of ``monotowns run``) or
about a server started as docs/deployment.md tells a user still start their own.

Under pytest-xdist (``--dist loadgroup``, see pyproject.toml) the tests sharing an expensive
session fixture form one group (:data:`XDIST_GROUPS`), so one worker builds it once; the other
tests stay with their module (module fixtures built once). Each worker that runs a server test
starts its own Prefect test server.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

TIERS = ("flow", "server", "subprocess", "browser", "slow")

# A test that uses one of these fixtures (directly or through another fixture) gets the markers.
FIXTURE_TIERS: dict[str, tuple[str, ...]] = {
    "prefect_harness": ("flow", "server"),
    "prefect_api": ("server", "subprocess"),
    "plain_env": ("subprocess",),  # tests/reliability: commands that need no Prefect
    "processes": ("subprocess",),  # tests/integration: real processes on loopback
}
# Every test under one of these folders gets the markers.
FOLDER_TIERS: dict[str, tuple[str, ...]] = {
    "integration": ("server", "subprocess"),  # servers and workers started as a user would
}


def tiers_of(item: pytest.Item) -> set[str]:
    """The tier markers of ``item``: hand-set ones plus those the rules above give."""
    found = {m.name for m in item.iter_markers() if m.name in TIERS}
    for name in getattr(item, "fixturenames", ()):
        found.update(FIXTURE_TIERS.get(name, ()))
    path = Path(str(item.path)).resolve()
    for folder, marks in FOLDER_TIERS.items():
        if path.is_relative_to(TESTS / folder):
            found.update(marks)
    if "flow" in found:
        found.add("server")
    return found


# Session fixtures worth building once: the tests using them form one xdist group each.
XDIST_GROUPS: dict[str, set[str]] = {
    "reliability-runs": {"base_run", "revised_run"},  # warehouses built by real CLI runs
    "report": {"published", "published_ru"},  # reports published once (charts: seconds)
}


def group_of(item: pytest.Item, tiers: set[str]) -> str:
    """The pytest-xdist group (``--dist loadgroup``) of ``item``: tests that share an expensive
    session fixture run on one worker, which builds it once; otherwise a module's tests stay
    together (its module fixtures are built once)."""
    names = set(getattr(item, "fixturenames", ()))
    for group, fixtures in XDIST_GROUPS.items():
        if names & fixtures:
            return group
    path = Path(str(item.path)).resolve()
    if path.is_relative_to(TESTS / "integration"):
        return "integration"  # one server at a time: each test has a time budget
    return path.relative_to(ROOT).as_posix()  # a module's tests share its module fixtures


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tiers = tiers_of(item)
        for name in sorted(tiers):
            item.add_marker(name)
        if not tiers:
            item.add_marker("fast")
        item.add_marker(pytest.mark.xdist_group(group_of(item, tiers)))


# ------------------------------------------------------------------------------ the server

_harness = contextlib.ExitStack()
_harness_url: list[str] = []


def start_prefect_harness() -> str:
    """Prefect's test harness (its own server and SQLite database), started once per test run;
    returns the server's API URL. It stays active until the session ends (it sets process-wide
    Prefect settings), so later tests in the same process use the same server."""
    if not _harness_url:
        from prefect.settings import PREFECT_API_URL
        from prefect.testing.utilities import prefect_test_harness

        _harness.enter_context(prefect_test_harness(server_startup_timeout=180))
        _harness_url.append(PREFECT_API_URL.value())
    return _harness_url[0]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A ``flow`` test gets the server before any of its fixtures (module-scoped ones that run
    a flow included) is set up."""
    if item.get_closest_marker("flow") is not None:
        start_prefect_harness()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _harness.close()


@pytest.fixture(scope="session")
def prefect_harness() -> str:
    """The API URL of the session's Prefect test server (see :func:`start_prefect_harness`)."""
    return start_prefect_harness()


@pytest.fixture(scope="session")
def prefect_api(prefect_harness: str) -> str:
    """The same URL, for ``monotowns run`` subprocesses (``PREFECT_API_URL``): a CLI run then
    skips starting Prefect's temporary server."""
    return prefect_harness


# ------------------------------------------------------------------------------ the guard


class TierError(AssertionError):
    """A test classified ``fast`` did something only a marked tier may do."""


@pytest.fixture(autouse=True)
def _fast_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``fast`` test may start no process and run no Prefect flow."""
    if request.node.get_closest_marker("fast") is None:
        return
    where = request.node.nodeid

    def no_process(self, args, *a, **kw):
        raise TierError(
            f"{where} starts a process ({args!r}) but is in the fast tier: mark it "
            "@pytest.mark.subprocess (or use a fixture listed in tests/conftest.py)"
        )

    monkeypatch.setattr(subprocess.Popen, "__init__", no_process)
    if "prefect" in sys.modules:
        import prefect.flow_engine

        def no_flow(flow, *a, **kw):
            raise TierError(
                f"{where} runs the Prefect flow {flow.name!r} but is in the fast tier: mark it "
                "@pytest.mark.flow (it then gets the session's Prefect test server)"
            )

        monkeypatch.setattr(prefect.flow_engine, "run_flow", no_flow)
