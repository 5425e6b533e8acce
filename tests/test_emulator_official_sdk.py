"""The served emulator answers the official huaweicloudsdkecs / huaweicloudsdkiam clients (test-only oracles).

They sign with their own signer, build their own paths and parse the answers into their own models,
so these calls check that the emulator's signature checks, paths and field names are Huawei's.
"""

from __future__ import annotations

from typing import Any

import pytest

from hwcloud_client.testing import FakeHuaweiCloud

SERVER_SPEC: dict[str, Any] = {
    "name": "official",
    "flavor_ref": "s6.medium.2",
    "image_ref": "67f433d8-ed0e-4321-a8a2-a71838539e09",
    "vpcid": "0dae26c9-9a46-45d3-8b0e-4d4f9b3bb3a6",
}


def ecs_client(fake: FakeHuaweiCloud, base_url: str, *, sk: str | None = None, algorithm: str = "HMAC_SHA256") -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
    from huaweicloudsdkecs.v2 import EcsClient

    config = HttpConfig.get_default_config()
    config.signing_algorithm = SigningAlgorithm[algorithm]
    config.retry_times = 0
    credentials = BasicCredentials(fake.ak, sk or fake.sk, fake.project_id)
    return (
        EcsClient.new_builder()
        .with_credentials(credentials)
        .with_http_config(config)
        .with_endpoints([base_url])
        .build()
    )


def iam_client(fake: FakeHuaweiCloud, base_url: str) -> Any:
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkiam.v3 import IamClient

    credentials = GlobalCredentials(fake.ak, fake.sk, fake.domain_id)
    return IamClient.new_builder().with_credentials(credentials).with_endpoints([base_url]).build()


def test_official_ecs_client_server_lifecycle(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkecs.v2 import (
        BatchStopServersOption,
        BatchStopServersRequest,
        BatchStopServersRequestBody,
        CreatePostPaidServersRequest,
        CreatePostPaidServersRequestBody,
        ListFlavorsRequest,
        ListServersDetailsRequest,
        PostPaidServer,
        PostPaidServerNic,
        PostPaidServerRootVolume,
        ServerId,
        ShowJobRequest,
        ShowServerRequest,
    )

    fake, base_url = served
    client = ecs_client(fake, base_url)
    flavors = client.list_flavors(ListFlavorsRequest()).flavors
    server = PostPaidServer(
        **SERVER_SPEC,
        count=2,
        nics=[PostPaidServerNic(subnet_id="e1e5a84f-7cc1-4be0-a5c4-0b9b1d1f5a53")],
        root_volume=PostPaidServerRootVolume(volumetype="SSD", size=40),
    )
    created = client.create_post_paid_servers(
        CreatePostPaidServersRequest(body=CreatePostPaidServersRequestBody(server=server))
    )
    job = client.show_job(ShowJobRequest(job_id=created.job_id))
    page = client.list_servers_details(ListServersDetailsRequest(limit=1, offset=1))
    shown = client.show_server(ShowServerRequest(server_id=created.server_ids[0])).server
    stop = BatchStopServersOption(servers=[ServerId(id=server_id) for server_id in created.server_ids], type="SOFT")
    stopping = client.batch_stop_servers(BatchStopServersRequest(body=BatchStopServersRequestBody(os_stop=stop)))
    stopped = client.show_server(ShowServerRequest(server_id=created.server_ids[1])).server

    assert "s6.medium.2" in {flavor.id for flavor in flavors}
    assert len(created.server_ids) == 2
    assert job.status == "SUCCESS" and job.entities.sub_jobs_total == 2
    assert {sub.entities.server_id for sub in job.entities.sub_jobs} == set(created.server_ids)
    assert page.count == 2 and len(page.servers) == 1
    assert shown.status == "ACTIVE" and shown.flavor.id == "s6.medium.2" and shown.os_ext_st_svm_state == "active"
    assert shown.tenant_id == fake.project_id
    assert stopping.job_id and stopped.status == "SHUTOFF"


def test_official_ecs_client_errors_and_keypairs(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkecs.v2 import (
        ListFlavorsRequest,
        NovaCreateKeypairOption,
        NovaCreateKeypairRequest,
        NovaCreateKeypairRequestBody,
        NovaListKeypairsRequest,
        ShowServerRequest,
    )

    fake, base_url = served
    client = ecs_client(fake, base_url)
    # The Nova key pair methods are deprecated in the official client, not in the API.
    option = NovaCreateKeypairOption(name="ops")
    with pytest.warns(DeprecationWarning):
        created = client.nova_create_keypair(
            NovaCreateKeypairRequest(body=NovaCreateKeypairRequestBody(keypair=option))
        )
    with pytest.warns(DeprecationWarning):
        listed = client.nova_list_keypairs(NovaListKeypairsRequest())
    with pytest.raises(ClientRequestException) as missing:
        client.show_server(ShowServerRequest(server_id="7d2f6a3c-0000-4000-8000-000000000000"))
    with pytest.raises(ClientRequestException) as forged:
        ecs_client(fake, base_url, sk="not-the-secret").list_flavors(ListFlavorsRequest())

    assert created.keypair.name == "ops" and created.keypair.private_key
    assert [item.keypair.name for item in listed.keypairs] == ["ops"]
    assert missing.value.status_code == 404 and missing.value.error_code == "Ecs.0114"
    assert missing.value.request_id
    assert forged.value.status_code == 401 and forged.value.error_code == "APIGW.0301"
    assert "not-the-secret" not in str(forged.value)


# The official Python SM2 departs from the standard for about 1 key in 128 (see auth/_asymmetric.py);
# the emulator's demo key pair is not one of them.
@pytest.mark.parametrize("algorithm", ["HMAC_SM3", "ECDSA_P256_SHA256", "SM2_SM3"])
def test_official_signers_of_other_algorithms_are_verified(
    served: tuple[FakeHuaweiCloud, str], algorithm: str
) -> None:
    from huaweicloudsdkecs.v2 import ListServersDetailsRequest

    fake, base_url = served
    page = ecs_client(fake, base_url, algorithm=algorithm).list_servers_details(
        ListServersDetailsRequest(name="a b~", limit=5)
    )
    assert page.count == 0
    assert fake.calls[-1].status == 200


def test_official_iam_client(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkiam.v3 import (
        CreateTemporaryAccessKeyByTokenRequest,
        CreateTemporaryAccessKeyByTokenRequestBody,
        IdentityToken,
        KeystoneListAuthDomainsRequest,
        KeystoneListProjectsRequest,
        KeystoneListRegionsRequest,
        KeystoneShowProjectRequest,
        ListPermanentAccessKeysRequest,
        TokenAuth,
        TokenAuthIdentity,
    )

    fake, base_url = served
    client = iam_client(fake, base_url)
    projects = client.keystone_list_projects(KeystoneListProjectsRequest(name=fake.region)).projects
    shown = client.keystone_show_project(KeystoneShowProjectRequest(project_id=fake.project_id)).project
    domains = client.keystone_list_auth_domains(KeystoneListAuthDomainsRequest()).domains
    regions = client.keystone_list_regions(KeystoneListRegionsRequest()).regions
    keys = client.list_permanent_access_keys(ListPermanentAccessKeysRequest()).credentials
    identity = TokenAuthIdentity(methods=["token"], token=IdentityToken(duration_seconds=900))
    temporary = client.create_temporary_access_key_by_token(
        CreateTemporaryAccessKeyByTokenRequest(
            body=CreateTemporaryAccessKeyByTokenRequestBody(auth=TokenAuth(identity=identity))
        )
    ).credential

    assert [project.id for project in projects] == [fake.project_id]
    assert shown.name == fake.region and shown.domain_id == fake.domain_id
    assert domains[0].id == fake.domain_id
    assert fake.region in {region.id for region in regions}
    assert [key.access for key in keys] == [fake.ak]
    assert temporary.access in fake.iam.temporary_keys and temporary.securitytoken


def test_official_iam_password_token(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkiam.v3 import (
        KeystoneCreateUserTokenByPasswordRequest,
        KeystoneCreateUserTokenByPasswordRequestBody,
        PwdAuth,
        PwdIdentity,
        PwdPassword,
        PwdPasswordUser,
        PwdPasswordUserDomain,
    )

    fake, base_url = served
    user = PwdPasswordUser(
        domain=PwdPasswordUserDomain(name=fake.iam.domain_name), name=fake.iam.user_name, password=fake.iam.password
    )
    identity = PwdIdentity(methods=["password"], password=PwdPassword(user=user))
    response = iam_client(fake, base_url).keystone_create_user_token_by_password(
        KeystoneCreateUserTokenByPasswordRequest(
            body=KeystoneCreateUserTokenByPasswordRequestBody(auth=PwdAuth(identity=identity))
        )
    )
    assert response.x_subject_token in fake.iam.tokens
    assert response.token.user.name == fake.iam.user_name and response.token.methods == ["password"]
