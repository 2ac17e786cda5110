"""A service that shares its name with a workflow (``wf-orders``) and has a schedule: the two
must never take each other's EventBridge rules."""

from coworks import TechMicroService, entry, schedule


class Clock(TechMicroService):
    """Ticks."""

    @entry
    def get(self):
        return "tick"

    @schedule("rate(1 hour)")
    def tick(self):
        return "ticked"


app = Clock("wf-orders")
