"""Deploying services and workflows, one pipeline for both (as Chalice's deploy package does):

``names`` (whose resources, what they are called) -> ``models`` of ``resources`` (what should
exist) -> ``state`` (what AWS holds, read by tags) -> ``planner`` -> a ``plan`` (plain data, printed
before anything happens) -> the ``executor`` (carries it out). ``deployments`` is what a cloud
hands out (``plan()``, ``apply()``); ``status`` says what is deployed. ``terraform`` and
``cloudformation`` write the same model for other tools (``exports``: what they share), each
exported resource standing for one of the plan's.
"""
