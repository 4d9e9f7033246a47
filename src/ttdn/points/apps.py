from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "ttdn.points"
    label = "points"
    verbose_name = "Information points"

    def ready(self) -> None:
        from ttdn.points import bulletins, playlists, tasks
        from ttdn.sync.hub import feed
        from ttdn.sync.node import apply

        # The hub's bulletin classes travel in every batch (network and USB) and land in the batch's transaction.
        feed.batch_part("bulletins", bulletins.snapshot_for)
        apply.on_batch(bulletins.receive)
        # So do the playlists edited at the hub; the hub's version wins over the officer's (points.playlists).
        feed.batch_part("playlists", playlists.snapshot_for)
        apply.on_batch(playlists.receive)
        # The loudspeakers' speech is made in the background once a batch commits, not at the first play.
        apply.on_batch(tasks.after_batch)
