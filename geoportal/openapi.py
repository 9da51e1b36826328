"""How the REST API describes itself (drf-spectacular), so that the schema at /api/v1/schema/
tells what is served and generated clients work:

- every operation lists the errors it can answer, each with the one error body
  ({"detail", "code"}, geoportal/api_errors.py): 400 where it takes parameters or a body, 401
  for a wrong token (any request may carry one), 403 for writes, 404 where a path names a
  resource or a page is numbered, 413 for a body over MAX_UPLOAD_SIZE (UploadLimitMiddleware),
  429 when throttled;
- an operation open to anonymous readers says so (`{}` among its security requirements) also
  when its permission class is the project's own: such a class sets `anonymous_reads = True`.

GeoJSON lists describe themselves in geoportal/pagination.py.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import SAFE_METHODS

ERROR = {
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"description": "A message, or the messages of each invalid field"},
        "code": {"type": "string", "example": "invalid"},
    },
}


class PortalAutoSchema(AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        if (
            {} not in auths
            and self.method in SAFE_METHODS
            and all(getattr(permission, "anonymous_reads", False) for permission in permissions)
        ):
            auths.append({})
        return auths

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR
        )
        self.registry.register_on_missing(error)
        responses = operation["responses"]
        for status, description in self._errors(operation):
            responses.setdefault(status, {
                "description": description,
                "content": {"application/json": {"schema": error.ref}},
            })  # fmt: skip
        return operation

    def _errors(self, operation):
        query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if query or "requestBody" in operation:
            yield "400", "Invalid or unknown parameter or field"
        yield "401", "The token in the Authorization header is not valid"
        if self.method not in SAFE_METHODS:
            yield "403", "Not allowed to change this"
        if "requestBody" in operation:
            yield "413", "The body is larger than MAX_UPLOAD_SIZE"
        if "{" in self.path or "page" in query:
            yield "404", "No such resource (or not visible to you), or no such page"
        yield "429", "Too many requests: throttled (see the Retry-After header)"
