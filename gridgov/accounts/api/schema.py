"""OpenAPI description of the department API key (``Authorization: Api-Key <key>``)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "gridgov.accounts.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "部门 API 密钥:`Authorization: Api-Key <密钥>`(也可用 `X-API-Key` 头)。",
        }
