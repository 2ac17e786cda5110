"""The front door's HTTP: the ``server`` (the runtime's HTTP/1.1 server carrying the front door's
WSGI application), ``wsgi`` (a request as WSGI sees it, and its body read one way), ``access``
(who may use the front door: loopback hosts, no foreign origins, the optional token) and
``limits`` (AWS's sizes, answered as AWS answers them)."""
