"""The business services' settings for the runbooks, secrets by reference.

A runbook is given the *name* of an environment variable, never a secret (papermill writes
parameters into the executed notebook), and deploys a reference to it, never its value (a
Lambda's environment is readable by anyone who may read the function).
"""

from __future__ import annotations

import os
from typing import Any

from business.sink import SmtpSink


def secret_reference(cloud: Any, variable: str, parameter: str) -> str | None:
    """The ARN a service setting should hold for the secret in ``$variable``: the variable's value
    when it is already an SSM parameter or Secrets Manager ARN; on the embedded local cloud, the
    ARN of a SecureString parameter ``parameter`` written there with the value. None when unset."""
    from coworks.cloud import LocalCloud

    value = os.environ.get(variable, "") if variable else ""
    if not value:
        return None
    if value.startswith("arn:aws:"):
        return value
    if not isinstance(cloud, LocalCloud):
        raise ValueError(f"${variable} holds the secret itself: on a real cloud, keep it in SSM Parameter Store or "
                         f"Secrets Manager and set ${variable} to its ARN.")
    cloud.clients.client("ssm").put_parameter(Name=parameter, Value=value, Type="SecureString", Overwrite=True)
    return f"arn:aws:ssm:{cloud.region}:{cloud.account}:parameter{parameter}"


def mail_settings(cloud: Any, stage: str, *, server: str, port: int, security: str, login: str, password_env: str,
                  sender: str) -> tuple[dict[str, str], SmtpSink | None]:
    """The Mail service's settings, and the local SMTP sink they point at when no server is given
    (on the embedded local cloud only: a real cloud cannot reach this machine)."""
    from coworks.cloud import LocalCloud

    sink = None
    if server:
        settings = {"MAIL_SERVER": server, "MAIL_PORT": str(port), "MAIL_SECURITY": security}
        if login:
            settings["MAIL_LOGIN"] = login
            password = secret_reference(cloud, password_env, f"/coworks/{stage}/smtp-password")
            if password is None:
                raise ValueError(f"${password_env} is not set: set it to the SMTP password of {login} (or its ARN).")
            settings["MAIL_PASSWORD"] = password
    elif isinstance(cloud, LocalCloud):
        sink = SmtpSink()
        settings = sink.settings()
    else:
        raise ValueError("A real cloud cannot reach this notebook's SMTP sink: give smtp_server (and smtp_login).")
    settings["MAIL_DEFAULT_SENDER"] = sender
    return settings, sink


def odoo_settings(cloud: Any, stage: str, *, url: str, database: str, user: str, key_env: str,
                  protocol: str) -> dict[str, str]:
    """The Odoo service's settings; none without a URL (the service then says ODOO_URL is not set)."""
    if not url:
        return {}
    key = secret_reference(cloud, key_env, f"/coworks/{stage}/odoo-api-key")
    if key is None:
        raise ValueError(f"${key_env} is not set: set it to the Odoo API key of {user} (or its ARN).")
    return {"ODOO_URL": url, "ODOO_DATABASE": database, "ODOO_USER": user, "ODOO_PROTOCOL": protocol,
            "ODOO_API_KEY": key}
