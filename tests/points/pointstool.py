"""Run inside a hub's or a node's environment (like tests/sync/hubtool.py): the steps of the end-to-end tests,
through the product's services. Prints one JSON line."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def main(argv: list[str]) -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    from django.utils import timezone

    command, args = argv[0], argv[1:]
    if command == "emergency":  # hub: publish a new item and make it an emergency, as a publisher would
        from tests.conftest import advance, make_item
        from tests.sync.hubtool import _world_obj
        from ttdn.content.models import State
        from ttdn.points import services

        world = _world_obj()
        item = advance(world, make_item(world, title=args[0], summary="Sơ tán ngay khỏi bờ suối."), State.PUBLISHED)
        services.do_set_hub_bulletin(world.publisher, services.HubBulletinInput(
            item_uid=item.uid, bulletin_class="emergency", site_codes=args[1:]))
        return {"uid": str(item.uid), "at": timezone.now().isoformat()}
    if command == "cancel":  # hub
        import uuid

        from tests.sync.hubtool import _world_obj
        from ttdn.points import services

        services.do_cancel_hub_bulletin(_world_obj().publisher, uuid.UUID(args[0]))
        return {"cancelled": args[0], "at": timezone.now().isoformat()}
    if command == "pair":  # node: the post's officer pairs the screen showing this code, with a rule for all
        from ttdn.accounts.models import User
        from ttdn.points import services

        officer = User.objects.filter(username="officer").first() or User.objects.create_user(
            "officer", password=None, is_staff=True)
        device = services.do_pair(officer, services.PairingInput(code=args[0], name=args[1]))
        services.do_add_rule(officer, device.pk, services.RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
        return {"device": device.pk}
    if command == "publish":  # hub: a text item published for the province, no recording
        from tests.conftest import advance, make_item
        from tests.sync.hubtool import _world_obj
        from ttdn.content.models import State

        item = advance(_world_obj(), make_item(_world_obj(), title=args[0], summary="Lịch tiêm chủng tại xã."),
                       State.PUBLISHED)
        return {"uid": str(item.uid)}
    if command in {"speaker", "speech", "speech-run"}:
        return _node_speech(command, args)
    if command in {"screen", "officer-pin", "officer-rule", "playlist"}:
        return _node_playlist(command, args)
    if command in {"hub-edit", "site-device"}:
        return _hub_playlist(command, args)
    raise SystemExit(f"unknown command {command}")



def _officer() -> Any:
    from ttdn.accounts.models import User

    return User.objects.filter(username="officer").first() or User.objects.create_user(
        "officer", password=None, is_staff=True)


def _node_playlist(command: str, args: list[str]) -> Any:
    """On the node: the post's officer's side of a device's playlist."""
    from ttdn.points import playlists, services
    from ttdn.points.models import Device

    officer = _officer()
    if command == "screen":  # a screen paired by the officer, with one rule
        device, _token = services.do_start_pairing()
        services.do_pair(officer, services.PairingInput(code=device.pairing_code, name=args[0]))
        services.do_add_rule(officer, device.pk, services.RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
        return {"device": device.pk, "uid": str(device.uid)}
    if command == "officer-pin":
        services.do_set_pinned(officer, int(args[0]), args[1:])
        return {"ok": True}
    if command == "officer-rule":
        services.do_add_rule(officer, int(args[0]), services.RuleInput(topics=[args[1]], kinds=[], languages=[],
                                                                      weekdays=[]))
        return {"ok": True}
    # "playlist": what the device plays now, and what the officer's devices page tells them.
    from django.test import Client

    from ttdn.accounts.middleware import OTP_SESSION_KEY

    device = Device.objects.prefetch_related("rules", "slots").get(pk=int(args[0]))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    page = client.get("/points/").content.decode()
    return {"doc": playlists.document(device), "revision": device.playlist_revision,
            "hub_at": device.hub_playlist_at.isoformat() if device.hub_playlist_at else None,
            "conflicts": [c.officer_version for c in device.conflicts.filter(seen_at__isnull=True)],
            "told": f'data-testid="conflict-{device.uid}"' in page}


def _node_speech(command: str, args: list[str]) -> Any:
    """On the node: a loudspeaker reading pinned items at 06:00 in Vietnamese then Jarai; what speech is made."""
    import datetime as dt
    from pathlib import Path

    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from ttdn.points import services, tasks
    from ttdn.points.models import DeviceKind

    if command == "speaker":
        device, _token = services.do_start_pairing(kind=DeviceKind.SPEAKER)
        device = services.do_pair(_officer(), services.PairingInput(code=device.pairing_code, name="Cụm loa đồn"))
        services.do_add_slot(_officer(), device.pk, services.SlotInput(at=dt.time(6, 0), languages=["vi", "jra"],
                                                                      weekdays=[], topics=[], items=args))
        return {"device": device.pk}
    if command == "speech-run":  # what the hourly run does, at once
        return tasks.pregenerate_speech.call()
    folder = Path(settings.DATA_DIR) / services.SPEECH_DIR
    runs = DBTaskResult.objects.filter(task_path=tasks.pregenerate_speech.module_path).order_by("enqueued_at")
    return {"files": {p.name: p.stat().st_mtime_ns for p in sorted(folder.glob("*.mp3"))},
            "runs": [{"status": r.status, "result": r.return_value} for r in runs]}


def _hub_playlist(command: str, args: list[str]) -> Any:
    """On the hub: a publisher's side of a site device's playlist."""
    from tests.sync.hubtool import _world_obj
    from ttdn.points import services
    from ttdn.points.models import SiteDevice

    device = SiteDevice.objects.get(device_uid=args[0])
    if command == "hub-edit":  # pinned UIDS… | remove-rule N
        edit = (services.HubPlaylistEdit(remove_rule=int(args[2])) if args[1] == "remove-rule"
                else services.HubPlaylistEdit(pinned=args[2:]))
        playlist = services.do_edit_hub_playlist(_world_obj().publisher, device.pk, edit)
        return {"changed_at": playlist.changed_at.isoformat(), "base": playlist.base_revision}
    return {"playlist": device.playlist, "revision": device.playlist_revision,
            "hub_at": device.hub_playlist_at.isoformat() if device.hub_playlist_at else None,
            "conflict_at": device.playlist_conflict_at.isoformat() if device.playlist_conflict_at else None}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False))
