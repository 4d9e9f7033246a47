"""The hub's side of sync: the change feed and what each node is sent (`feed`), file chunks (`chunking`),
enrolment, signed-request authentication, contacts and bundles for nodes (`services`, `bundles`), the sync
endpoints and the nodes page (`views`, `revoke_views`). It never imports the node's side (`ttdn.sync.node`).
"""
