from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import Layer, LayerVersion


class LayerVersionInline(admin.TabularInline):
    model = LayerVersion
    extra = 0
    can_delete = False
    readonly_fields = ["number", "created", "created_by", "source_filename", "status", "report"]


@admin.register(Layer)
class LayerAdmin(LeafletGeoAdmin):
    list_display = ["__str__", "status", "feature_count", "topic_category", "city", "owner"]
    list_filter = ["status", "topic_category", "city", "is_public"]
    search_fields = ["title_be", "title_ru", "title_en", "slug", "keywords"]
    inlines = [LayerVersionInline]
