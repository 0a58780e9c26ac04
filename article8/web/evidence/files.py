"""Evidence files on the web: who uploads, the limits, and the audited download that the pages
and the JSON API share."""

from __future__ import annotations

import logging

from flask import Response, send_file
from flask_babel import gettext as _

from article8.core.audit import Actor
from article8.core.errors import N_, NotFound
from article8.evidence import services
from article8.evidence.blobstore import evidence_store
from article8.evidence.filetypes import BY_EXTENSION
from article8.evidence.models import EvidenceItem
from article8.web import edge
from article8.web.context import db, now, settings

log = logging.getLogger(__name__)

# Characters some file systems or browsers mishandle in a saved file name.
_UNSAFE_IN_NAMES = str.maketrans({c: "_" for c in '"\\/:*?<>|;'})


def max_bytes() -> int:
    """The configured maximum size of one file."""
    return settings().max_upload_mb * 1024 * 1024


def too_large_message() -> str:
    """What a person is told when an upload exceeds the limit."""
    return _("The upload is larger than the maximum of %(mb)d MB.", mb=settings().max_upload_mb)


def attachment_name(item: EvidenceItem) -> str:
    """The file name offered on download: the stored display name, made safe once more."""
    return services.display_name(item.original_name).translate(_UNSAFE_IN_NAMES)


def send_evidence(item: EvidenceItem, who: Actor) -> Response:
    """Record the download (committed by the edge, though this is a GET, before the first byte
    leaves), then stream the blob as an attachment."""
    try:
        handle = evidence_store(settings()).open(item.sha256)
    except FileNotFoundError:
        log.error("evidence %s: blob %s is missing", item.id, item.sha256)
        raise NotFound(N_("The file of this evidence is missing from the store.")) from None
    try:
        # The access is committed before the first byte leaves: no unrecorded download.
        services.record_access(db(), who, item, "evidence.download", now=now())
        edge.keep_changes()
    except BaseException:
        handle.close()
        raise
    response = send_file(
        handle,
        mimetype=item.media_type,
        as_attachment=True,
        download_name=attachment_name(item),
        conditional=False,  # every range request would be another recorded download
        etag=False,
    )
    response.content_length = item.size
    # Exactly the stored type: Werkzeug would append a second charset to a text/* type.
    response.headers["Content-Type"] = item.media_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_upload_limits() -> dict[str, object]:
    """What the upload forms tell people (and the browser) about sizes and types."""
    return {
        "max_mb": settings().max_upload_mb,
        "max_bytes": max_bytes(),
        "accept": ",".join(BY_EXTENSION),
        "types": ", ".join(sorted({kind.name for kind in BY_EXTENSION.values()})),
    }
