"""The REST API's numbered pages. DRF's pagination with the portal's parsing: a page or page
size that is not a positive integer, or is given twice, is a 400 naming it (DRF quietly serves
the first page or the default size); a page size above the maximum is clamped. GeoJSON lists
(drf-gis) are a FeatureCollection with count, next and previous, and described as such."""

from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination as DrfGisGeoJsonPagination

from .query_params import MAX_INTEGER, parse_int, single


class Pages(PageNumberPagination):
    max_page_size = 1000

    def get_page_number(self, request, paginator):
        value = single(request.query_params, self.page_query_param)
        if value in self.last_page_strings:
            return paginator.num_pages
        return parse_int(value, self.page_query_param, default=1, minimum=1)

    def get_page_size(self, request):
        if not self.page_size_query_param:
            return self.page_size
        value = single(request.query_params, self.page_size_query_param)
        return parse_int(value, self.page_size_query_param, default=self.page_size, minimum=1,
                         maximum=self.max_page_size, clamp=True)  # fmt: skip

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["maximum"] = MAX_INTEGER
            else:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = _(
                    "Items per page (default %(default)s; larger values are clamped to %(max)s)."
                ) % {"default": self.page_size, "max": self.max_page_size}
        return parameters


class GeoJsonPagination(Pages, DrfGisGeoJsonPagination):
    """drf-gis' pagination (a FeatureCollection with count, next, previous), described as such:
    drf-gis' own description keeps DRF's `results` and makes `features` an object."""

    def get_paginated_response_schema(self, schema):
        # `schema` is the FeatureCollection of the list serializer (type and features).
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["type", "count", "features"],
                    "properties": {
                        "count": {"type": "integer", "example": 123},
                        "next": {"type": "string", "format": "uri", "nullable": True},
                        "previous": {"type": "string", "format": "uri", "nullable": True},
                    },
                },
            ]
        }
