"""Evidence photos on S3, through django-storages, against moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disputes.evidence import process_photo

try:
    import boto3
    from moto.server import ThreadedMotoServer
except ImportError:  # moto is a dev-only dependency
    ThreadedMotoServer = None  # type: ignore[misc,assignment]  # the skipif below reads it

pytestmark = pytest.mark.skipif(
    ThreadedMotoServer is None,
    reason="moto is not installed: pip install 'moto[server,s3]==5.2.5' (dev extras)",
)

BUCKET = "parley-evidence-test"
CREDENTIALS = {"access_key": "test", "secret_key": "test", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A real HTTP S3 server, so presigned URLs can be fetched like a browser would."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
            region_name=CREDENTIALS["region_name"],
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


def test_processed_photo_round_trips_through_s3_storage(s3_endpoint):
    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name=BUCKET,
        endpoint_url=s3_endpoint,
        default_acl=None,
        querystring_auth=True,
        file_overwrite=False,
        addressing_style="path",
        # Without it botocore presigns with legacy SigV2 (AWSAccessKeyId=&Signature=), which AWS
        # regions opened since 2014 refuse.
        signature_version="s3v4",
        **CREDENTIALS,
    )
    jpeg = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, format="JPEG")
    photo = process_photo(
        SimpleUploadedFile("vase.jpg", jpeg.getvalue()), max_bytes=10 << 20, max_pixels=40_000_000
    )
    key = uuid.uuid4().hex
    name = f"evidence/{key[:2]}/{key}.jpg"

    first = storage.save(name, ContentFile(photo.content))
    second = storage.save(name, ContentFile(photo.content))
    try:
        assert first == name
        assert second != first and second.startswith(f"evidence/{key[:2]}/{key}_")
        with storage.open(first, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == photo.sha256

        url = storage.url(first)
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
        with urllib.request.urlopen(url, timeout=5) as response:
            assert hashlib.sha256(response.read()).hexdigest() == photo.sha256
    finally:
        storage.delete(first)
        storage.delete(second)

    assert not storage.exists(first)
    assert not storage.exists(second)
