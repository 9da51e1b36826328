"""Layer imports: receiving and queueing a planner's file (queue), the worker's staging and
partition swap (pipeline), and the Celery task between them (tasks).

Files are read through geoportal.gis, which the service and boundary imports share.
"""
