"""Editing a layer's features in place, and the layer's history: the one write path for the
layer page (map, table, popup) and OGC API - Features Part 4 (layers/ogc/transactions.py).

checks.py validates what an edit writes (attributes against the layer's schema, geometries in
PostGIS), features.py makes the change under the layer's lock and records it, history.py reads
the edits and imports back, views.py serves the layer page's history and revert.
"""
