"""The business workflows of the runbooks (invoicing, dashboards) and what those runbooks share.

Kept apart from ``samples`` (the sample services): a service deployed from a package ships the
whole package, and these modules import the extensions and aiosmtpd, which no Lambda needs.
"""
