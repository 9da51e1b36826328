"""No upload reads a file it was not given or fetches a URL: a GDAL VRT, a `CSV:` path and a
/vsicurl/ URL inside a file of every accepted extension are refused, and the tests prove that
the target file was never opened (it is a named pipe that records each reader) and that the URL
was never requested (a local HTTP server records each request). A control test shows that plain
GDAL, without the portal's guard, does read both: the detectors work."""

import http.server
import os
import subprocess
import threading
import zipfile

import pytest

from geoportal.gis.files import FORMATS, FileRefused
from geoportal.gis.sandbox import REFUSED_FETCHES, gdal_environment
from geoportal.gis.staging import stage_file, staged_file

pytestmark = pytest.mark.django_db


class WatchedFile:
    """A named pipe: every process that opens it for reading is counted, and reads a CSV."""

    def __init__(self, path):
        self.path = path
        self.opened = 0
        self._stop = False
        os.mkfifo(path)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            fd = os.open(self.path, os.O_WRONLY)  # blocks until someone opens it to read
            if self._stop:
                os.close(fd)
                return
            self.opened += 1
            os.write(fd, b"secret,value\nroot,x\n")
            os.close(fd)

    def close(self):
        self._stop = True
        reader = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join(5)
        os.close(reader)


@pytest.fixture
def watched_file(tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    watched = WatchedFile(folder / "secret.csv")
    yield watched
    watched.close()


@pytest.fixture
def recording_server():
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret,value\nroot,x\n")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()


def vrt(source):
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="secret">'
        f"<SrcDataSource>{source}</SrcDataSource>"
        "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def targets(watched_file, recording_server):
    return {
        "file": str(watched_file.path),
        "csv-prefix": f"CSV:{watched_file.path}",
        "vsicurl": f"/vsicurl/{recording_server.url}/secret.csv",
    }


def hostile_file(folder, extension, content):
    """`content` dressed as a file of `extension`: zips get it as their .shp or .kml."""
    path = folder / f"hostile{extension}"
    if extension == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            for part in (".shp", ".shx", ".dbf", ".prj"):
                archive.writestr(f"hostile{part}", content)
    elif extension == ".kmz":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("doc.kml", content)
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("extension", sorted(FORMATS))
@pytest.mark.parametrize("target", ["file", "csv-prefix", "vsicurl"])
def test_a_vrt_in_any_accepted_file_is_refused_unread(
    extension, target, tmp_path, watched_file, recording_server
):
    source = targets(watched_file, recording_server)[target]
    path = hostile_file(tmp_path, extension, vrt(source))
    with pytest.raises(FileRefused):
        stage_file(path)
    assert watched_file.opened == 0
    assert recording_server.requests == []


def test_a_geojson_crs_link_is_not_fetched(tmp_path, recording_server):
    """GDAL's GeoJSON reader fetches a "crs" of type link: here the web and worker process
    refuse the fetch, and so does ogr2ogr (its HTTP goes to a closed proxy)."""
    path = tmp_path / "linked.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "link", "properties": '
        f'{{"href": "{recording_server.url}/crs.wkt", "type": "ogcwkt"}}}}, "features": '
        '[{"type": "Feature", "geometry": {"type": "Point", "coordinates": [27.5, 53.9]}, '
        '"properties": {"name": "x"}}]}'
    )
    REFUSED_FETCHES.clear()
    with staged_file(path) as staged:
        # The link is ignored: GeoJSON's own default, WGS 84, applies.
        assert (staged.row_count, staged.source_crs) == (1, "EPSG:4326")
    assert recording_server.requests == []
    assert f"{recording_server.url}/crs.wkt" in REFUSED_FETCHES


def test_plain_gdal_reads_and_fetches_them(tmp_path, watched_file, recording_server):
    """The control: without the guard GDAL opens the VRT behind a .geojson name, reads the
    watched file and requests the URL, so the tests above would see it if the guard failed."""
    for name, source in targets(watched_file, recording_server).items():
        path = hostile_file(tmp_path, f".{name}.geojson", vrt(source))
        subprocess.run(["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True,
                       timeout=60, env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert watched_file.opened >= 2
    assert recording_server.requests


def test_ogr2ogr_runs_with_only_the_allowed_drivers(tmp_path, watched_file):
    """The environment every ogr2ogr of the portal gets: the VRT driver is not there."""
    path = hostile_file(tmp_path, ".geojson", vrt(str(watched_file.path)))
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True,
                            text=True, timeout=60, env=gdal_environment("GeoJSON"))  # fmt: skip
    assert result.returncode != 0
    assert watched_file.opened == 0
    env = gdal_environment("GeoJSON", "PostgreSQL")
    assert {"VRT", "OGR_VRT", "GPKG", "CSV"} <= set(env["GDAL_SKIP"].split())
    assert {"GeoJSON", "PostgreSQL"}.isdisjoint(env["GDAL_SKIP"].split())


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("roads.gpkg", b'{"type": "FeatureCollection", "features": []}', "GeoJSON"),
        ("roads.geojson", b"SQLite format 3\x00" + bytes(200), "GeoPackage"),
        ("roads.kml", b'{"type": "FeatureCollection"}', "GeoJSON"),
        ("roads.csv", b"<kml><Document/></kml>", "XML"),
        ("roads.fgb", b"name,lon,lat\nx,1,2\n", "text"),
    ],
)
def test_a_file_whose_content_is_another_format_is_refused_plainly(
    tmp_path, english, name, content, found
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=f"is not .*: its content looks like {found}"):
        stage_file(path)


def test_a_crs_stated_as_a_path_or_url_is_refused(tmp_path, english, watched_file):
    path = tmp_path / "points.csv"
    path.write_text("name,x,y\na,500000,5900000\n")
    from geoportal.gis.inspect import ImportOptions

    for crs in (str(watched_file.path), "http://127.0.0.1:9/crs", "+init=epsg:4326"):
        with pytest.raises(FileRefused, match="Unknown CRS"):
            stage_file(path, ImportOptions(crs=crs))
    assert watched_file.opened == 0
