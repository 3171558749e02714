"""Our catalog in CKAN's shapes: a resource is a package (dataset) with one CKAN resource (its
datastore table), a provider department an organization, a base library a group."""

from django.utils.translation import gettext_lazy

from gridgov.sharing.choices import BaseLibrary, OpenAttribute

from .params import ckan_time, is_private

# CKAN's default licence list has no entry for "open to the public as the provider says"
# beyond these two; the catalog records openness (开放属性), not a named licence.
LICENSES = {True: ("other-open", gettext_lazy("其他(开放)")),
            False: ("other-closed", gettext_lazy("其他(不开放)"))}


def help_url(request, name) -> str:
    """CKAN's ``help`` member: where the action's documentation would be."""
    return request.build_absolute_uri(f"/api/3/action/help_show?name={name}")


def org_name(department) -> str:
    return department.code.lower()


def organization(department, *, package_count=None, created=None) -> dict:
    """A provider department as a CKAN organization; ``created`` is when it joined the catalog
    (see ``catalog.joined``)."""
    out = {
        "id": str(department.code), "name": org_name(department), "title": department.name,
        "display_name": department.name, "type": "organization", "state": "active",
        "is_organization": True, "approval_status": "approved", "description": "",
        "image_url": "", "created": ckan_time(created),
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group(value, label, count=None) -> dict:
    out = {"id": value, "name": value, "title": str(label), "display_name": str(label),
           "type": "group", "state": "active", "is_organization": False, "description": ""}
    if count is not None:
        out["package_count"] = count
    return out


def ckan_resource(resource, base) -> dict:
    return {
        "id": str(resource.table_uid), "package_id": str(resource.uid),
        "name": resource.name, "description": resource.abstract,
        "format": "JSON", "mimetype": "application/json",
        "url": f"{base}/api/v1/exchange/resources/{resource.code}/rows/",
        "url_type": "datastore", "datastore_active": True, "state": "active",
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.updated_at),
        "metadata_modified": ckan_time(resource.updated_at), "position": 0,
    }


def package(resource, base, *, org_created=None) -> dict:
    labels = dict(BaseLibrary.choices)
    is_open = resource.open_attribute == OpenAttribute.OPEN
    license_id, license_title = LICENSES[is_open]
    provider = resource.provider.name
    return {
        "id": str(resource.uid), "name": resource.code, "title": resource.name,
        "type": "dataset", "state": "active", "private": is_private(resource),
        "notes": resource.abstract,
        "metadata_created": ckan_time(resource.created_at),
        "metadata_modified": ckan_time(resource.updated_at),
        "license_id": license_id, "license_title": str(license_title), "license_url": "",
        "isopen": is_open,
        # The provider department answers for the data; no person's name or e-mail is given
        # out through an open protocol.
        "author": provider, "author_email": "", "maintainer": provider, "maintainer_email": "",
        "url": "", "version": None,
        "owner_org": resource.provider.code,
        "organization": organization(resource.provider, created=org_created),
        "tags": [{"name": t, "display_name": t, "state": "active"} for t in resource.tags],
        "num_tags": len(resource.tags),
        "groups": [group(g, labels.get(g, g)) for g in resource.groups],
        "resources": [ckan_resource(resource, base)],
        "num_resources": 1,
        "extras": [
            {"key": "classification", "value": resource.classification},
            {"key": "format", "value": resource.get_format_display()},
            {"key": "update_cycle", "value": resource.get_update_cycle_display()},
            {"key": "sharing_type", "value": resource.sharing_type},
            {"key": "sharing_condition", "value": resource.sharing_condition},
            {"key": "legal_basis", "value": resource.legal_basis},
            {"key": "sharing_method", "value": resource.get_sharing_method_display()},
            {"key": "open_attribute", "value": resource.open_attribute},
            {"key": "published_on",
             "value": resource.published_on.isoformat() if resource.published_on else ""},
            {"key": "related_codes", "value": ",".join(resource.related_codes)},
        ],
        "data_items": [
            {"name": f.name, "label": f.label, "type": f.type, "sensitive": f.sensitive}
            for f in resource.fields.all()
        ],
    }
