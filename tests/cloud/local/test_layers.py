"""A declared layer on the local cloud: its ARN resolves to a layer version published there, and
the worker finds its content where Lambda puts it (``/opt/python``), read-only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import write_module

pytestmark = pytest.mark.localcloud

LAYERED = '''
import os

from coworks import Lambda, TechMicroService, entry


class Layered(TechMicroService):
    """Reads a module its layer brings."""

    settings = Lambda(layers={layers!r}, memory=256, timeout=5)

    @entry
    def get(self):
        import helper

        return {{"value": helper.VALUE, "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
                 "file": helper.__file__}}

    @entry
    def post_write(self):
        import helper

        try:
            open(os.path.join(os.path.dirname(helper.__file__), "x"), "w")
        except OSError as exc:
            return {{"errno": exc.errno}}
        return {{"errno": 0}}


app = Layered("layered")
'''


def publish(cloud: Any, name: str, value: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/helper.py", f"VALUE = {value!r}\n")
    client = cloud.clients.client("lambda")
    answer = client.publish_layer_version(LayerName=name, Content={"ZipFile": buffer.getvalue()})
    return str(answer["LayerVersionArn"])


def test_a_layer_is_unpacked_as_opt_and_a_later_one_overrides_an_earlier(cloud: Any, tmp_path: Path) -> None:
    first, second = publish(cloud, "helpers", "first"), publish(cloud, "overrides", "second")
    target = write_module(tmp_path, LAYERED.format(layers=[first]))
    deployment = cloud.deploy(target, stage="dev")
    assert any("unless one of its layers does" in w for w in deployment.plan().warnings)
    deployment.apply()
    answer = requests.get(deployment.url + "/", timeout=30).json()
    assert answer["value"] == "first" and answer["memory"] == "256"
    assert Path(answer["file"]).parts[-2:] == ("python", "helper.py")  # the layer's python/ is on the path
    assert requests.post(deployment.url + "/write", timeout=30).json() == {"errno": 30}  # read-only, as /opt is
    both = write_module(tmp_path, LAYERED.format(layers=[first, second]))
    again = cloud.deploy(both, stage="dev")
    assert "layers" in next(a for a in again.plan().changes if a.kind == "lambda function").changes
    again.apply()
    assert requests.get(again.url + "/", timeout=30).json()["value"] == "second"
    cloud.destroy("layered", stage="dev")


def test_a_layer_not_published_here_is_refused_by_the_control_plane(cloud: Any, tmp_path: Path) -> None:
    from coworks.cloud import CloudError

    missing = "arn:aws:lambda:us-east-1:123456789012:layer:nowhere:1"
    deployment = cloud.deploy(write_module(tmp_path, LAYERED.format(layers=[missing])), stage="dev")
    with pytest.raises(CloudError, match="CreateFunction on layered-dev failed"):
        deployment.apply()


def test_a_tracing_or_tmp_change_is_applied_and_read_back(cloud: Any, tmp_path: Path) -> None:
    """moto ignores TracingConfig and EphemeralStorage in UpdateFunctionConfiguration; the local
    cloud applies them as Lambda does, so the next plan has nothing to do."""
    source = LAYERED.replace("layers={layers!r}, ", "").replace("Layered", "Traced").replace('"layered"', '"traced"')
    plain = write_module(tmp_path, source.format())
    cloud.deploy(plain, stage="dev").apply()
    traced = source.replace("memory=256", 'memory=256, tracing="Active", ephemeral_storage=2048')
    target = write_module(tmp_path, traced.format())
    deployment = cloud.deploy(target, stage="dev")
    changes = next(a for a in deployment.plan().changes if a.kind == "lambda function").changes
    assert {"tracing", "ephemeral storage"} <= set(changes)
    deployment.apply()
    config = cloud.clients.client("lambda").get_function_configuration(FunctionName="traced-dev", Qualifier="dev")
    assert config["TracingConfig"] == {"Mode": "Active"} and config["EphemeralStorage"] == {"Size": 2048}
    assert cloud.deploy(target, stage="dev").plan().changes == ()
    cloud.destroy("traced", stage="dev")
