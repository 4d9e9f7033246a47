"""The translation desk: jobs per item and language, the segmented editor, review that makes a translation
public (through content's services), stale segments when a source changes, memory, glossary and exchange."""
