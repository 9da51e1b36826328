"""The migrations describe the models: no change to a model goes without its migration (the
sub-apps services, indicators and ogc have no models, so the app labels and tables are the
cities' and layers' own, as before the layout moved the code)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    # --check exits with status 1 when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_sub_apps_own_no_models():
    from django.apps import apps

    for label in ("services", "indicators", "ogc"):
        assert list(apps.get_app_config(label).get_models()) == []
