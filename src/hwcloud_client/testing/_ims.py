"""Emulated IMS: a few fixed public images (ListImages and the Glance list/show), the rest from the spec."""

from __future__ import annotations

from collections.abc import Sequence

from ._base import EmulatedRequest, EmulatedResponse
from ._routes import JsonObject, Route, Router, ServiceError, json_response, query_params
from ._spec import EMULATED_TIME, catalog

__all__ = ["PUBLIC_IMAGES", "ImsEmulator"]

# (id, name, platform, os version, minimum disk GB)
PUBLIC_IMAGES: tuple[tuple[str, str, str, str, int], ...] = (
    ("67f433d8-ed0e-4321-a8a2-a71838539e09", "Ubuntu 22.04 server 64bit", "Ubuntu", "Ubuntu 22.04 server 64bit", 40),
    ("9a4a1e6c-1f2b-4c61-9c7c-2b1e6f0d6b11", "CentOS 7.9 64bit", "CentOS", "CentOS 7.9 64bit", 40),
    ("c2f8a9d4-5b3e-4f7a-8d21-7e3c9b0a4f22", "Huawei Cloud EulerOS 2.0 Standard 64 bit", "HuaweiCloudEulerOS",
     "Huawei Cloud EulerOS 2.0 64bit", 40),
    ("e5b7c1a2-3d4f-4e6a-9b8c-0d1e2f3a4b33", "Windows Server 2022 Datacenter 64bit", "Windows",
     "Windows Server 2022 Datacenter 64bit", 40),
)


def _image(key: str, model: str, image: tuple[str, str, str, str, int]) -> JsonObject:
    image_id, name, platform, os_version, min_disk = image
    base = catalog().synthesise(key, model, blank=True)
    document: JsonObject = base if isinstance(base, dict) else {}
    values: JsonObject = {
        "id": image_id, "name": name, "status": "active", "visibility": "public", "__imagetype": "gold",
        "__platform": platform, "__os_version": os_version,
        "__os_type": "Windows" if platform == "Windows" else "Linux",
        "__os_bit": "64", "__isregistered": "true", "__support_kvm": "true", "disk_format": "zvhd2",
        "container_format": "bare", "min_disk": min_disk, "min_ram": 0, "protected": True, "size": 0,
        "virtual_env_type": "FusionCompute", "created_at": EMULATED_TIME, "updated_at": EMULATED_TIME,
        "self": f"/v2/images/{image_id}", "file": f"/v2/images/{image_id}/file", "schema": "/v2/schemas/image",
        "owner": "", "tags": [], "enterprise_project_id": "0",
    }
    document.update({key_: value for key_, value in values.items() if key_ in document})
    return document


def _matches(image: tuple[str, str, str, str, int], params: dict[str, list[str]]) -> bool:
    _, name, platform, _, _ = image
    os_type = "Windows" if platform == "Windows" else "Linux"
    checks = {
        "__platform": platform, "__os_type": os_type, "__imagetype": "gold", "visibility": "public",
        "status": "active", "name": name,
    }
    if params.get("id") and image[0] not in params["id"]:
        return False
    return all(values[0] == expected for key, expected in checks.items() if (values := params.get(key)))


class ImsEmulator:
    def __init__(self) -> None:
        self.routes = (
            Route("GET", "/v2/cloudimages", self._list_images),
            Route("GET", "/v2/images", self._glance_list_images),
            Route("GET", "/v2/images/{image_id}", self._glance_show_image),
        )
        self._router = Router(self.routes)

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        return self._router.dispatch(request)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        return json_response(500, {"error": {"code": "IMG.0500", "message": "Internal server error."}})

    def _list_images(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        params = query_params(request)
        images = [_image("ims_v2", "ImageInfo", image) for image in PUBLIC_IMAGES if _matches(image, params)]
        return json_response(200, {"images": images})

    def _glance_list_images(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        params = query_params(request)
        images = [
            _image("ims_v2", "GlanceShowImageListResponseBody", image)
            for image in PUBLIC_IMAGES
            if _matches(image, params)
        ]
        return json_response(200, {"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"})

    def _glance_show_image(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        for image in PUBLIC_IMAGES:
            if image[0] == path[0]:
                return json_response(200, _image("ims_v2", "GlanceShowImageResponse", image))
        raise ServiceError(404, {"error": {"code": "IMG.0027", "message": f"The image {path[0]} does not exist."}})
