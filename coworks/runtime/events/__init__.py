"""What AWS sends a Lambda function and expects back: the event ``adapters`` (each kind of event
in, its response shape out), the ``apigateway`` events built once for every caller without a
real gateway (test client, local server, local cloud), what the ``gateway`` does before a call
(authorizers), and the ``accesslog`` line per request."""
