"""Planners' GIS files for every app: the checks made before a file is opened and safe unpacking
(files), what GDAL finds inside (inspect), and ogr2ogr staging into PostGIS (staging).

It knows nothing of layers, services or boundaries: the apps read their files through it.
"""
