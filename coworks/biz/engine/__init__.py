"""The local executor: runs an ASL definition in-process with Step Functions semantics.

``executor`` compiles a definition into steps and drives a run; ``scope`` is where a body of
steps runs (the run's shared state, variables, clock); ``steps`` holds the data flow every state
shares with Retry/Catch, and Pass/Succeed/Fail/Wait; ``tasks``, ``choice`` and ``iteration``
(Parallel and Map) the other state types; ``invokers`` resolves Task resources to
implementations (services, callables, deployed functions); ``clock`` is simulated or real time;
``execution`` the result and its history of events as AWS records it.

The engine builds on :mod:`coworks.biz.lang`, not on the builder: it runs ASL dicts, so a
definition made anywhere runs the same (only an ``Execution`` being displayed draws itself with
the builder's graph and history views). Nothing is re-exported here: the public names are those
of :mod:`coworks.biz`.
"""
