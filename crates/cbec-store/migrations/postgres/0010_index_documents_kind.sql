-- Documents of one kind, most recently changed first: what the risk dry run
-- reads (the latest import and export lists) and the API's document list
-- filtered by kind. Without it a kind with few documents (export lists on
-- an import-only site) was found by reading every document.
CREATE INDEX documents_kind ON documents (kind, updated_at, id);
