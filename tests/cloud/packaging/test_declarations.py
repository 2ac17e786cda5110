"""What a service declares, read and checked: ``Lambda(...)`` or class attributes, never both for
one setting, and nothing unknown silently dropped."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks import Blueprint, Lambda, ServiceError, TechMicroService, entry
from coworks.cloud import ConfigurationError
from coworks.cloud.packaging.declarations import Declarations, Limits, read
from coworks.runtime.declarations import SETTINGS

LAYER = "arn:aws:lambda:eu-west-3:123456789012:layer:pg:3"
SECRET = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:db-AbCdEf"
EVERYTHING: dict[str, Any] = {
    "requirements": ["requests>=2.31"], "permissions": [("s3:GetObject", "arn:aws:s3:::stock/*")], "memory": 256,
    "timeout": 20, "ephemeral_storage": 1024, "architecture": "arm64", "python_version": "3.12", "layers": [LAYER],
    "subnets": ["subnet-0a1b2c3d"], "security_groups": ["sg-0c2d3e4f"], "tracing": "Active",
    "reserved_concurrency": 5, "environment": {"LEVEL": "info"}, "secrets": {"DB_PASSWORD": SECRET},
    "log_retention": 14, "api": "rest", "api_keys": ["partner-a", "partner_b"],
    "usage_plan": {"rate": 10, "burst": 20, "quota": 10000, "period": "WEEK"},
}


def service(body: dict[str, Any]) -> TechMicroService:
    cls = type("Inventory", (TechMicroService,), {**body, "get": entry(lambda self: "ok")})
    return cls()


def test_every_setting_is_read_from_one_lambda_object_under_any_name() -> None:
    declared = read(service({"deployment": Lambda(**EVERYTHING)}))
    assert declared == Declarations(
        requirements=("requests>=2.31",), permissions=((("s3:GetObject",), ("arn:aws:s3:::stock/*",)),), memory=256,
        timeout=20, architecture="arm64", environment=(("LEVEL", "info"),), log_retention=14, python_version="3.12",
        ephemeral_storage=1024, layers=(LAYER,), subnets=("subnet-0a1b2c3d",), security_groups=("sg-0c2d3e4f",),
        tracing="Active", reserved_concurrency=5, secrets=(("DB_PASSWORD", SECRET),), api="rest",
        api_keys=("partner-a", "partner_b"), usage_plan=Limits(10.0, 20, 10000, "WEEK"))
    assert declared.variables == {"LEVEL": "info", "DB_PASSWORD": SECRET}
    assert set(EVERYTHING) == set(SETTINGS)  # the test declares every setting there is


def test_class_attributes_declare_the_same_settings() -> None:
    assert read(service(dict(EVERYTHING))) == read(service({"settings": Lambda(**EVERYTHING)}))


def test_defaults_when_nothing_is_declared() -> None:
    declared = read(service({}))
    assert (declared.memory, declared.timeout, declared.ephemeral_storage, declared.tracing, declared.layers,
            declared.subnets, declared.reserved_concurrency, declared.api) == (
        128, 30, 512, "PassThrough", (), (), None, "http")


@given(st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True).filter(lambda n: n not in SETTINGS))
def test_an_unknown_keyword_is_refused_when_the_class_body_runs(name: str) -> None:
    with pytest.raises(ServiceError, match=rf"Lambda\(\) has no setting '{name}'.*: the settings are requirements"):
        Lambda(**{name: 1})


@pytest.mark.parametrize(("written", "meant"), [
    ("layer", "layers"), ("memroy", "memory"), ("vpc_config", "subnets and security_groups"),
    ("memory_size", "memory"), ("tracing_config", "tracing"), ("runtime", "python_version"),
    ("reserved_concurrent_executions", "reserved_concurrency"), ("timeuot", "timeout")])
def test_the_refusal_names_the_setting_meant(written: str, meant: str) -> None:
    with pytest.raises(ServiceError, match=rf"'{written}' \(did you mean {meant}\?\)"):
        Lambda(**{written: 1})


@pytest.mark.parametrize(("written", "meant"), [("layer", "layers"), ("vpc_config", "subnets and security_groups"),
                                                ("tracing_mode", "tracing"), ("memory_size", "memory")])
def test_a_class_attribute_that_looks_like_a_setting_is_refused_not_ignored(written: str, meant: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"Inventory.{written} is not a deployment setting, so it would be "
                                                 rf"ignored \(did you mean {meant}\?\)"):
        read(service({written: ["x"]}))


def test_other_class_attributes_are_the_services_own() -> None:
    assert read(service({"PAGE_SIZE": 20, "greeting": "hello", "cors": True, "max_form_parts": 5000,
                         "max_items": 10, "cores": 4, "cost": 1})).memory == 128


@pytest.mark.parametrize(("written", "meant"), [("max_parts", "max_form_parts"), ("max_form_part", "max_form_parts"),
                                                ("form_parts", "max_form_parts")])
def test_a_class_attribute_that_looks_like_one_of_the_services_is_refused_not_ignored(written: str,
                                                                                     meant: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"Inventory.{written} is no attribute of TechMicroService, so it "
                                                 rf"would be ignored \(did you mean {meant}\?\)"):
        read(service({written: 5000}))


def test_a_setting_given_both_ways_or_two_lambda_objects_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="declares memory twice"):
        read(service({"memory": 256, "settings": Lambda(memory=512)}))
    with pytest.raises(ConfigurationError, match="several Lambda"):
        read(service({"a": Lambda(memory=256), "b": Lambda(timeout=3)}))


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("memory", 64, "128 to 10240"), ("timeout", 901, "1 to 900"), ("ephemeral_storage", 256, "512 to 10240"),
    ("tracing", "On", "'Active'"), ("reserved_concurrency", -1, "whole number of executions"),
    ("layers", ["pg"], "layer version ARN"), ("layers", [LAYER.replace(":3", f":{i}") for i in range(6)], "at most 5"),
    ("subnets", ["vpc-1"], "subnet id"), ("secrets", {"DB": "hunter2"}, "Secrets Manager ARN"),
    ("architecture", "arm", "'x86_64' or 'arm64'"), ("log_retention", 2, "CloudWatch keeps logs"),
    ("api", "graphql", "'http'"), ("python_version", "3.8", "Lambda runs Python")])
def test_a_bad_value_is_refused_in_one_sentence(setting: str, value: Any, says: str) -> None:
    extra = {"security_groups": ["sg-0c2d3e4f"]} if setting == "subnets" else {}
    with pytest.raises(ConfigurationError, match=says) as caught:
        read(service({"settings": Lambda(**{setting: value}, **extra)}))
    assert str(caught.value).startswith(f"Inventory.{setting} is not valid:")


def test_a_vpc_needs_subnets_and_security_groups() -> None:
    with pytest.raises(ConfigurationError, match="needs both subnets and security_groups"):
        read(service({"subnets": ["subnet-0a1b2c3d"]}))


def test_a_rest_api_is_declared_with_its_keys_and_usage_plan() -> None:
    declared = read(service({"settings": Lambda(api="rest", api_keys=["partner-a"], usage_plan={"quota": 500})}))
    assert (declared.api, declared.api_keys, declared.usage_plan) == ("rest", ("partner-a",),
                                                                      Limits(None, None, 500, "MONTH"))
    alone = read(service({"settings": Lambda(api="rest", api_keys=["partner-a"])}))
    assert alone.usage_plan == Limits()  # a plan without limits: API Gateway lets keys in through a plan only
    assert read(service({"api": "rest"})).usage_plan is None


@pytest.mark.parametrize(("settings", "says"), [
    ({"api_keys": ["a"]}, r"Inventory.api_keys needs a REST API \(HTTP APIs have no API keys nor usage plans\): "
                          "write api='rest'"),
    ({"usage_plan": {"quota": 5}}, "Inventory.usage_plan needs a REST API"),
    ({"api": "rest", "usage_plan": {"quota": 5}}, r"usage_plan meters API keys, and Inventory declares none: add "
                                                  r"api_keys=\[...\]"),
    ({"api": "rest", "api_keys": "partner-a"}, "api_keys is not valid: it is a list of key names"),
    ({"api": "rest", "api_keys": ["a b"]}, "each of letters, digits, '-' and '_'"),
    ({"api": "rest", "api_keys": ["a", "a"]}, "each name comes once"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"rat": 5}}, r"no limit 'rat' \(did you mean rate\?\): the "
                                                                    "limits are rate, burst, quota, period"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"rate": 5}}, "declares rate alone: a throttle needs both"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"rate": 0, "burst": 1}}, "requests per second above 0"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"rate": 1, "burst": 5001}}, "from 1 to 5000"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"rate": True, "burst": 1}}, "requests per second"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"quota": 0}}, "quota is a whole number of requests"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"quota": 9, "period": "YEAR"}}, "DAY, WEEK, MONTH"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": {"period": "DAY"}}, "declares a period without a quota"),
    ({"api": "rest", "api_keys": ["a"], "usage_plan": [10]}, 'it is a dict like {"rate": 10'),
])
def test_a_bad_key_or_usage_plan_is_refused_in_one_sentence(settings: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        read(service({"settings": Lambda(**settings)}))


def test_a_secret_and_a_variable_of_one_name_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="DB both in environment and in secrets"):
        read(service({"settings": Lambda(environment={"DB": "x"}, secrets={"DB": SECRET})}))


def test_a_blueprint_declares_what_its_code_needs_only() -> None:
    class Mailer(Blueprint):
        settings = Lambda(requirements=["jinja2>=3.1,<4"], permissions=[("ses:SendEmail", "*")])

    class Greedy(Blueprint):
        settings = Lambda(memory=1024)

    app = service({"requirements": ["requests>=2.31"]})
    app.register_blueprint(Mailer(), "/mail")
    assert read(app).requirements == ("requests>=2.31", "jinja2>=3.1,<4")
    app.register_blueprint(Greedy(), "/greedy")
    with pytest.raises(ConfigurationError, match="The blueprint Greedy declares memory: a blueprint declares only"):
        read(app)


@given(memory=st.integers(128, 10240), timeout=st.integers(1, 900), storage=st.integers(512, 10240),
       tracing=st.sampled_from(["Active", "PassThrough"]), concurrency=st.none() | st.integers(0, 3000),
       retention=st.sampled_from([1, 7, 30, 365, 3653]))
def test_any_value_within_lambdas_limits_is_read_as_declared(memory: int, timeout: int, storage: int, tracing: str,
                                                             concurrency: int | None, retention: int) -> None:
    declared = read(service({"settings": Lambda(memory=memory, timeout=timeout, ephemeral_storage=storage,
                                                tracing=tracing, reserved_concurrency=concurrency,
                                                log_retention=retention)}))
    assert (declared.memory, declared.timeout, declared.ephemeral_storage, declared.tracing,
            declared.reserved_concurrency, declared.log_retention) == (memory, timeout, storage, tracing,
                                                                        concurrency, retention)


@given(st.sampled_from([("memory", 128, 10240), ("timeout", 1, 900), ("ephemeral_storage", 512, 10240)]),
       st.integers(-10**6, 10**6))
def test_a_whole_number_outside_the_limits_is_refused_naming_the_setting(limits: tuple[str, int, int],
                                                                         value: int) -> None:
    setting, low, high = limits
    if low <= value <= high:
        assert getattr(read(service({setting: value})), setting) == value
        return
    with pytest.raises(ConfigurationError, match=rf"^Inventory\.{setting} is not valid: it is a whole number"):
        read(service({setting: value}))
