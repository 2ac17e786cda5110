"""Workflows as YAML: a format for people who don't program, round-tripping with ASL.

::

    # Invoice the orders that are in stock.
    workflow: shop-orders
    states:
      - task: shop-stock.get_item          # service.entry: what the Task calls
        route: GET /item/{item_id}         # only when the path is not the entry's name
        with:
          item_id: $.id                    # a value starting with $ is read from the input
        result_path: $.item
        retry:
          - errors: HTTP503                # one name or a list
            interval: 2                    # seconds
            attempts: 2
            backoff: 2.0
        catch:
          - errors: States.ALL
            then: Unknown item
            result_path: $.error
      - choice: In stock?
        choices:
          - if: $.item.body.qty > 0        # see coworks.biz.yaml.conditions
            then: post_invoice
        otherwise: Out of stock
      - task: shop-billing.post_invoice
        with: {item: $.id, amount: $.item.body.qty}
        end: true
      - pass: Out of stock
        end: true
      - pass: Unknown item                 # the last state ends the workflow

States are listed in order: each one continues to the next unless it says ``next:`` or
``end: true`` (the last one ends). A state starts with its kind and its name (``- pass:
Hello``; a task is named after its entry unless it says ``name:``); a Parallel lists
``branches:`` and a Map its ``do:`` states, each a list of states like the top. Every other
ASL field is written in snake_case (``result_path``, ``items_path``, ``max_concurrency``) with
its ASL value, and any field may be written under its ASL name (``ItemBatcher:``) as it is.

``load(source)`` keeps the document in ruamel.yaml's round-trip form, so comments and layout
survive a load/edit/save cycle; ``document(asl, ...)`` writes a definition in this format, and
``merge`` carries an old document's comments over to a new one. Mistakes are
:class:`YamlError`: every problem with its line and column and what to write instead.
"""

from __future__ import annotations

from .calls import Call, is_reference, named_route
from .documents import dump_workflow, load_source, remember, workflow_document
from .reader import Compiled, compile_document, compile_leniently
from .text import YamlError, YamlProblem, closest, dump, plain, read
from .vocabulary import ENTRY_CALL, FIELDS, KINDS
from .writer import document, flow, item_name, merge

__all__ = [
    "ENTRY_CALL", "FIELDS", "KINDS", "Call", "Compiled", "YamlError", "YamlProblem", "closest", "compile_document",
    "compile_leniently", "document", "dump", "dump_workflow", "flow", "is_reference", "item_name", "load_source",
    "merge", "named_route", "plain", "read", "remember", "workflow_document",
]
