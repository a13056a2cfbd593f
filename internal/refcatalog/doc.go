// Package refcatalog generates a deterministic, realistic reference catalog
// of update metadata for tests and benchmarks: full update XML documents
// (root upd:Update) in the shape real WSUS and Microsoft Update exchange
// through MS-WSUSSS GetUpdateData, content files whose digests match, and a
// list of approvals.
//
// On disk (Generate) and in memory (Stream) a catalog is:
//
//	metadata/<UpdateID>-r<RevisionNumber>.xml  one UTF-8 document per revision, no declaration, no indentation
//	content/<SHA1 upper hex>.<ext>             payload and EULA files (Options.WithContent)
//	approvals.json                             [{UpdateID, RevisionNumber, Group, Action, Deadline?}]
//
// The catalog holds the Microsoft company and product-family tree with about
// 40 products, the 11 standard classifications, about 2 % detectoids, about
// 10 % drivers, and software bundles with their leaves, standalone updates,
// supersedence chains, revised updates (r200 and r201) and EULAs. The shapes
// follow the real documents of the wsus-rs captures (../shared/data/real);
// GUIDs that appear there are kept, all others come from the seeded
// generator, and all dates from a fixed epoch.
package refcatalog
