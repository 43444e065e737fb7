//! Every occurrence of every declared name in a document (declarations and
//! uses: links, records, `allow` subjects, `zone=`, members), from the AST's
//! spans: what definition, references, rename and hover stand on.
//! Owner: lsp-nav helper.
