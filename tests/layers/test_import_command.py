"""manage.py import_layer: the same pipeline from the command line."""

import pytest
from conftest import TEST_DATA
from django.core.management import CommandError, call_command

from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


def test_command_imports_and_reimports(demo):
    path = TEST_DATA / "belarus_utm35n.gpkg"
    call_command(
        "import_layer", str(path), "--title", "Абласці", "--slug", "oblasts", "--public",
        "--city", "minsk", "--layer", "oblasts",
    )  # fmt: skip
    layer = Layer.objects.get(slug="oblasts")
    assert (layer.feature_count, layer.is_public, layer.city.slug) == (7, True, "minsk")
    call_command(
        "import_layer", str(TEST_DATA / "oblasts_cp1251_nocpg.shp"), "--title", "Абласці",
        "--slug", "oblasts", "--private", "--encoding", "CP1251",
    )  # fmt: skip
    layer.refresh_from_db()
    assert (layer.version, layer.is_public) == (2, False)
    assert layer.features.filter(properties__name_ru="Гомельская область").exists()


def test_command_exits_with_the_plain_error(db):
    with pytest.raises(CommandError, match="has no .shp file"):
        call_command("import_layer", str(TEST_DATA / "noshp.zip"), "--title", "X")
    with pytest.raises(CommandError, match="Unsupported format .dbf"):
        call_command("import_layer", str(TEST_DATA / "oblasts_cp1251_nocpg.dbf"), "--title", "X")
    assert not Layer.objects.exists()
