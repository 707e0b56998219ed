"""Settings of the command line: flags > environment > defaults, resolved once, read nowhere else.

Also every command's ``--help`` (the CLI's flags are its interface).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
from pathlib import Path

import pytest

from flows.cli import build_parser, main
from flows.request import RefreshRequest
from flows.settings import DEFAULT_WAREHOUSE, Settings, flow_warehouse, resolve_settings
from tasks.sources import registry
from tasks.sources.spec import Option, SourceSpec

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("flags", "environ", "expected"),
    [
        ({}, {}, Settings(DEFAULT_WAREHOUSE, None)),
        ({}, {"MONOTOWNS_WAREHOUSE": "/srv/w.duckdb"}, Settings("/srv/w.duckdb", None)),
        ({"warehouse": "f.duckdb"}, {"MONOTOWNS_WAREHOUSE": "/srv/w.duckdb"}, Settings("f.duckdb")),
        ({"warehouse": None}, {"MONOTOWNS_WAREHOUSE": ""}, Settings(DEFAULT_WAREHOUSE)),
        ({}, {"MONOTOWNS_TALDAU_URL": "http://e/"}, Settings(DEFAULT_WAREHOUSE, "http://e/")),
        (
            {"taldau_url": "http://flag/"},
            {"MONOTOWNS_TALDAU_URL": "http://e/"},
            Settings(DEFAULT_WAREHOUSE, "http://flag/"),
        ),
    ],
)
def test_flags_then_environment_then_defaults(flags, environ, expected):
    assert resolve_settings(argparse.Namespace(**flags), environ) == expected


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().warehouse = "other"  # type: ignore[misc]


def test_main_resolves_the_environment(tmp_path, monkeypatch, capsys):
    from_env = tmp_path / "env.duckdb"
    monkeypatch.setenv("MONOTOWNS_WAREHOUSE", str(from_env))
    assert main(["query", "SELECT 1"]) == 1
    assert str(from_env) in capsys.readouterr().err
    from_flag = tmp_path / "flag.duckdb"
    assert main(["query", "SELECT 1", "--warehouse", str(from_flag)]) == 1
    err = capsys.readouterr().err
    assert str(from_flag) in err and str(from_env) not in err
    monkeypatch.setenv("MONOTOWNS_WAREHOUSE", str(from_env))
    assert main(["survey", "analyse"]) == 1
    assert f"no warehouse at {from_env}" in capsys.readouterr().err


def _environment_reads(path: Path) -> list[str]:
    reads = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr == "getenv" or (
                node.func.attr == "get"
                and isinstance(owner, ast.Attribute | ast.Name)
                and getattr(owner, "attr", getattr(owner, "id", "")) == "environ"
            ):
                reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            value = node.value
            if isinstance(value, ast.Attribute) and value.attr == "environ":
                reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return reads


def test_only_the_settings_module_reads_the_environment():
    reads = []
    for package in ("flows", "tasks", "schemas", "warehouse"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path != ROOT / "flows" / "settings.py":
                reads += _environment_reads(path)
    assert not reads, f"environment read outside flows/settings.py: {', '.join(reads)}"


COMMANDS = [
    ["run"],
    ["query"],
    ["validate"],
    ["correlate"],
    ["survey"],
    ["survey", "import"],
    ["survey", "template"],
    ["survey", "analyse"],
    ["survey", "tables"],
    ["report"],
    ["serve"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([*command, "--help"])
    assert stop.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(f"usage: monotowns {' '.join(command)}")
    if command[-1] in {"run", "query", "import", "analyse", "tables", "report", "serve"}:
        assert "--warehouse PATH" in out
        assert "$MONOTOWNS_WAREHOUSE or warehouse/monotowns.duckdb" in out


def test_a_flow_run_resolves_its_warehouse_parameter_then_environment_then_default(monkeypatch):
    monkeypatch.delenv("MONOTOWNS_WAREHOUSE", raising=False)
    assert flow_warehouse(None) == DEFAULT_WAREHOUSE == "warehouse/monotowns.duckdb"
    monkeypatch.setenv("MONOTOWNS_WAREHOUSE", "/srv/w.duckdb")
    assert flow_warehouse(None) == "/srv/w.duckdb"
    assert flow_warehouse("x.duckdb") == "x.duckdb"


def test_run_flags_resolve_into_one_request():
    flags = "run --source taldau --town a --town b --offline --no-report --archive raw2"
    args = build_parser().parse_args([*flags.split(), "--lock-timeout", "5"])
    environ = {"MONOTOWNS_TALDAU_URL": "http://e/", "MONOTOWNS_WAREHOUSE": "/srv/w.duckdb"}
    request = resolve_settings(args, environ).request
    assert request == RefreshRequest(
        warehouse="/srv/w.duckdb",
        source="taldau",
        source_options=(
            ("taldau_url", "http://e/"),
            ("towns", ("a", "b")),
            ("indicators", None),
            ("taldau_towns", None),
            ("taldau_indicators", None),
        ),
        archive_dir="raw2",
        lock_timeout=5.0,
        offline=True,
        report=False,
    )
    # the flow's parameters, and back: the same request
    assert RefreshRequest.from_parameters(request.parameters()) == request
    # an option's environment variable applies to its own source only
    bundled = resolve_settings(build_parser().parse_args(["run"]), environ).request
    assert bundled.source == "bundled" and bundled.source_options == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.source = "files"  # type: ignore[misc]


def test_run_help_lists_every_registered_source_and_its_options(capsys, monkeypatch):
    extra = SourceSpec(
        "example",
        "an example source registered by this test",
        "tasks.sources.files:FilesSource",
        options=(Option("example_url", "where the example lives", metavar="URL"),),
    )
    monkeypatch.setitem(registry.SOURCES, "example", extra)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    out = capsys.readouterr().out
    assert "{bundled,files,taldau,example}" in out
    for spec in registry.SOURCES.values():
        assert f"--source {spec.name}:" in out and spec.help in " ".join(out.split())
        for opt in spec.options:
            assert opt.cli_flag in out
    args = build_parser().parse_args(["run", "--source", "example", "--example-url", "u"])
    assert resolve_settings(args, {}).request.options == {"example_url": "u", "offline": False}
