"""Hostile attribute names, values and metadata in downloads (issue 12): CSV cells and headers
that would start a spreadsheet formula are made text; KML is valid, escaped XML that an XML
parser and GDAL both read back as the same text."""

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

NAMES = ["name", "=cmd", "+sum", "@at", "-minus", "\ttab", 'q"><b x="', "a&b<c>", "ctl\x01x"]
VALUES = {
    "name": "</name><script>alert(1)</script>",
    "=cmd": '=HYPERLINK("http://example.invalid","x")',
    "+sum": "+1+2",
    "@at": "@SUM(A1:A2)",
    "-minus": -5,  # a number stays a number
    "\ttab": "-2",  # text that looks like a negative number is text
    'q"><b x="': "]]></SimpleData><evil/>",
    "a&b<c>": "x & y < z",
    "ctl\x01x": "bell\x07 and nul-free",
}
TITLE = 'Parks <b>&amp; "squares"</b>'
LICENCE = "CC BY 4.0 </description><x/>"
ATTRIBUTION = "City & <i>friends</i>"
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture
def hostile(ready_layer):
    return ready_layer(
        "hostile", [("POINT(27.5 53.9)", VALUES)], title_en=TITLE, licence=LICENCE,
        attribution=ATTRIBUTION,
        attributes=[{"name": n, "type": "integer" if n == "-minus" else "string"} for n in NAMES],
    )  # fmt: skip


def fetch(client, fmt):
    url = f"/en/layers/hostile/download/{fmt}/"
    assert client.get(url).status_code == 202
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_csv_neutralises_formulas_in_cells_and_headers(client, hostile):
    rows = list(csv.reader(io.StringIO(fetch(client, "csv").decode("utf-8-sig"))))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[1:6] == ["name", "'=cmd", "'+sum", "'@at", "'-minus"]
    assert header[6] == "'\ttab"
    for cell in rows[0] + [c for c in rows[1] if c != "-5"]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert row["'=cmd"] == "'" + VALUES["=cmd"]
    assert row["'+sum"] == "'+1+2"
    assert row["'@at"] == "'@SUM(A1:A2)"
    assert row["'-minus"] == "-5"
    assert row["'\ttab"] == "'-2"


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_kml_is_valid_escaped_xml(client, hostile, tmp_path):
    content = fetch(client, "kml")
    root = ET.fromstring(content)  # noqa: S314 (the portal's own output; raises if invalid)
    document = root.find("k:Document", KML_NS)
    assert document.find("k:name", KML_NS).text == TITLE
    description = document.find("k:description", KML_NS).text
    assert LICENCE in description and ATTRIBUTION in description
    fields = [f.get("name") for f in document.iter("{http://www.opengis.net/kml/2.2}SimpleField")]
    expected = [n.replace("\x01", "") for n in NAMES if n != "name"]
    assert fields == expected
    placemark = next(document.iter("{http://www.opengis.net/kml/2.2}Placemark"))
    assert placemark.find("k:name", KML_NS).text == VALUES["name"]
    data = {
        d.get("name"): d.text for d in placemark.iter("{http://www.opengis.net/kml/2.2}SimpleData")
    }
    assert data['q"><b x="'] == VALUES['q"><b x="']
    assert data["a&b<c>"] == "x & y < z"
    assert data["ctlx"] == "bell and nul-free"
    assert data["-minus"] == "-5"
    assert not root.findall(".//evil") and not root.findall(".//{*}script")

    # GDAL reads the same values back.
    path = tmp_path / "hostile.kml"
    path.write_bytes(content)
    result = subprocess.run(["ogrinfo", "-ro", "-al", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr
    assert "]]></SimpleData><evil/>" in result.stdout
    assert "x & y < z" in result.stdout
    assert "POINT (27.5 53.9)" in result.stdout


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_geojson_metadata_stays_text(client, hostile):
    data = json.loads(fetch(client, "geojson"))
    assert data["title"] == TITLE
    assert data["licence"] == LICENCE
    assert data["attribution"] == ATTRIBUTION
    assert data["features"][0]["properties"]["a&b<c>"] == "x & y < z"
