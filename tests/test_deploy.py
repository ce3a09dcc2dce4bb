"""The production shape: docker-compose.yml checked without Docker (deploy/compose_check.py)."""

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _checker():
    spec = importlib.util.spec_from_file_location("compose_check", ROOT / "deploy/compose_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docker_compose_file_is_valid():
    assert _checker().check(ROOT / "docker-compose.yml") == []


def test_the_checker_refuses_a_published_gunicorn_and_a_second_beat(tmp_path):
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    data["services"]["web"]["ports"] = ["8000:8000"]
    data["services"]["worker"]["command"] = ["celery", "-A", "pacte", "worker", "-B"]
    data["services"]["beat2"] = dict(data["services"]["beat"])
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "Caddyfile").write_text((ROOT / "deploy/Caddyfile").read_text())
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(yaml.safe_dump(data))
    errors = _checker().check(compose)
    assert any("gunicorn must be reached through the proxy" in e for e in errors)
    assert any("must not embed beat" in e for e in errors)
    assert any("exactly one service must run Celery beat" in e for e in errors)


def test_the_proxy_limits_bodies_and_is_the_only_one_trusted():
    lines = (ROOT / "deploy/Caddyfile").read_text().splitlines()
    directives = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "max_size 25MB" in directives and "trusted_proxies" not in directives
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    assert app["environment"]["ALLAUTH_TRUSTED_PROXY_COUNT"] == "1"
    assert app["environment"]["DEBUG"] == "0"
