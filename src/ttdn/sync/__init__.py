"""Border-site nodes: the node registry and enrolment, the change feed, chunked file transfer, signed USB
bundles, the edge client (`ttdn sync`) and the up-link of heartbeats and display counts."""
