"""The multipart limits on a running local cloud: a deployed service behind the front door reads a
1,000-part form whole, and answers 413 naming ``max_form_parts`` to 40,000 parts, through real HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from urllib3 import encode_multipart_formdata

pytestmark = pytest.mark.localcloud

FORMS = '''
from coworks import TechMicroService, UploadedFile, entry


class MpForms(TechMicroService):
    @entry
    def post_form(self):
        return {name: [v.filename + ":" + v.content.decode() if isinstance(v, UploadedFile) else v for v in values]
                for name, values in self.request.form().items()}


app = MpForms()
'''


@pytest.fixture(scope="module")
def url(cloud: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service deployed as a user deploys it: ``cloud.deploy("mpforms:app")``, then apply."""
    directory = str(tmp_path_factory.mktemp("mpforms"))
    with open(f"{directory}/mpforms.py", "w") as file:
        file.write(FORMS)
    sys.path.insert(0, directory)
    try:
        deployment = cloud.deploy("mpforms:app", stage="dev")
        deployment.apply()
        yield deployment.url
        cloud.destroy("mpforms:app", stage="dev")
    finally:
        sys.path.remove(directory)
        sys.modules.pop("mpforms", None)


def parts(count: int) -> tuple[bytes, str]:
    body = b"".join(b'--b0\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n%d\r\n' % (i, i) for i in range(count))
    return body + b"--b0--\r\n", "multipart/form-data; boundary=b0"


def test_a_thousand_parts_are_read_whole_by_a_deployed_service(url: str) -> None:
    fields = [(f"text{i}", f"välue {i}") if i % 2 else (f"file{i}", (f"{i}.txt", f"content {i}".encode()))
              for i in range(1000)]
    body, ctype = encode_multipart_formdata(fields)
    response = requests.post(url + "/form", data=body, headers={"Content-Type": ctype}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json() == {name: [value if isinstance(value, str) else f"{value[0]}:{value[1].decode()}"]
                               for name, value in fields}


def test_more_parts_than_max_form_parts_are_413_from_the_deployed_service(url: str) -> None:
    for count in (40_000, 1001):
        body, ctype = parts(count)
        response = requests.post(url + "/form", data=body, headers={"Content-Type": ctype}, timeout=60)
        assert response.status_code == 413, (count, response.text)
        assert response.json() == {"message": "The form has more than 1000 parts: send fewer, or raise the service's "
                                              "max_form_parts (a class attribute, 1000 by default)."}
    body, ctype = parts(1000)
    assert requests.post(url + "/form", data=body, headers={"Content-Type": ctype}, timeout=60).status_code == 200
