"""The layer form of the admin: the file first, what to state about it only when it is not read
correctly (in plain words, the technical names in tooltips), and the description. A file that
passed its checks is kept while the planner corrects another field (or states an option the
file needs), so that it need not be chosen again."""

from pathlib import Path

from django import forms
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cities.permissions import managed_city_ids
from geoportal.gis.files import FileRefused, discard_upload, store_upload, upload_folder
from geoportal.gis.inspect import ImportOptions

from ..imports.queue import check_stored, new_layer_slug
from ..models import Layer

OPTION_FIELDS = ["crs", "crs_code", "encoding", "layer_name", "x_column", "y_column", "wkt_column"]
TITLES = ["title_be", "title_ru", "title_en"]
KEPT_SALT = "layers.admin.kept-upload"
KEPT_MAX_AGE = 24 * 3600

# (value, plain words, the technical name shown as a tooltip)
CRS_CHOICES = [
    ("", _("as written in the file"), ""),
    ("EPSG:4326", _("degrees of longitude and latitude, as from GPS"), "EPSG:4326, WGS 84"),
    ("EPSG:32634", _("metres, west of Belarus (west of 24° E)"),
     "EPSG:32634, WGS 84 / UTM zone 34N"),
    ("EPSG:32635", _("metres, centre of Belarus (24°–30° E)"), "EPSG:32635, WGS 84 / UTM zone 35N"),
    ("EPSG:32636", _("metres, east of Belarus (east of 30° E)"),
     "EPSG:32636, WGS 84 / UTM zone 36N"),
    ("EPSG:28404", _("metres of Soviet maps, zone 4 (west of 24° E)"),
     "EPSG:28404, Pulkovo 1942 / Gauss-Kruger zone 4"),
    ("EPSG:28405", _("metres of Soviet maps, zone 5 (24°–30° E)"),
     "EPSG:28405, Pulkovo 1942 / Gauss-Kruger zone 5"),
    ("EPSG:28406", _("metres of Soviet maps, zone 6 (east of 30° E)"),
     "EPSG:28406, Pulkovo 1942 / Gauss-Kruger zone 6"),
    ("EPSG:3857", _("metres of web maps"), "EPSG:3857, WGS 84 / Pseudo-Mercator"),
    ("other", _("another: give its code below"), ""),
]  # fmt: skip
ENCODING_CHOICES = [
    ("", _("find out automatically"), ""),
    ("UTF-8", _("Unicode"), "UTF-8"),
    ("CP1251", _("Cyrillic of older Windows programs"), "CP1251 (Windows-1251)"),
]


class TitledSelect(forms.Select):
    """A select whose options carry a tooltip (the technical name behind the plain words)."""

    def __init__(self, titles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.titles = titles

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if self.titles.get(value):
            option["attrs"]["title"] = self.titles[value]
        return option


def titled_choice(label, choices, **kwargs):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[(value, words) for value, words, _title in choices],
        widget=TitledSelect({value: title for value, _words, title in choices}),
        **kwargs,
    )


class LayerForm(forms.ModelForm):
    file = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_(
            "A zipped Shapefile (the .shp with its .shx, .dbf and .prj in one .zip), GeoJSON, "
            "GeoPackage, KML, KMZ, CSV, FlatGeobuf or GPX. A new file replaces the layer's "
            "features once it has been read in full; the old ones stay until then."
        ),
    )
    kept_upload = forms.CharField(required=False, widget=forms.HiddenInput)
    crs = titled_choice(
        _("coordinate system of the file"),
        CRS_CHOICES,
        help_text=_("Only if the file does not say it, or says it wrongly."),
    )
    crs_code = forms.CharField(
        label=_("code of another coordinate system"),
        required=False,
        help_text=_("As your map program names it."),
        widget=forms.TextInput(attrs={"placeholder": "EPSG:2585"}),
    )
    encoding = titled_choice(
        _("letters of the attributes"),
        ENCODING_CHOICES,
        help_text=_("Only if the names and texts of the map come out as strange characters."),
    )
    layer_name = forms.CharField(
        label=_("layer in the file"),
        required=False,
        help_text=_("For a file with several layers: the name of the one to take."),
    )
    x_column = forms.CharField(label=_("table column of the longitude"), required=False)
    y_column = forms.CharField(label=_("table column of the latitude"), required=False)
    wkt_column = forms.CharField(
        label=_("table column of the shapes"),
        required=False,
        help_text=_("For a CSV table whose shapes are written out as text in one column."),
    )

    attribute_choices = forms.CharField(
        label=_("attribute choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For editing on the layer page and from QGIS: one line per attribute, its allowed "
            "values separated by |, e.g. kind: school | clinic | park."
        ),
    )

    class Meta:
        model = Layer
        fields = [
            "title_be", "title_ru", "title_en", "abstract_be", "abstract_ru", "abstract_en",
            "slug", "keywords", "topic_category", "city", "licence", "attribution",
            "attribute_choices", "time_attribute", "column_labels",
        ]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "time_attribute" in self.fields:
            # The layer's own dates and date-times, once an import has recorded them.
            names = self.instance.time_attributes()
            self.fields["time_attribute"].widget = forms.Select(
                choices=[("", "—"), *((name, name) for name in names)]
            )
        self.fields["title_be"].required = True
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Made from the title when empty, in Latin letters.")
        ids = managed_city_ids(user) if user is not None else None
        if ids is not None:
            self.fields["city"].queryset = City.objects.filter(pk__in=ids)
            self.fields["city"].required = True
        # What the worker will import: set by clean() once the file has passed its checks.
        self.received = None
        self.kept_name = ""
        self.initial["attribute_choices"] = "\n".join(
            f"{name}: {' | '.join(map(str, values))}"
            for name, values in (self.instance.attribute_choices or {}).items()
        )

    def clean_attribute_choices(self):
        try:
            return parse_choices(self.cleaned_data.get("attribute_choices", ""),
                                 self.instance.attributes)  # fmt: skip
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def options(self):
        data = {name: self.cleaned_data.get(name) for name in OPTION_FIELDS}
        if data.pop("crs") != "other":
            data["crs"] = self.cleaned_data.get("crs")
        else:
            data["crs"] = data["crs_code"]
        return ImportOptions.from_dict(data)

    def states_options(self):
        """Whether the planner filled in any of the options (to import a failed file again)."""
        return any(self.cleaned_data.get(name) for name in OPTION_FIELDS)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug:
            titles = {name: self.cleaned_data.get(name) or "" for name in TITLES}
            slug = new_layer_slug(**titles)
        return slug

    def clean(self):
        cleaned = super().clean()
        stored, name = self._stored_file(cleaned)
        if stored is None:
            if self.instance.pk is None and "file" not in self.errors:
                self.add_error("file", gettext("Choose the file to upload."))
            return cleaned
        try:
            # Refuse here, with the reason, what can be seen without unpacking the file; GDAL
            # reads it in the worker, whose verdict the layer's page and a notice give.
            received = check_stored(stored, self.options(), keep=True)
        except FileRefused as exc:
            if exc.option:
                # The same file will do once the option is stated: keep it meanwhile.
                self.add_error(exc.option, str(exc))
                self._keep(stored, name)
            else:
                discard_upload(stored)
                self.add_error("file", str(exc))
            return cleaned
        if self.errors:
            self._keep(stored, name)
        else:
            self.received = received
            self.kept_name = name
        return cleaned

    def _stored_file(self, cleaned):
        """The upload saved where the worker reads it, and its name: a new file, else the one
        kept from the previous submission of this form (None when there is neither)."""
        upload = cleaned.get("file")
        kept = self._kept_file(cleaned.get("kept_upload"))
        if upload:
            if kept is not None:
                discard_upload(kept[0])  # replaced by the new choice
            return store_upload(upload), upload.name
        return kept or (None, "")

    @staticmethod
    def _kept_file(token):
        if not token:
            return None
        try:
            kept = signing.loads(token, salt=KEPT_SALT, max_age=KEPT_MAX_AGE)
        except signing.BadSignature:
            return None
        path = Path(kept["path"])
        if upload_folder(path) is None or not path.is_file():
            return None
        return path, kept["name"]

    def _keep(self, path, name):
        self.kept_name = name
        token = signing.dumps({"path": str(path), "name": name}, salt=KEPT_SALT)
        # A bound form shows its data: the token goes back in the page for the next submission.
        self.data = self.data.copy()
        self.data[self.add_prefix("kept_upload")] = token


def parse_choices(text, attributes):
    """'name: a | b' lines -> {"name": ["a", "b"]}, values typed as the attribute is."""
    types = {a["name"]: a.get("type", "string") for a in attributes or []}
    choices = {}
    for line in filter(None, (line.strip() for line in text.splitlines())):
        name, _sep, values = line.partition(":")
        name = name.strip()
        if name not in types:
            raise ValueError(gettext("The layer has no attribute %(name)s.") % {"name": name})
        kind = {"integer": int, "number": float, "real": float}.get(types[name], str)
        try:
            choices[name] = [kind(v.strip()) for v in values.split("|") if v.strip()]
        except ValueError:
            raise ValueError(
                gettext("%(name)s holds numbers: its choices must be numbers.") % {"name": name}
            ) from None
    return choices
