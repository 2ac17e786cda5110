"""The Odoo service: read, search, create, write, delete and call model methods, and print report
PDFs, through Odoo's external API.

Settings, under the prefix (``ODOO_`` by default):

    ODOO_URL         https://odoo.example.com (required)
    ODOO_DATABASE    the database name (required)
    ODOO_USER        the login (required)
    ODOO_API_KEY     by reference: an SSM parameter / Secrets Manager ARN, read at run time (required)
    ODOO_PROTOCOL    jsonrpc (default) or xmlrpc
    ODOO_TIMEOUT     seconds per call (default 30)
    ODOO_CA_FILE     a PEM file of CAs to trust besides the system's
    ODOO_MAX_LIMIT   the most records one search returns (default 1000)
    ODOO_MAX_REPORT  the largest PDF returned, in bytes (default 5 MB: Lambda answers at most 6 MB)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coworks_ext import ExtensionBlueprint, MisconfiguredError, Settings, resolve_secret

from coworks import Response, TechMicroService, UnprocessableEntity, entry

from . import report
from .client import PROTOCOLS, Connection, OdooClient
from .domain import METHOD, MODEL, REPORT, check_domain, check_fields, check_name, check_order

REQUIREMENTS: tuple[str, ...] = ()  # the standard library is enough
_ERRORS = {
    403: "Odoo does not let the configured user do this (AccessError)",
    404: "No such record, model or report",
    422: "A bad domain, field, value or name; or Odoo refused the values (ValidationError, UserError)",
    500: "The service is not configured (the message names the setting)",
    502: "Odoo is down, answered badly, or refused the credentials",
    504: "Odoo did not answer within ODOO_TIMEOUT",
}


def _check_ids(ids: list[int], field: str, location: str) -> None:
    if not all(0 < i < 2**63 for i in ids):
        raise UnprocessableEntity([{"field": field, "location": location,
                                    "message": "record ids are whole numbers from 1"}])


class OdooEntries:
    """The entries, shared by the service and the blueprint."""

    prefix = "ODOO_"
    settings: Settings

    def _setup_odoo(self, prefix: str | None, environ: Mapping[str, str] | None) -> None:
        self.settings = Settings(prefix or type(self).prefix, environ)

    def connection(self) -> Connection:
        s = self.settings
        url = s.required("URL", "Odoo's base URL, like https://odoo.example.com").rstrip("/")
        if not url.startswith(("http://", "https://")) or " " in url:
            raise MisconfiguredError(f"{s.name('URL')} is {url[:60]!r}: set it to http(s)://host[:port].")
        key_ref = s.raw("API_KEY")
        if key_ref is None:
            raise MisconfiguredError(f"{s.name('API_KEY')} is not set: set it to the ARN of the API key (or the key).")
        return Connection(url=url, database=s.required("DATABASE", "the Odoo database name"),
                          user=s.required("USER", "the Odoo login"),
                          api_key=resolve_secret(key_ref, s.name("API_KEY")),
                          protocol=s.choice("PROTOCOL", PROTOCOLS, "jsonrpc"),
                          timeout=s.number("TIMEOUT", 30.0, 0.01, 900.0), ca_file=s.text("CA_FILE"))

    def client(self) -> OdooClient:
        return OdooClient(self.connection())

    def _limit(self, limit: int | None) -> int:
        most = self.settings.integer("MAX_LIMIT", 1000, 1, 100_000)
        if limit is None:
            return min(80, most)
        if not 1 <= limit <= most:
            raise UnprocessableEntity([{"field": "limit", "location": "body",
                                        "message": f"must be from 1 to {most} (the MAX_LIMIT setting)"}])
        return limit

    @entry(responses=_ERRORS)
    def get(self) -> dict[str, Any]:
        """The Odoo this service talks to and its version (no login needed, no secret shown)."""
        conn = self.connection()
        version = OdooClient(conn).version()
        return {"url": conn.url, "database": conn.database, "user": conn.user, "protocol": conn.protocol,
                "server_version": version.get("server_version")}

    @entry(responses=_ERRORS)
    def get_record(self, model: str, record_id: int, *, fields: list[str] | None = None) -> dict[str, Any]:
        """One record by id.

        :param model: the model, like res.partner
        :param record_id: the record's id
        :param fields: the fields to read (default: all)
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        _check_ids([record_id], "record_id", "path")
        kwargs = {"fields": check_fields(fields)} if fields else {}
        found = self.client().execute(model, "read", [[record_id]], kwargs, where=f"read {model} {record_id}")
        if not found:  # older Odoo versions answer [] for a missing id instead of a MissingError
            from coworks import NotFound

            raise NotFound(f"Odoo has no {model} record {record_id}.")
        return found[0]  # type: ignore[no-any-return]

    @entry(responses=_ERRORS)
    def get_records(self, model: str, *, ids: list[int], fields: list[str] | None = None) -> list[dict[str, Any]]:
        """Several records by id, in the order Odoo gives them.

        :param ids: the ids to read (repeat the query parameter: ids=1&ids=2)
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        most = self.settings.integer("MAX_LIMIT", 1000, 1, 100_000)
        if not 1 <= len(ids) <= most:
            raise UnprocessableEntity([{"field": "ids", "location": "query",
                                        "message": f"give from 1 to {most} ids (the MAX_LIMIT setting)"}])
        _check_ids(ids, "ids", "query")
        kwargs = {"fields": check_fields(fields)} if fields else {}
        return self.client().execute(model, "read", [ids], kwargs, where=f"read {model} {ids}")  # type: ignore[no-any-return]

    @entry(responses=_ERRORS)
    def search(self, model: str, *, domain: list[Any] | None = None, fields: list[str] | None = None,
               order: str | None = None, limit: int | None = None, offset: int = 0) -> dict[str, Any]:
        """Records matching a domain, a page at a time, with the total count.

        :param domain: Odoo's filter: [["is_company", "=", true], "|", ["city", "=", "Paris"], ...]
        :param fields: the fields to return (default: all)
        :param order: like "name asc, id desc"
        :param limit: records per page (default 80)
        :param offset: records to skip
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        checked = check_domain(domain or [])
        if offset < 0:
            raise UnprocessableEntity([{"field": "offset", "location": "body", "message": "must be 0 or more"}])
        page = self._limit(limit)
        kwargs: dict[str, Any] = {"offset": offset, "limit": page}
        if fields:
            kwargs["fields"] = check_fields(fields)
        if order:
            kwargs["order"] = check_order(order)
        client = self.client()
        where = f"search {model}"
        records = client.execute(model, "search_read", [checked], kwargs, where=where, field="domain")
        total = client.execute(model, "search_count", [checked], {}, where=where, field="domain") \
            if len(records) == page or offset else len(records)
        return {"records": records, "total": total, "offset": offset, "limit": page}

    @entry(responses=_ERRORS)
    def post_record(self, model: str, *, values: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Create a record; answers its id.

        :param values: the new record's field values
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        created = self.client().execute(model, "create", [values], where=f"create a {model}", field="values")
        return {"id": created[0] if isinstance(created, list) else created}, 201

    @entry(responses=_ERRORS)
    def put_record(self, model: str, record_id: int, *, values: dict[str, Any]) -> dict[str, Any]:
        """Write field values on a record.

        :param values: the fields to change
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        _check_ids([record_id], "record_id", "path")
        self.client().execute(model, "write", [[record_id], values], where=f"write {model} {record_id}",
                              field="values")
        return {"id": record_id, "updated": sorted(values)}

    @entry(responses=_ERRORS)
    def delete_record(self, model: str, record_id: int) -> None:
        """Delete a record."""
        check_name(model, MODEL, "model", "a model name like res.partner")
        _check_ids([record_id], "record_id", "path")
        self.client().execute(model, "unlink", [[record_id]], where=f"delete {model} {record_id}")

    @entry(responses=_ERRORS)
    def call(self, model: str, method: str, *, args: list[Any] | None = None,
             kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a public model method, like action_confirm on sale.order.

        :param args: its positional arguments (for record methods, the ids first: [[7]])
        :param kwargs: its keyword arguments
        """
        check_name(model, MODEL, "model", "a model name like res.partner")
        check_name(method, METHOD, "method", "a public method name (Odoo refuses those starting with _)")
        result = self.client().execute(model, method, list(args or []), dict(kwargs or {}),
                                       where=f"call {model}.{method}", field="args")
        return {"result": result}

    @entry(responses=_ERRORS)
    def get_report(self, report_name: str, ids: str) -> Response:
        """A report's PDF, like account.report_invoice for invoices 7,8.

        :param report_name: the report's technical name
        :param ids: the record ids, comma-separated
        """
        check_name(report_name, REPORT, "report_name", "a report name like account.report_invoice")
        parts = ids.split(",")
        if not all(p.isdigit() and len(p) < 12 for p in parts) or len(parts) > 100:
            raise UnprocessableEntity([{"field": "ids", "location": "path",
                                        "message": "must be up to 100 record ids, comma-separated, like 7,8"}])
        numbers = [int(p) for p in parts]
        _check_ids(numbers, "ids", "path")
        pdf = report.download(self.connection(), report_name, numbers,
                              self.settings.integer("MAX_REPORT", 5 * 1024 * 1024, 1, 6 * 1024 * 1024))
        filename = f"{report_name.rsplit('.', 1)[-1]}-{'-'.join(parts)}.pdf"
        return Response(pdf, 200, {"Content-Type": "application/pdf",
                                   "Content-Disposition": f'inline; filename="{filename}"'})


class OdooService(OdooEntries, TechMicroService):
    """Odoo's records, methods and reports over its external API (XML-RPC or JSON-RPC)."""

    requirements = REQUIREMENTS

    def __init__(self, name: str | None = None, *, prefix: str | None = None,
                 environ: Mapping[str, str] | None = None, **options: Any) -> None:
        super().__init__(name or "odoo", **options)
        self._setup_odoo(prefix, environ)



class OdooBlueprint(OdooEntries, ExtensionBlueprint):
    """The Odoo entries to mount in your own service: ``app.register_blueprint(OdooBlueprint(), "/odoo")``."""

    requirements = REQUIREMENTS

    def __init__(self, *, prefix: str | None = None, environ: Mapping[str, str] | None = None) -> None:
        self._setup_odoo(prefix, environ)
