"""The languages written inside a workflow definition, and the checks of a definition.

``paths`` (JSONPath: reading, reference paths, ResultPath), ``intrinsics`` (the eighteen
``States.*`` functions, whose arguments may be paths), ``templates`` (payload templates, which
mix both), ``jsonata`` (``{% %}`` expressions), ``fields`` (what each state type allows, from
the ASL spec), ``syntax`` (checks of what is written inside fields) and ``validation`` (every
problem of a definition at once).

These modules work on plain ASL data and import nothing of the builder or the engine, which both
use them; their syntax errors are in :mod:`coworks.biz.errors`. Nothing is re-exported here: the
public names are those of :mod:`coworks.biz`.
"""
