"""coworks_odoo: Odoo as a Coworks technical service."""
