"""prefect.yaml checked without a Prefect server: entrypoints, parameters, schedules, pull steps.

Also checks that ``monotowns serve`` (flows/serve.py) builds the same deployments from the same
file, so that the schedule has one source of truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.flows import Flow, load_flow_from_entrypoint
from prefect.server.schemas.schedules import CronSchedule
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import validate

from flows import serve
from flows.refresh import refresh
from flows.request import RUN_PARAMETERS, RefreshRequest
from tasks.sources.registry import SOURCES
from tasks.sources.spec import all_options

ROOT = Path(__file__).resolve().parents[2]
PREFECT_YAML = ROOT / "prefect.yaml"
ALMATY = ZoneInfo("Asia/Almaty")
POOL = "monotowns-process"
# The date each scheduled deployment promises (in its description and the YAML comment):
# (month, day, hour, minute) in Asia/Almaty.
STATED = {"yearly-refresh": (9, 1, 6, 0)}
ENV_PLACEHOLDER = re.compile(r"\{\{\s*\$")


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deployments(config) -> dict[str, dict]:
    return {d["name"]: d for d in config["deployments"]}


def _entrypoint_flow(entrypoint: str) -> Flow:
    path, _, name = entrypoint.partition(":")
    # load it the way a worker does (a script path relative to the working directory)
    return load_flow_from_entrypoint(f"{ROOT / path}:{name}")


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def test_deployment_names(deployments):
    assert set(deployments) == {"yearly-refresh", "manual-refresh"}


def test_every_entrypoint_loads_the_refresh_flow(deployments):
    for name, d in deployments.items():
        path, _, attr = d["entrypoint"].partition(":")
        assert not Path(path).is_absolute(), name
        assert (ROOT / path).is_file(), name
        loaded = _entrypoint_flow(d["entrypoint"])
        assert isinstance(loaded, Flow), name
        assert loaded.name == refresh.name == "refresh"
        assert loaded.fn.__qualname__ == refresh.fn.__qualname__ == attr


@pytest.mark.parametrize("name", ["yearly-refresh", "manual-refresh"])
def test_parameters_validate_against_the_flow_signature(deployments, name):
    d = deployments[name]
    flow = _entrypoint_flow(d["entrypoint"])
    params = d["parameters"]
    signature = inspect.signature(flow.fn).parameters
    assert set(params) <= set(signature), f"unknown parameter(s): {set(params) - set(signature)}"
    # no warehouse: the flow resolves $MONOTOWNS_WAREHOUSE (else the default) where it runs
    assert "warehouse" not in params
    assert signature["warehouse"].default is None
    # the yearly run fetches the new year from the bureau; manual runs default to the bundled data
    assert params["source"] == {"yearly-refresh": "taldau", "manual-refresh": "bundled"}[name]
    assert params["source"] in SOURCES
    # what the flow does with them (pydantic casting of the signature's annotations) ...
    cast = flow.validate_parameters(params)
    assert cast["lock_timeout"] == pytest.approx(float(params["lock_timeout"]))
    assert cast.get("warehouse") is None
    # ... and what the Prefect API enforces (enforce_parameter_schema: the OpenAPI schema)
    schema = parameter_schema(flow).model_dump_for_openapi()
    assert validate(params, schema, raise_on_error=True) == []
    # a run-time override with --param warehouse=... is valid too
    assert (
        validate(
            {**params, "warehouse": "/srv/monotowns/monotowns.duckdb"}, schema, raise_on_error=True
        )
        == []
    )


def test_the_flow_has_one_parameter_per_run_setting_and_source_option():
    """The flow's parameters come from the request and the registry, in one place: adding a
    source's option adds the parameter (and the deployment's schema field)."""
    signature = inspect.signature(refresh.fn).parameters
    assert list(signature) == [*RUN_PARAMETERS, *all_options(SOURCES)]
    schema = parameter_schema(refresh).model_dump_for_openapi()
    assert set(schema["properties"]) == set(signature)
    assert schema["properties"]["source"]["default"] == next(iter(SOURCES))


@pytest.mark.parametrize("name", ["yearly-refresh", "manual-refresh"])
def test_deployment_parameters_are_a_request(deployments, name):
    request = RefreshRequest.from_parameters(deployments[name]["parameters"])
    assert request.source == deployments[name]["parameters"]["source"]
    assert request.lock_timeout == 600.0
    assert RefreshRequest.from_parameters(
        {**request.parameters(), "warehouse": "w.duckdb"}
    ) == RefreshRequest(**{**request.__dict__, "warehouse": "w.duckdb"})


def test_concurrency_pool_and_schedules(deployments):
    for name, d in deployments.items():
        assert d["concurrency_limit"] == 1, name  # one writer
        assert d["work_pool"]["name"] == POOL, name
    assert deployments["manual-refresh"]["schedules"] == []
    [sched] = deployments["yearly-refresh"]["schedules"]
    assert sched["timezone"] == "Asia/Almaty" and sched.get("active", True) is True


def test_every_cron_parses_with_its_timezone(deployments):
    seen = 0
    for d in deployments.values():
        for s in d.get("schedules") or []:
            ZoneInfo(s["timezone"])  # a real IANA zone
            CronSchedule(cron=s["cron"], timezone=s["timezone"])  # what the server accepts
            seen += 1
    assert seen == 1


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # mid-year, before the run: this year's 1 September
        (dt.datetime(2026, 5, 15, tzinfo=dt.UTC), dt.datetime(2026, 9, 1, 6, 0, tzinfo=ALMATY)),
        # 1 September 05:59 Almaty = 00:59 UTC: still today
        (
            dt.datetime(2026, 9, 1, 0, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 9, 1, 6, 0, tzinfo=ALMATY),
        ),
        # 06:00 Almaty has passed (01:00:01 UTC): next year
        (
            dt.datetime(2026, 9, 1, 1, 0, 1, tzinfo=dt.UTC),
            dt.datetime(2027, 9, 1, 6, 0, tzinfo=ALMATY),
        ),
        # New Year's Eve in Almaty is already 1 January there: still 1 September that year
        (
            dt.datetime(2027, 12, 31, 20, 0, tzinfo=dt.UTC),
            dt.datetime(2028, 9, 1, 6, 0, tzinfo=ALMATY),
        ),
    ],
)
def test_next_yearly_run_is_the_stated_date(after, expected):
    [spec] = [s for s in serve.load_specs(PREFECT_YAML) if s.name == "yearly-refresh"]
    [got] = serve.next_runs(spec, 1, after=after)
    assert type(got) is dt.datetime
    assert got == expected
    assert got.astimezone(ALMATY).utcoffset() == dt.timedelta(hours=5)  # UTC+5 since 2024
    assert (got.astimezone(dt.UTC).hour, got.astimezone(dt.UTC).minute) == (1, 0)


def test_next_runs_from_now_are_on_the_stated_date(deployments):
    now = dt.datetime.now(dt.UTC)
    for spec in serve.load_specs(PREFECT_YAML):
        if spec.name not in STATED:
            assert not spec.schedules, f"{spec.name} has a schedule but no stated date here"
            continue
        month, day, hour, minute = STATED[spec.name]
        runs = serve.next_runs(spec, 3, after=now)
        local = [r.astimezone(ALMATY) for r in runs]
        assert [(t.month, t.day, t.hour, t.minute) for t in local] == [STATED[spec.name]] * 3
        assert [t.year for t in local] == [local[0].year + i for i in range(3)]
        assert now < runs[0] <= now + dt.timedelta(days=366)
        # the description (shown in the UI and `prefect deployment inspect`) says the same
        text = deployments[spec.name]["description"]
        assert f"{day} {dt.date(2000, month, 1):%B}" in text
        assert f"{hour:02d}:{minute:02d} Asia/Almaty" in text


def test_runs_after_the_bureau_publishes():
    # regional GRP is final around mid-year: the yearly run must not come before July
    month = STATED["yearly-refresh"][0]
    assert 7 <= month <= 12


def test_pull_steps_hold_no_path_of_the_deploying_machine(config, deployments):
    # "." is resolved by the worker at run time: its own working directory (the checkout)
    assert config["pull"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "."}}
    ]
    for name, d in deployments.items():
        assert "pull" not in d, name  # every deployment uses the top-level pull steps
        assert d["work_pool"]["job_variables"] == {"working_dir": "."}, name
    for s in _strings(config):
        assert not s.startswith(("/", "~")), f"absolute path in prefect.yaml: {s!r}"
        assert not re.match(r"^[A-Za-z]:\\", s), s
        # environment placeholders would be filled in by `prefect deploy` from the deploying
        # shell when set there, storing that machine's value
        assert not ENV_PLACEHOLDER.search(s), f"environment placeholder in prefect.yaml: {s!r}"


def test_no_build_or_push_steps(config):
    # the code is already on the worker's machine (a checkout); nothing to build or upload
    assert config.get("build") is None and config.get("push") is None


# ---------------------------------------------------------------- flows/serve.py


def test_serve_builds_the_same_deployments_from_the_file(tmp_path, deployments):
    warehouse = str(tmp_path / "w.duckdb")
    built = {d.name: d for d in serve.build_deployments(warehouse, PREFECT_YAML)}
    assert set(built) == set(deployments)
    for name, d in deployments.items():
        b = built[name]
        assert b.flow_name == "refresh"
        assert b.entrypoint == "flows.refresh.refresh"  # the installed module, any cwd
        assert b.parameters == {**d["parameters"], "warehouse": warehouse}
        assert b.concurrency_limit == 1
        assert b.work_pool_name is None
        assert b.tags == d["tags"]
        got = [(s.schedule.cron, s.schedule.timezone, s.active) for s in b.schedules or []]
        want = [(s["cron"], s["timezone"], s.get("active", True)) for s in d["schedules"]]
        assert got == want
    # without a path: the deployments leave the warehouse to the flow's environment
    for unset in serve.build_deployments(None, PREFECT_YAML):
        assert unset.parameters == deployments[unset.name]["parameters"]
        assert "warehouse" not in unset.parameters


def test_serve_refuses_a_file_without_deployments(tmp_path):
    bad = tmp_path / "prefect.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(serve.ConfigError, match="no deployments"):
        serve.load_specs(bad)
    with pytest.raises(serve.ConfigError, match="cannot read"):
        serve.load_specs(tmp_path / "missing.yaml")


def _parse(argv):
    parser = argparse.ArgumentParser(prog="monotowns")
    sub = parser.add_subparsers(dest="command", required=True)
    serve.add_parser(sub)
    return parser.parse_args(argv)


def test_serve_next_prints_almaty_and_utc(capsys):
    assert serve.run_serve(_parse(["serve", "--next", "2"])) == 0
    out = capsys.readouterr().out
    lines = re.findall(r"(\d{4})-09-01 06:00 Asia/Almaty \(\+0500\)\s+= \d{4}-09-01 01:00 UTC", out)
    assert len(lines) == 2 and int(lines[1]) == int(lines[0]) + 1
    assert "manual-refresh: no schedule" in out


def test_serve_usage_errors(tmp_path, capsys):
    assert serve.run_serve(_parse(["serve", "--config", str(tmp_path / "nope.yaml")])) == 2
    assert "cannot read" in capsys.readouterr().err
    assert serve.run_serve(_parse(["serve", "--next", "0"])) == 2
    assert "--next must be at least 1" in capsys.readouterr().err


def test_serve_needs_a_prefect_api(capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert serve.run_serve(_parse(["serve"])) == 2
    assert "prefect server start" in capsys.readouterr().err


def test_serve_help_mentions_the_essentials():
    parser = argparse.ArgumentParser(prog="monotowns")
    sub = parser.add_subparsers(dest="command")
    text = serve.add_parser(sub).format_help()
    for word in ("--warehouse", "--config", "--next", "SIGTERM", "PREFECT_API_URL"):
        assert word in text
