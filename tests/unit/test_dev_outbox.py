"""/dev/outbox shows every mail the local sink caught, password and preferences links too,
without a login: it exists in development (`make run`) only, not in test or production."""

from __future__ import annotations

import dataclasses

import pytest

from newsletter import create_app
from newsletter.settings import from_env


def app_in(env: str, outbox):
    settings = from_env()
    settings = dataclasses.replace(
        settings, env=env, database_url="sqlite://", broker_url="", outbox_dir=outbox
    )
    return create_app(settings)


@pytest.mark.parametrize("env", ["test", "production"])
def test_the_dev_outbox_does_not_exist_outside_development(env, tmp_path):
    client = app_in(env, tmp_path).test_client()
    for path in ("/dev/outbox", "/dev/outbox/1.eml", "/dev/outbox/1.eml/html"):
        assert client.get(path, base_url="https://localhost").status_code == 404


def test_the_dev_outbox_exists_in_development(tmp_path):
    client = app_in("development", tmp_path).test_client()
    assert client.get("/dev/outbox", base_url="https://localhost").status_code == 200
