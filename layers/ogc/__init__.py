"""OGC API - Features (Parts 1-3) and Tiles metadata at /ogc/: the views, one provider interface
with a backend per kind of collection (layers, regions, cities, services), CQL2, the CRSs, the
parameter table and the OpenAPI document built from it.
"""
