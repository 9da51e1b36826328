"""The portal's one search: places (regions, cities, the settlements and other features of
public layers), services and layers, in be/ru/en, in Cyrillic or Latin, tolerant of typos.

It stands on both cities and layers: models.py (the index, one row per thing found), sources.py
(what each kind of thing puts in the index), words.py (the Russian words of place names that
Belarusian spells differently), index.py (keeping the index fresh), query.py (the ranked search),
api.py (/api/v1/search/)."""
