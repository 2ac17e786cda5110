"""HTTP/1.1 on 127.0.0.1 with the standard library: the message ``framing`` (sans I/O) and the
``server`` that ``app.serve()`` and the local cloud's front door both run on."""
