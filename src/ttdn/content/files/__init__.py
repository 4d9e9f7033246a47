"""The file pipeline: recognise an upload by its content, extract its text, thumbnail it, store it once.

Nothing here touches the database; failures raise `ServiceError` with a stable code and leave nothing behind
on disk. One module per concern, imported by name (this package re-exports nothing, so importing one module
never loads the libraries of another):

- `sniff`: what the first bytes say, the kinds, the size and archive limits, the worded refusals;
- `probes`: each accepted format's check (`probes.inspect_upload` is the entry);
- `text`: all PDF and Word text extraction, holding the PDFium lock every PDFium call takes;
- `thumbnails`: previews of images and PDFs;
- `zips`: the one way a ZIP container is opened, every member inflated under the caps;
- `blobs`: the content-addressed blob store (a directory or an S3 bucket); it imports none of the others,
  so a node's sync loads no PDF, image or media library.
"""
