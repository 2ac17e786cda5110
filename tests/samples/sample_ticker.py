"""Sample service for the local events tests: a schedule that leaves a line in its logs."""

from coworks import TechMicroService, entry, schedule


class Ticker(TechMicroService):
    """Beats every minute."""

    @entry
    def get(self):
        return "ready"

    @schedule("rate(1 minute)")
    def beat(self):
        print("ticker beat")
        return "beat"


app = Ticker("ev-ticker")
