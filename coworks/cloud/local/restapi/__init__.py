"""The local REST APIs (API Gateway v1, ``api="rest"``): served on 127.0.0.1 as API Gateway serves
them, from what the control plane (moto's ``apigateway``) holds.

``config`` reads a REST API, its stages, usage plans and keys out of moto as frozen data;
``routing`` picks the resource and method of a request; ``usage`` meters API keys (throttle and
quota); ``gateway`` answers a request: authorizer, API key, usage plan, then the Lambda proxy
integration with a payload 1.0 event.
"""
