"""Files that every node must read, kept in the database: uploaded images and import files.

Nothing that one node writes and another reads lives on a node's disk (docs/architecture.md#blobs):
a web node behind the balancer serves an image another node stored, a worker reads the CSV a web
node received, and a backup of PostgreSQL holds them all. Blobs are content-addressed (SHA-256 of
the bytes): the same bytes stored twice are one row. Owners keep a reference (`media_image.sha256`,
`import_job.file_sha256`) and call `store.release` when they let go; the row goes once nothing
refers to it.
"""
