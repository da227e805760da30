"""What every S3 adapter shares: the client, its location, and error translation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from hanoi.errors import Unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class S3Location:
    endpoint_url: str
    bucket: str
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    prefix: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"S3Location({self.endpoint_url!r}, bucket={self.bucket!r}, prefix={self.prefix!r})"


def make_client(location: S3Location) -> S3Client:
    import boto3  # imported here: half a second that a node on local disk never needs
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=location.endpoint_url,
        region_name=location.region,
        aws_access_key_id=location.access_key_id,
        aws_secret_access_key=location.secret_access_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def is_missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


def unavailable(location: S3Location, exc: Exception) -> Unavailable:
    reason = str(exc).splitlines()[0]
    return Unavailable(f"cannot reach the S3 store {location.endpoint_url}: {reason}")


def ensure_bucket(client: S3Client, location: S3Location) -> None:
    """Reach the endpoint and make sure the bucket exists (creating it if allowed)."""
    from botocore.exceptions import BotoCoreError

    try:
        client.head_bucket(Bucket=location.bucket)
    except ClientError as exc:
        if not is_missing(exc):
            raise unavailable(location, exc) from None
        try:
            client.create_bucket(Bucket=location.bucket)
        except (BotoCoreError, ClientError) as create_exc:
            raise unavailable(location, create_exc) from None
    except BotoCoreError as exc:
        raise unavailable(location, exc) from None
