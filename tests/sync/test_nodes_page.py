"""The nodes page as officials use it: plain words and dd/mm/yyyy dates, and the operator issues a node's
one-time enrolment code there (through the same service as `ttdn edge issue-code`)."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone

from ttdn.core.models import AuditEntry
from ttdn.sync.hub import services
from ttdn.sync.models import EnrolmentCode
from ttdn.sync.transport import keys

from ..conftest import World
from .test_hub import _login, _node, _site

pytestmark = pytest.mark.django_db

NODES = "/sync/nodes/"
CODES = "/sync/nodes/codes/"


def test_the_page_speaks_to_officials(world: World, client: Client) -> None:
    post, _key = _node(world)
    services.do_record_contact(post, {"applied_seq": 0, "version": "0.1.0", "free_disk": 5 * 1024**3})
    html = _login(client, world.agency_admin).get(NODES).content.decode()
    assert "dòng thay đổi" not in html and "change feed" not in html  # no "position of the change stream"
    today = timezone.localtime().strftime("%d/%m/%Y")
    assert today in html
    assert "Phiên bản phần mềm" in html and "Tài liệu đã cập nhật đủ chưa?" in html
    # Only operators enrol nodes.
    assert 'data-testid="issue-code"' not in html


def test_operator_issues_an_enrolment_code_from_the_page(world: World, client: Client) -> None:
    site = _site(world, "ia-o", "border_commune")
    _login(client, world.operator)
    page = client.get(NODES).content.decode()
    assert 'data-testid="issue-code"' in page and f'value="{site.pk}"' in page
    response = client.post(CODES, {"site": site.pk, "valid_hours": 24})
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    html = response.content.decode()
    code = re.search(r'data-testid="code">([A-Z2-9]{5}(?:-[A-Z2-9]{5}){3})<', html).group(1)  # type: ignore[union-attr]
    assert (timezone.localtime() + timezone.timedelta(hours=24)).strftime("%d/%m/%Y") in html
    entry = EnrolmentCode.objects.get(site=site)
    assert entry.issued_by == world.operator and code not in entry.code_hash
    assert AuditEntry.objects.filter(action="sync.code.issue", actor=world.operator).exists()
    # The code enrols a node once.
    node = services.do_enroll(code, keys.public_hex(Ed25519PrivateKey.generate()), "box")
    assert node.site == site
    # It is not shown again.
    assert code not in client.get(NODES).content.decode()


@pytest.mark.parametrize("who", ["appraiser", "agency_admin", "contributor"])
def test_only_operators_issue_codes(world: World, client: Client, who: str) -> None:
    site = _site(world)
    response = _login(client, world.users()[who]).post(CODES, {"site": site.pk, "valid_hours": 72})
    assert response.status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_a_site_must_be_chosen(world: World, client: Client) -> None:
    response = _login(client, world.operator).post(CODES, {"valid_hours": 72})
    assert response.status_code == 400 and 'id="field-site"' in response.content.decode()
    assert not EnrolmentCode.objects.exists()
