"""coworks_odoo: Odoo as a Coworks technical service (``pip install coworks[odoo]``: nothing more
than the standard library, plus boto3 for a key given by ARN).

    from coworks_odoo import OdooService
    app = OdooService()   # ODOO_URL, ODOO_DATABASE, ODOO_USER, ODOO_API_KEY=arn:aws:ssm:...
    app.test_client().post("/search/res.partner", json={"domain": [["is_company", "=", True]]})

Usable on its own or mounted: ``app.register_blueprint(OdooBlueprint(), "/odoo")``.
"""

from .client import Connection, OdooClient
from .domain import check_domain
from .faults import OdooFault
from .service import REQUIREMENTS, OdooBlueprint, OdooEntries, OdooService

__all__ = ["REQUIREMENTS", "Connection", "OdooBlueprint", "OdooClient", "OdooEntries", "OdooFault", "OdooService",
           "check_domain"]
