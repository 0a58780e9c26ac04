"""Steps shared by the evidence page and API tests: files, uploads, and what was stored."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.evidence import services
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.models import EvidenceItem
from tests.conftest import SYSTEM_ACTOR, csrf_token

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
MB = 1024 * 1024


def objects(store: LocalBlobStore) -> list[str]:
    """Every file under the store (complete objects and leftovers alike)."""
    root = store.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def items(session) -> list[EvidenceItem]:
    session.expire_all()
    return list(session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)))


def multipart(fields: dict, files: list[tuple[bytes, str]], name: str = "files"):
    """A multipart body built in memory (the test client's own spills big bodies to a temporary
    file that nobody closes when the app refuses to read it)."""
    values = MultiDict(fields)
    for content, filename in files:
        values.add(name, FileStorage(io.BytesIO(content), filename=filename))
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, files, *, page="/evidence/upload", **fields):
    """Post the upload form as a browser would: ``files`` is a list of (content, name)."""
    values = {
        "csrf_token": csrf_token(client, page),
        "collected_on": "2026-11-20",
        "controls": ["ORG-04"],
        **fields,
    }
    flat = [(k, v) for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs])]
    return client.post("/evidence/upload", **multipart(flat, files))


def as_actor(user) -> Actor:
    """``user`` as the services see them (with their role)."""
    return Actor(user.id, user.email, "127.0.0.1", user.role)


def add_item(session, store, clock, actor=SYSTEM_ACTOR, **fields) -> EvidenceItem:
    """Evidence added directly through the service (for tests about reading it)."""
    content = fields.pop("content", PDF)
    data = services.EvidenceInput(
        filename=fields.pop("name", "policy.pdf"),
        title=fields.pop("title", "Policy"),
        collected_on=fields.pop("collected_on", date(2026, 11, 1)),
        control_codes=fields.pop("controls", ["ORG-04"]),
        **fields,
    )
    item = services.add_evidence(
        session, store, actor, io.BytesIO(content), data, max_bytes=MB, now=clock()
    )
    session.commit()
    return item


def events(session, action: str, item_id: int | None = None) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action)
    if item_id is not None:
        query = query.where(AuditEvent.object_type == "evidence")
        query = query.where(AuditEvent.object_id == str(item_id))
    return list(session.scalars(query.order_by(AuditEvent.seq)))
