"""`ttdn check --deploy`: what a production set-up of the hub still lacks, besides Django's own deploy checks."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Info, Warning, register


@register("ttdn", deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if not os.environ.get("TTDN_BACKUP_DIR"):
        found.append(Warning("No backups are taken: set TTDN_BACKUP_DIR (and TTDN_BACKUP_PASSPHRASE) for the worker's "
                             "daily snapshot.", id="ops.W001"))
    elif not os.environ.get("TTDN_BACKUP_OFFSITE"):
        found.append(Warning("Backups stay on this site: set TTDN_BACKUP_OFFSITE (s3://bucket/prefix on another site's "
                             "object store) so a fire or a theft does not take them with the server.", id="ops.W006"))
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
        found.append(Warning("TTDN_ALLOWED_HOSTS names only this machine: set the host names the hub is reached by.",
                             id="ops.W002"))
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        found.append(Warning("E-mail is written to the console, not sent: set TTDN_EMAIL_BACKEND and TTDN_EMAIL_HOST.",
                             id="ops.W003"))
    if not settings.SESSION_COOKIE_SECURE:
        found.append(Warning("Cookies are not marked secure: serve over HTTPS and set TTDN_SECURE_COOKIES=1.",
                             id="ops.W004"))
    if not os.environ.get("TTDN_METRICS_TOKEN"):
        found.append(Warning("/metrics answers loopback clients only: set TTDN_METRICS_TOKEN for a monitoring server.",
                             id="ops.W005"))
    found += replica_checks()
    return found


def replica_checks() -> list[CheckMessage]:
    """The read replica: said once whether there is one, and what is wrong with the one named."""
    from ttdn.ops import replica

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if os.environ.get("TTDN_DATABASE_REPLICA_URL"):
            return [Warning("TTDN_DATABASE_REPLICA_URL is set but the database is not PostgreSQL: the replica is "
                            "not used.", id="ops.W007")]  # (settings.py leaves it out)
        return []
    if not replica.configured():
        return [Info("Every read goes to the primary: a streaming replica (TTDN_DATABASE_REPLICA_URL) can serve the "
                     "public pages, feeds and search (docs/operating.md).", id="ops.I001")]
    current = replica.settled_status()
    if not current.reachable:
        return [Warning(f"The read replica does not answer ({current.error}): every read goes to the primary.",
                        id="ops.W008")]
    if current.error == "not a replica":
        return [Warning("TTDN_DATABASE_REPLICA_URL names a server that is not in recovery (a primary, or a promoted "
                        "replica): it is not used for reads.", id="ops.W009")]
    if not current.usable:
        return [Warning(f"The read replica is {current.describe()}: reads go to the primary until it catches up.",
                        id="ops.W010")]
    return [Info(f"Reads from the replica while its lag is under {replica.max_lag_seconds():g} s "
                 f"(now {current.lag_seconds:.1f} s).", id="ops.I002")]


# Set by `ttdn check` (ttdn.ops.management.commands.check): only then are the stores probed over the network. Every
# other command runs the system checks too (`migrate`, `serve`), and must not wait on a store that does not answer.
PROBE_STORES = False


def _both(vi: str, en: str) -> str:
    return f"{vi} / {en}"


@register("ttdn")
def blob_store(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """`TTDN_BLOB_STORE`: a URL the hub can use, and (under `ttdn check`) a bucket that answers to its keys."""
    location = str(getattr(settings, "BLOB_STORE", "") or "")
    if not location:
        return []  # files in BLOB_DIR
    bucket, _slash, _prefix = location[len("s3://"):].partition("/") if location.startswith("s3://") else ("", "", "")
    if not location.startswith("s3://") or not bucket:
        return [Warning(_both(f"TTDN_BLOB_STORE không hợp lệ: {location!r}; hãy để trống (lưu tệp trong thư mục dữ "
                              "liệu) hoặc ghi s3://bucket/tiền-tố.",
                              f"TTDN_BLOB_STORE is not usable: {location!r}; leave it empty (files in the data "
                              "directory) or write s3://bucket/prefix."), id="ops.W011")]
    if not PROBE_STORES:
        return []
    problem = _probe_bucket(bucket)
    return [Warning(problem, id="ops.W012")] if problem else []


def _probe_bucket(bucket: str) -> str:
    """What is wrong with the bucket as this process would reach it, in both languages; "" if nothing."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from ttdn.content.files.blobs import S3_ENDPOINT_ENV, s3_client

    endpoint = os.environ.get(S3_ENDPOINT_ENV, "")
    where = endpoint or "Amazon S3"
    try:
        # One attempt, a few seconds: an operator waiting at the console wants the answer, not retries.
        s3_client(endpoint, attempts=1, timeout=5, read_timeout=10).head_bucket(Bucket=bucket)
    except NoCredentialsError:
        return _both(f"Không có khóa truy cập cho kho tệp {bucket!r}: đặt AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY.",
                     f"No access keys for the file store {bucket!r}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket", "NotFound"):
            return _both(f"Kho tệp {where} không có bucket {bucket!r}: hãy tạo bucket (không cho công chúng đọc) "
                         "hoặc sửa TTDN_BLOB_STORE.",
                         f"The file store {where} has no bucket {bucket!r}: create it (not public-read) or correct "
                         "TTDN_BLOB_STORE.")
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"):
            return _both(f"Kho tệp {where} từ chối khóa truy cập cho bucket {bucket!r} ({code}): kiểm tra "
                         "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY và quyền của khóa trên bucket.",
                         f"The file store {where} refuses the access keys for bucket {bucket!r} ({code}): check "
                         "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's rights on the bucket.")
        return _both(f"Kho tệp {where} trả lời lỗi {code or exc} cho bucket {bucket!r}.",
                     f"The file store {where} answers {code or exc} for bucket {bucket!r}.")
    except (BotoCoreError, OSError, ValueError) as exc:
        return _both(f"Không kết nối được kho tệp {where} ({type(exc).__name__}): kiểm tra {S3_ENDPOINT_ENV} và "
                     "đường mạng.",
                     f"Cannot reach the file store {where} ({type(exc).__name__}): check {S3_ENDPOINT_ENV} and the "
                     "network.")
    return ""
