"""What reaches pip (``coworks/cloud/packaging/requirements.py``): declared requirements are PEP 508
requirements or refused with a sentence, at plan time; indexes go through ``pip_options`` only,
and only the options that say where and what to fetch."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from coworks import Lambda, TechMicroService, entry
from coworks.cloud import ConfigurationError, PackagingError, build_package
from coworks.cloud.packaging import requirements
from coworks.cloud.packaging.declarations import read

PROPERTY = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def service(wanted: Any, *, as_lambda: bool = False) -> TechMicroService:
    body: dict[str, Any] = {"settings": Lambda(requirements=wanted)} if as_lambda else {"requirements": wanted}
    return type("Shop", (TechMicroService,), {**body, "get": entry(lambda self: "ok")})()


@pytest.mark.parametrize("text", ["-r requirements.txt", "--index-url=https://evil.example/simple", "-e .",
                                  "--extra-index-url https://x.example", "-i https://x.example", "--pre"])
def test_a_pip_option_in_requirements_is_refused_naming_pip_options(text: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        read(service(["requests>=2.31", text]))
    message = str(caught.value)
    assert message.startswith(f"Shop.requirements has {text!r}, a pip option, not a requirement")
    assert "pip_options=('--index-url', URL)" in message and message.endswith(".")


@pytest.mark.parametrize("text", ["requests >= 2.31 !", "https://example.com/pkg.whl", "requests==",
                                  "requests; python_version >", "[extra]", "pkg @", "requests\n--index-url x"])
def test_a_string_that_is_not_a_requirement_is_refused_at_plan_time(text: str) -> None:
    app = service([text], as_lambda=True)  # declaring it is fine; the plan (read) refuses it
    with pytest.raises(ConfigurationError, match=r"which is not a requirement \(PEP 508\): write a distribution"):
        read(app)


def test_the_build_refuses_before_pip_runs(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="'--index-url=https://x.example', a pip option"):
        build_package(service(["--index-url=https://x.example"]), cache_dir=tmp_path)
    with pytest.raises(PackagingError, match="'--target', which a deploy does not pass to pip"):
        build_package(service([]), pip_options=("--target", str(tmp_path)), cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # pip never ran


def test_requirements_as_pip_reads_them_are_kept_as_declared() -> None:
    wanted = ["requests[socks]==2.32.3", "boto3 >= 1.34, < 2", "tomli; python_version < '3.11'",
              "tinydep @ https://files.example/tinydep-1.0-py3-none-any.whl", "attrs~=23.1"]
    assert read(service(wanted)).requirements == tuple(wanted)


names = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?\Z")
versions = st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,3}){0,2}\Z")
specifiers = st.lists(st.tuples(st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~="]), versions),
                      max_size=3).map(lambda s: ",".join(op + v for op, v in s if op != "~=" or "." in v))
markers = st.sampled_from(["", "; python_version >= '3.9'", "; sys_platform == 'linux'",
                           "; platform_machine == 'aarch64' and python_version < '3.13'"])
extras = st.lists(names, max_size=2).map(lambda e: f"[{','.join(e)}]" if e else "")
valid = st.builds(lambda n, e, s, m: f"{n}{e}{s}{m}", names, extras, specifiers, markers)


@PROPERTY
@given(valid)
def test_every_pep_508_requirement_is_accepted(text: str) -> None:
    Requirement(text)  # the generator's own check: pip would read it
    assert read(service([text])).requirements == (text,)


@PROPERTY
@given(st.text(alphabet=string.printable, max_size=30).map(lambda t: "-" + t))
def test_every_option_like_string_is_refused(text: str) -> None:
    if not text.strip():
        return
    with pytest.raises(ConfigurationError, match="a pip option, not a requirement"):
        read(service([text]))


@PROPERTY
@given(st.text(min_size=1, max_size=40))
def test_any_string_is_accepted_as_pip_would_or_refused_with_coworks_error(text: str) -> None:
    try:
        declared = read(service([text]))
    except ConfigurationError as exc:
        assert str(exc).endswith(".") and "requirements" in str(exc)
        return
    stripped = text.strip()
    assert declared.requirements == (stripped,) and not stripped.startswith("-")
    try:
        Requirement(stripped)
    except InvalidRequirement:  # pragma: no cover - what the test is there to catch
        pytest.fail(f"{stripped!r} was accepted but pip would not read it")


# -- pip_options ------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    ("--index-url", "https://pypi.example/simple"), ("--index-url=https://pypi.example/simple",),
    ("-i", "https://pypi.example/simple", "--extra-index-url", "https://more.example/simple"),
    ("--no-index", "--find-links", "/wheels"), ("--trusted-host", "pypi.example", "--pre", "--timeout", "5"),
])
def test_the_documented_pip_options_are_taken(options: tuple[str, ...]) -> None:
    requirements.check_pip_options(options)


@pytest.mark.parametrize(("options", "words"), [
    (("--target", "/"), "'--target', which a deploy does not pass to pip"),
    (("--platform=win_amd64",), "which a deploy does not pass to pip"),
    (("-r", "requirements.txt"), "'-r', which a deploy does not pass to pip"),
    (("--constraint", "c.txt"), "which a deploy does not pass to pip"),
    (("-e", "."), "which a deploy does not pass to pip"),
    (("requests",), "'requests', which is not an option: declare requirements on the service"),
    (("--index-url",), "gives --index-url no value"),
    (("--index-url", "--pre"), "gives --index-url no value"),
    (("--pre=yes",), "which a deploy does not pass to pip"),
    ("--index-url https://x.example", "pip_options is the string"),
])
def test_other_pip_options_are_refused_with_a_sentence(options: Any, words: str, tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match=words.replace("(", r"\(").replace(")", r"\)")):
        requirements.install(("tinydep",), pip_options=options, cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # pip never ran
