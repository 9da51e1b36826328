"""Smart-city indicators (ITU U4SSC KPIs and the portal's own): the catalogue, values and targets
with their CSV import and export, the KPIs computed in PostGIS, pages, API, admin and demo data.
The models are the cities app's (models/indicators.py).
"""
