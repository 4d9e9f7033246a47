"""A node's side of sync: applying batches (`apply`, the one path for the network and USB bundles), the
client of the hub and one sync pass (`client`), the node's operations (`services`) and its bundles (`bundles`).
It never imports the hub's side (`ttdn.sync.hub`); it needs only the blob store of `content`.
"""
