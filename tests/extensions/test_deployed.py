"""The three services deployed on the embedded local cloud, each with its declared requirements
installed into the zip as manylinux wheels, called through the HTTP API and as a workflow Task.

The zip must carry everything: the local Lambda workers will stop seeing the deploying machine's
site-packages (issue 10), so each test also checks that the package holds the extension and its
requirements. A user's own service that mounts an extension blueprint is the case the packager
does not cover yet (see the xfail's reason)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from coworks_jinja import JinjaService
from coworks_mail import MailService
from coworks_odoo import OdooService

from .conftest import USERS
from .odooserver import DATABASE, OdooServer
from .odooserver import USERS as ODOO_USERS
from .smtpserver import SmtpServer
from .tls import Certificate

pytestmark = pytest.mark.localcloud


def shipped(deployment: Any) -> set[str]:
    return set(deployment.package.files)


def test_mail_deployed_sends_through_http_and_as_a_task(cloud: Any, smtp: SmtpServer, cert: Certificate) -> None:
    import boto3

    from coworks.biz import Ref, Task, Workflow

    ssm = boto3.client("ssm", endpoint_url=cloud.endpoint_url, region_name="us-east-1")
    ssm.put_parameter(Name="/shop/smtp-password", Value=USERS["shop"], Type="SecureString")
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter/shop/smtp-password"
    mail = MailService("mail")
    deployment = cloud.deploy(mail, stage="dev", settings={  # the password by reference, read by the function
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_LOGIN": "shop",
        "MAIL_PASSWORD": arn, "MAIL_CA_FILE": str(cert.cert_file),
        "MAIL_DEFAULT_SENDER": "Shop <shop@example.com>"})
    files = shipped(deployment)
    assert {"coworks_mail/transport.py", "coworks_jinja/renderer.py", "coworks_ext/settings.py",
            "jinja2/__init__.py", "markupsafe/__init__.py"} <= files
    deployment.apply()
    answer = requests.post(deployment.url + "/send", json={"to": "ann@example.com", "subject": "Deployed",
                                                           "text": "From the local cloud."}, timeout=60)
    assert answer.status_code == 202, answer.text
    assert smtp.received[-1].rcpt_tos == ["ann@example.com"] and smtp.logins[-1] == ("shop", True)
    assert USERS["shop"] not in str(deployment.plan()) and USERS["shop"] not in answer.text
    logged = "\n".join(record.message for record in cloud.logs("mail", since="10m"))
    assert '"path":"/send"' in logged.replace(" ", "") and USERS["shop"] not in logged
    refused = requests.post(deployment.url + "/send", json={"to": "nobody@example.com", "subject": "x"}, timeout=60)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "to"

    wf = Workflow("welcome-mail", Task(mail.send, to=Ref("$.email"), subject="Welcome", text_template="Hi {{ name }}",
                                       data=Ref("$.customer"), result_path="$.sent"))
    cloud.deploy_workflow(wf, stage="dev").apply()
    execution = cloud.wait_execution(cloud.start_execution(wf, {"email": "bob@example.com",
                                                                "customer": {"name": "Bob"}}), timeout=120,
                                     interval=0.1)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert smtp.received[-1].rcpt_tos == ["bob@example.com"] and b"Hi Bob" in smtp.received[-1].content


def test_jinja_deployed_renders_from_s3_through_http_and_as_a_task(cloud: Any) -> None:
    import boto3

    from coworks.biz import Ref, Task, Workflow

    s3 = boto3.client("s3", endpoint_url=cloud.endpoint_url, region_name="us-east-1")
    s3.create_bucket(Bucket="letters")
    s3.put_object(Bucket="letters", Key="t/invoice.html", Body=b"<p>{{ who }} owes {{ total | money('EUR') }}</p>")
    jinja = JinjaService("jinja")
    deployment = cloud.deploy(jinja, stage="dev", settings={"JINJA_TEMPLATES": "s3://letters/t/"})
    assert {"coworks_jinja/sandbox.py", "jinja2/sandbox.py"} <= shipped(deployment)
    deployment.apply()
    answer = requests.post(deployment.url + "/render", json={"template_name": "invoice.html", "output": "html",
                                                             "context": {"who": "<Ann>", "total": 12.5}}, timeout=60)
    assert (answer.status_code, answer.text) == (200, "<p>&lt;Ann&gt; owes €12.50</p>")
    escape = requests.post(deployment.url + "/render", json={"template": "{{ ''.__class__ }}"}, timeout=60)
    assert escape.status_code == 422

    wf = Workflow("letter", Task(jinja.render, template="Dear {{ name }}", context=Ref("$"), result_path="$.letter"))
    cloud.deploy_workflow(wf, stage="dev").apply()
    execution = cloud.wait_execution(cloud.start_execution(wf, {"name": "Ann"}), timeout=120, interval=0.1)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert execution.output["letter"]["body"] == "Dear Ann"


def test_odoo_deployed_searches_through_http_and_as_a_task(cloud: Any) -> None:
    from coworks.biz import Ref, Task, Workflow

    server = OdooServer()
    try:
        odoo = OdooService("odoo")
        deployment = cloud.deploy(odoo, stage="dev", settings={
            "ODOO_URL": server.url, "ODOO_DATABASE": DATABASE, "ODOO_USER": "admin",
            "ODOO_API_KEY": ODOO_USERS["admin"][1], "ODOO_PROTOCOL": "xmlrpc"})
        assert "coworks_odoo/client.py" in shipped(deployment)
        deployment.apply()
        answer = requests.post(deployment.url + "/search/res.partner", json={"domain": [["city", "=", "Paris"]],
                                                                             "fields": ["name"]}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert [r["name"] for r in answer.json()["records"]] == ["Deco Addict", "Ann Smith"]
        assert requests.get(deployment.url + "/record/res.partner/999", timeout=60).status_code == 404

        wf = Workflow("partner", Task(odoo.get_record, model="res.partner", record_id=Ref("$.id"),
                                      result_path="$.partner"))
        cloud.deploy_workflow(wf, stage="dev").apply()
        execution = cloud.wait_execution(cloud.start_execution(wf, {"id": 4}), timeout=120, interval=0.1)
        assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
        assert execution.output["partner"]["body"]["name"] == "Bob Stone"
    finally:
        server.stop()


SHOP = '''
from coworks import TechMicroService, entry
from coworks_mail import MailBlueprint


class Shop(TechMicroService):
    """A user's service that mounts the mail blueprint."""

    requirements = MailBlueprint.requirements

    @entry
    def get(self):
        return "open"


app = Shop("shop")
app.register_blueprint(MailBlueprint(), "/mail")
'''


def test_a_users_service_mounting_the_mail_blueprint_deploys(cloud: Any, smtp: SmtpServer, cert: Certificate,
                                                               tmp_path: Path) -> None:
    (tmp_path / "shop_with_mail.py").write_text(SHOP)
    sys.path.insert(0, str(tmp_path))
    try:
        deployment = cloud.deploy("shop_with_mail:app", stage="dev", settings={
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_LOGIN": "shop",
            "MAIL_PASSWORD": USERS["shop"], "MAIL_CA_FILE": str(cert.cert_file),
            "MAIL_DEFAULT_SENDER": "shop@example.com"})
        assert {"coworks_mail/service.py", "coworks_jinja/renderer.py", "coworks_ext/settings.py",
                "jinja2/__init__.py"} <= shipped(deployment)
        deployment.apply()
        answer = requests.post(deployment.url + "/mail/send", json={"to": "ann@example.com", "subject": "x",
                                                                    "text": "x"}, timeout=60)
        assert answer.status_code == 202, answer.text
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shop_with_mail", None)
