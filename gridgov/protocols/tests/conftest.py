"""Fixtures of the protocol adapter tests. CKAN reads the data resource centre, so its tests
use the sharing tests' departments, resources, key, grant and live server."""

from gridgov.sharing.tests.conftest import (
    granted,
    make_resource,
    minzheng,
    resource,
    server_url,
    zhifa,
    zhifa_key,
)

__all__ = ["granted", "make_resource", "minzheng", "resource", "server_url", "zhifa",
           "zhifa_key"]
