"""Planners' files before anything reads them: the formats the portal takes, the checks made
before a byte is extracted, safe unpacking of a zip, and where an upload is kept (saved once,
under IMPORT_ROOT, where the import workers read it)."""

import json
import shutil
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Extension -> format label. The label is what a layer records as its source format.
FORMATS = {
    ".zip": "ESRI Shapefile",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".csv": "CSV",
    ".tsv": "CSV",
    ".fgb": "FlatGeobuf",
    ".gpx": "GPX",
}


class FileRefused(Exception):
    """A planner's file that cannot be used, and why, in words a planner can act on.

    `problems` holds (row, message) pairs: row is the row or feature the message is about, or
    None for the file as a whole. `option` names the ImportOptions field that would let the same
    file in (a form keeps the file and points at that field); None when the file must change."""

    def __init__(self, *problems, option=None):
        self.problems = [p if isinstance(p, tuple) else (None, str(p)) for p in problems]
        self.option = option
        super().__init__("; ".join(self.messages))

    @property
    def messages(self):
        return [
            message
            if row is None
            else _("row %(row)s: %(message)s") % {"row": row, "message": message}
            for row, message in self.problems
        ]


def check_file(path):
    """Refuse what cannot be imported, before reading it: returns the format label."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(_("The file %(name)s does not exist.") % {"name": path.name})
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileRefused(
            _(
                "Unsupported format %(ext)s: upload a zipped Shapefile, GeoJSON, GeoPackage, "
                "KML, KMZ, CSV, FlatGeobuf or GPX file."
            )
            % {"ext": suffix or _("(no extension)")}
        )
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("The file %(name)s is empty.") % {"name": path.name})
    if size > settings.MAX_UPLOAD_SIZE:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": size // 2**20, "limit": settings.MAX_UPLOAD_SIZE // 2**20}
        )
    if suffix in {".zip", ".kmz"}:
        members = check_zip(path)
        if suffix == ".zip" and not any(m.lower().endswith(".shp") for m in members):
            raise FileRefused(
                _("The zip file has no .shp file: zip the .shp with its .shx, .dbf and .prj.")
            )
        if suffix == ".kmz" and not any(m.lower().endswith(".kml") for m in members):
            raise FileRefused(_("The KMZ file has no .kml document inside."))
    return FORMATS[suffix]


def check_zip(path):
    """The member names of a zip that is safe to extract, else FileRefused."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(
            _("The file %(name)s is damaged or is not a zip file.") % {"name": Path(path).name}
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > settings.IMPORT_ZIP_MAX_FILES:
            raise FileRefused(
                _("The zip file holds %(count)s files; the limit is %(limit)s.")
                % {"count": len(infos), "limit": settings.IMPORT_ZIP_MAX_FILES}
            )
        total = 0
        names = []
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or ":" in info.filename:
                raise FileRefused(
                    _("The zip file is refused: %(member)s points outside its folder.")
                    % {"member": info.filename}
                )
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise FileRefused(
                    _("The zip file is refused: %(member)s is a symbolic link.")
                    % {"member": info.filename}
                )
            total += info.file_size
            if not info.is_dir():
                names.append(str(name))
        # The declared sizes bound what zipfile will write (it stops there and checks the CRC).
        if total > settings.IMPORT_ZIP_MAX_UNCOMPRESSED:
            raise FileRefused(
                _("The zip file would unpack to %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": total // 2**20,
                    "limit": settings.IMPORT_ZIP_MAX_UNCOMPRESSED // 2**20,
                }
            )
    # The members' checksums are verified while unpack() extracts them, in the worker.
    return names


# Up to this size a GeoJSON file is parsed in the request to say where it is broken (pure
# Python: no GDAL, nothing unpacked); a larger one is judged by GDAL in the worker.
JSON_CHECK_MAX_BYTES = 64 * 2**20


def check_json_syntax(path):
    """Refuse a GeoJSON file that is not JSON, saying at which line and column it breaks off
    and what to do."""
    path = Path(path)
    if path.stat().st_size > JSON_CHECK_MAX_BYTES:
        return
    try:
        json.loads(path.read_bytes())
    except json.JSONDecodeError as error:
        raise FileRefused(
            _(
                "%(name)s is not valid GeoJSON: it breaks off at line %(line)s, column "
                "%(column)s. Correct the file there (in a text editor) or export it again from "
                "your map program, then upload it again."
            )
            % {"name": path.name, "line": error.lineno, "column": error.colno}
        ) from error
    except UnicodeDecodeError as error:
        raise FileRefused(
            _(
                "%(name)s is not valid GeoJSON: its text is not in UTF-8. Export it again from "
                "your map program with the UTF-8 encoding, then upload it again."
            )
            % {"name": path.name}
        ) from error


def unpack(path, folder, layer_name=""):
    """The dataset to open: the file itself or, for a checked zip, its Shapefile extracted into
    `folder` (the one named `layer_name` when the zip holds several)."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return path
    check_zip(path)
    target = Path(folder) / "unzipped"
    target.mkdir()
    member = ""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                member = info.filename
                if info.is_dir():
                    continue
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                destination = target.joinpath(*parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                # zipfile stops at the declared size and checks each member's CRC.
                with archive.open(info) as src, open(destination, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        if not member:
            raise FileRefused(
                _("The file %(name)s is damaged or is not a zip file.") % {"name": path.name}
            ) from exc
        raise FileRefused(
            _("The zip file %(name)s is damaged: %(member)s inside it cannot be read. Zip the "
              "files again and upload the new zip.")
            % {"name": path.name, "member": member}
        ) from exc  # fmt: skip
    shapefiles = sorted(p for p in target.rglob("*") if p.suffix.lower() == ".shp")
    return _choose_shapefile(shapefiles, layer_name)


def _choose_shapefile(shapefiles, layer_name):
    if layer_name:
        chosen = [p for p in shapefiles if p.stem == layer_name]
        if not chosen:
            raise FileRefused(
                _("The zip file has no layer %(layer)s; its layers are: %(names)s.")
                % {"layer": layer_name, "names": ", ".join(p.stem for p in shapefiles)}
            )
        return chosen[0]
    if len(shapefiles) > 1:
        raise FileRefused(
            _("The zip file has %(count)s Shapefiles: %(names)s. Choose the one to import.")
            % {"count": len(shapefiles), "names": ", ".join(p.stem for p in shapefiles)}
        )
    return shapefiles[0]


# ---------------------------------------------------------------------------------------------
# Where uploads are kept


def store_upload(upload):
    """Save an uploaded file once, in a folder of its own under IMPORT_ROOT (where the workers
    read it), keeping its file name (GDAL judges files by their extension). Returns the path."""
    folder = Path(settings.IMPORT_ROOT) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / get_valid_filename(Path(upload.name).name or "upload")
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def upload_folder(path):
    """The folder store_upload made for `path` (any file inside it), or None if it is not one."""
    root = Path(settings.IMPORT_ROOT).resolve()
    path = Path(path).resolve()
    if root not in path.parents:
        return None
    return root / path.relative_to(root).parts[0]


def discard_upload(path):
    """Remove a stored upload's folder (with what was unpacked into it); other paths are left."""
    folder = upload_folder(path)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def stored_upload(upload):
    """store_upload for work done within the request: the folder goes afterwards."""
    path = store_upload(upload)
    try:
        yield path
    finally:
        discard_upload(path)
