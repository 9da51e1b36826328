"""City services: where citizens find stops, stations, clinics... Their search (nearest, open
now), import, API, page, admin and demo data. The models are the cities app's (models/services.py).
"""
