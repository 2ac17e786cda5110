"""coworks_mail: sending mail as a Coworks technical service (``pip install coworks[mail]``).

    from coworks_mail import MailService
    app = MailService()     # MAIL_SERVER=smtp.example.com MAIL_LOGIN=... MAIL_PASSWORD=arn:aws:ssm:...
    app.test_client().post("/send", json={"to": "ann@example.com", "subject": "Hi", "text": "Hello"})

Usable on its own or mounted: ``app.register_blueprint(MailBlueprint(), "/mail")``.
"""

from .addresses import Address, AddressError, parse_address
from .attachments import Attachment
from .message import Mail, Part, build
from .service import REQUIREMENTS, MailBlueprint, MailEntries, MailService
from .transport import SmtpSettings, send

__all__ = [
    "REQUIREMENTS",
    "Address",
    "AddressError",
    "Attachment",
    "Mail",
    "MailBlueprint",
    "MailEntries",
    "MailService",
    "Part",
    "SmtpSettings",
    "build",
    "parse_address",
    "send",
]
