"""Downloads of a layer's features in five formats (exporters, kml), and what keeps them from
eating the machine: a whole layer is written once per layer version by the Celery worker and kept
as a file under DOWNLOADS_ROOT (store, tasks), served with Range, ETag and, behind a proxy,
X-Accel-Redirect or X-Sendfile (responses); a selection (bbox, filter) streams from the database
in the request, under a feature and size cap and a cap on concurrent exports (slots).
"""
