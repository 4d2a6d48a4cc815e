"""Registers neutron-server in Keystone as Kolla's service-ks-register role
does for its neutron role (neutron_ks_services, neutron_ks_users,
neutron_ks_user_roles): project `service`, user `neutron` with roles
`admin` and `service` there, service `neutron` of type `network` with an
internal and a public endpoint. Authenticates through clouds.yaml
(OS_CLIENT_CONFIG_FILE, cloud kolla-admin); the user's password comes from
NEUTRON_PASSWORD. Arguments: REGION URL."""

import os
import sys

import openstack

region, url = sys.argv[1], sys.argv[2]
conn = openstack.connect(cloud="kolla-admin")
identity = conn.identity

project = identity.find_project("service", domain_id="default")
if project is None:
    project = identity.create_project(
        name="service", domain_id="default", description="Service Project"
    )
user = identity.find_user("neutron", domain_id="default")
if user is None:
    user = identity.create_user(
        name="neutron",
        domain_id="default",
        password=os.environ["NEUTRON_PASSWORD"],
    )
for role_name in ("admin", "service"):
    role = identity.find_role(role_name, ignore_missing=False)
    identity.assign_project_role_to_user(project, user, role)

service = identity.find_service("neutron")
if service is None:
    service = identity.create_service(
        name="neutron", type="network", description="Openstack Networking"
    )
have = {e.interface for e in identity.endpoints(service_id=service.id)}
for interface in ("internal", "public"):
    if interface not in have:
        identity.create_endpoint(
            service_id=service.id, interface=interface, url=url, region_id=region
        )
