"""Sample service for the workflow tests: the stock of items (deployed as ``wf-inventory``)."""

from coworks import TechMicroService, entry
from coworks.runtime import NotFound


class Inventory(TechMicroService):
    """Stock of items: an item's quantity is its id modulo 7; 404 and 503 are unknown or unavailable."""

    @entry
    def get_item(self, item_id: int):
        if item_id == 404:
            raise NotFound(f"no item {item_id}")
        if item_id == 503:
            return {"message": "the stock database is unavailable"}, 503
        return {"id": item_id, "qty": item_id % 7}


app = Inventory("wf-inventory")
