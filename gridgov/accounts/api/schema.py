"""OpenAPI description of the department API key (``Authorization: Api-Key <key>``) and of a
mobile device's token (``Authorization: Device <token>``)."""

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


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "gridgov.accounts.api.device_auth.DeviceTokenAuthentication"
    name = "DeviceTokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "移动设备令牌:`Authorization: Device <令牌>`(由 `/api/v1/device-tokens/` 签发)。"
            ),
        }
