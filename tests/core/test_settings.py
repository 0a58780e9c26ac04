"""Settings are validated at start-up; a bad value names its variable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from article8.cli import main
from article8.core.errors import ConfigError
from article8.core.settings import Settings


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"ARTICLE8_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x", **values}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "not a url", "is not a database URL"),
        ("DATABASE_URL", "mysql://root@localhost/a8", "unsupported database 'mysql'"),
        ("DATABASE_URL", "postgresql+psycopg2://u@h/db", "use the psycopg driver"),
        ("DATABASE_URL", "postgresql+psycopg://u@h", "names no database"),
        ("ARTICLE8_TZ", "Mars/Olympus", "unknown time zone"),
        ("ARTICLE8_FISCAL_YEAR_START", "13", "out of range"),
        ("SMTP_PORT", "twenty-five", "not a whole number"),
        ("SMTP_STARTTLS", "maybe", "not a boolean"),
        ("ARTICLE8_BUSINESS_HOURS", "20:00-08:00", "start must be before the end"),
        ("ARTICLE8_BUSINESS_HOURS", "8-20", "HH:MM-HH:MM"),
        ("ARTICLE8_MFA_REQUIRED_ROLES", "admin,boss", "unknown role(s) boss"),
        ("MAX_UPLOAD_MB", "0", "out of range"),
        ("ARTICLE8_RULE_BULK_EXPORT_RECORDS", "0", "out of range"),
        ("ARTICLE8_RULE_BULK_EXPORT_DAILY", "lots", "not a whole number"),
        ("ARTICLE8_RULE_FAILED_LOGIN_BURST", "1", "out of range"),
        ("ARTICLE8_RULE_DENIED_BADGE_BURST", "-3", "out of range"),
        ("ARTICLE8_RULE_BURST_MINUTES", "1441", "out of range"),
        ("ARTICLE8_IMPORT_MAX_UNPACKED_MB", "0", "out of range"),
        ("ARTICLE8_IMPORT_MAX_ROWS", "1048577", "out of range"),
        ("ARTICLE8_CLOCK_SKEW_HOURS", "-1", "out of range"),
        ("ARTICLE8_CLOSED_DAYS", "12/29..01/03", "'12/29' is not a day of the form MM-DD"),
        ("ARTICLE8_CLOSED_DAYS", "12-29..13-03", "'13-03' is not a day of the year"),
        ("ARTICLE8_CLOSED_DAYS", "02-30", "'02-30' is not a day of the year"),
        ("ARTICLE8_CLOSED_DAYS", "12-29...01-03", "is not a day of the form MM-DD"),
        ("ARTICLE8_CLOSED_DAYS", "1-3", "'1-3' is not a day of the form MM-DD"),
    ],
)
def test_a_bad_value_names_the_variable_and_the_problem(tmp_path, variable, value, expected):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env(tmp_path, **{variable: value}))
    assert str(caught.value).startswith(f"{variable}: ")
    assert expected in str(caught.value)


def test_closed_days_default_to_the_year_end_holidays_and_read_days_and_ranges(tmp_path):
    default = Settings.from_env(env(tmp_path)).closed_days
    assert [(c.first, c.last) for c in default] == [((12, 29), (1, 3))]
    custom = Settings.from_env(env(tmp_path, ARTICLE8_CLOSED_DAYS=" 08-13..08-16, 02-29 ,"))
    assert [(c.first, c.last) for c in custom.closed_days] == [
        ((8, 13), (8, 16)),
        ((2, 29), (2, 29)),
    ]
    assert Settings.from_env(env(tmp_path, ARTICLE8_CLOSED_DAYS="")).closed_days == ()


def test_a_bad_closed_day_says_what_is_expected(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env(tmp_path, ARTICLE8_CLOSED_DAYS="year-end"))
    assert "expected MM-DD days or MM-DD..MM-DD ranges separated by commas" in str(caught.value)


def test_defaults_are_the_documented_ones(tmp_path):
    settings = Settings.from_env(env(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'article8.db'}"
    assert settings.evidence_dir == tmp_path / "evidence"
    assert settings.timezone.key == "Asia/Tokyo"
    assert settings.fiscal_year_start == 4
    assert settings.max_upload_mb == 100
    assert settings.mfa_required_roles == frozenset()
    assert (settings.login_max_failures, settings.login_lock_minutes) == (5, 15)
    assert str(settings.business_hours[0]) == "08:00:00"
    assert (settings.rule_bulk_export_records, settings.rule_bulk_export_daily) == (1000, 5000)
    assert (settings.rule_failed_login_burst, settings.rule_denied_badge_burst) == (5, 3)
    assert settings.rule_burst_minutes == 10
    assert (settings.import_max_unpacked_mb, settings.import_max_rows) == (200, 1_048_576)
    assert settings.clock_skew_hours == 24


def test_plain_postgresql_url_gets_the_psycopg_driver(tmp_path):
    settings = Settings.from_env(env(tmp_path, DATABASE_URL="postgresql://u@db.example/a8"))
    assert settings.database_url.startswith("postgresql+psycopg://")


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    values = {"ARTICLE8_INSTANCE_DIR": str(tmp_path)}
    first = Settings.from_env(values).secret_key
    second = Settings.from_env(values).secret_key
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def db_upgrade(tmp_path: Path, **values: str) -> Result:
    """``article8 db upgrade`` in-process, with the application built from the environment."""
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env(tmp_path, **values))
    # An exit status, never an exception escaping the command (a traceback for the operator).
    assert isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_with_a_bad_database_url_fails_with_one_clear_line(tmp_path):
    result = db_upgrade(tmp_path, DATABASE_URL="mysql://root@localhost/a8")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "article8: configuration error: DATABASE_URL: unsupported database 'mysql'; "
        "expected sqlite or postgresql"
    ]
    assert result.stdout == ""


def test_cli_with_an_unreachable_database_says_so(tmp_path):
    result = db_upgrade(tmp_path, DATABASE_URL="postgresql+psycopg://a8@127.0.0.1:1/a8")
    assert result.exit_code == 1
    assert "cannot use the database at DATABASE_URL=postgresql+psycopg://a8@127.0.0.1:1/a8" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def _services_with_a_default_time_zone() -> list[str]:
    """Functions and dataclasses outside Settings whose time zone parameter has a default."""
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    import article8

    found = []
    for info in pkgutil.walk_packages(article8.__path__, "article8."):
        if info.name in ("article8.wsgi", "article8.cli.__main__") or ".migrations" in info.name:
            continue  # wsgi builds the app from the environment on import; cli is the edge
        module = importlib.import_module(info.name)
        for name, thing in vars(module).items():
            if getattr(thing, "__module__", None) != info.name or thing is Settings:
                continue
            if dataclasses.is_dataclass(thing):
                params = {f.name: f.default is dataclasses.MISSING
                          and f.default_factory is dataclasses.MISSING
                          for f in dataclasses.fields(thing)}  # fmt: skip
            elif inspect.isfunction(thing):
                params = {
                    p.name: p.default is inspect.Parameter.empty
                    for p in inspect.signature(thing).parameters.values()
                }
            else:
                continue
            if any(not required for p, required in params.items() if p in ("tz", "timezone")):
                found.append(f"{info.name}.{name}")
    return found


def test_no_service_defaults_its_time_zone_it_comes_from_settings(tmp_path):
    assert _services_with_a_default_time_zone() == []
    assert Settings.from_env(env(tmp_path)).timezone.key == "Asia/Tokyo"
