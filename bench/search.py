"""The one search (/api/v1/search/) at the portal's sizes: the 7 regions, 17 cities, 3,369 demo
services, the layers and the 22,477 settlements of the demo layer, all in the search index.

    export PGPORT=.. REDIS_PORT=..
    make demo                          # once: the demo data and its search index
    .venv/bin/python bench/search.py   # 600 queries through the whole API stack

It reads the portal's own database (nothing is written) through Django's test client, so the
figures are the API's own time (middleware, DRF, the ranked query, the answer) without the
network. The queries mix what citizens type: names of cities and settlements taken from the
index, in Cyrillic and Latin, with typos (two letters swapped) and without accents, stop names
in Belarusian for Russian-only data, and one-word fragments. Prints median, p95 and max in ms.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")
os.environ.setdefault("API_RATE_ANON", "100000000/minute")
os.environ.setdefault("API_RATE_USER", "100000000/minute")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from geoportal.search.models import Entry  # noqa: E402
from geoportal.transliteration import latin_ascii  # noqa: E402

QUERIES = 600
FIXED = [
    "pinsk", "Пінск", "Pinks", "Орша", "orsha", "Mahilioŭ", "Mogilev", "Кастрычніцкая",
    "Октябрьская", "minsk", "Барысаў", "Babruysk", "settlements", "Гомель", "Vitsyebsk",
]  # fmt: skip


def typo(word):
    if len(word) < 4:
        return word
    i = random.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def queries(count):
    random.seed(17)
    names = list(
        Entry.objects.filter(kind__in=["city", "feature", "service"])
        .order_by("?")
        .values_list("name_be", "name_ru", flat=False)[: count * 2]
    )
    made = list(FIXED)
    while len(made) < count:
        be, ru = random.choice(names)
        name = be or ru
        made.append(random.choice([name, ru or name, latin_ascii(name), typo(name), name[:5]]))
    return made[:count]


def main():
    total = Entry.objects.count()
    if total < 20000:
        sys.exit(f"The search index holds {total} entries: run `make demo` first.")
    client = Client(HTTP_HOST="127.0.0.1")
    centre = "27.56,53.90"
    timings = []
    found = 0
    texts = queries(QUERIES)
    for text in texts[:20]:  # warm the connection and the caches
        client.get("/api/v1/search/", {"q": text, "near": centre})
    for text in texts:
        start = time.perf_counter()
        response = client.get("/api/v1/search/", {"q": text, "near": centre})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
        found += bool(response.json()["results"])
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"search index: {total} entries; {len(texts)} queries, {found} with results")
    print(f"latency ms: median {statistics.median(timings):.1f}  p95 {p95:.1f}  "
          f"max {timings[-1]:.1f}")  # fmt: skip
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
