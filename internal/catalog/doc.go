// Package catalog is the in-memory graph of update revisions that SyncUpdates
// answers from: prerequisites, bundles, supersedence and categories over
// compact integer indices, plus one deployment snapshot per target group
// (MS-WUSP §3.1.1, §3.1.5.7). A Catalog is immutable once built; Holder
// publishes a new one atomically so readers never lock.
//
// Decisions where the spec is silent or WSUS differs from it:
//
//   - Only the highest RevisionNumber of an update is ever in scope
//     (§3.1.5.7 Note); prerequisites name it (§3.1.1), an approval of an
//     older revision applies to it, and a bundled revision that is not the
//     latest is replaced by the latest (recorded as a Problem).
//   - A prerequisite or bundle clause with no member in the catalog can never
//     be satisfied, so its revision is never offered (recorded as a Problem;
//     missing categories are the common case of partial imports).
//   - IsLeaf is computed over the prerequisites of every revision, IsCategory
//     clauses included; bundle membership does not make a revision non-leaf
//     (§3.1.5.7 IsLeaf; protocol-wusp.md trap 21).
//   - A group inherits the approvals of its ancestors up to All Computers; the
//     nearest approval wins, so a child's own approval (Block included)
//     overrides the inherited one. A client in several groups gets, per
//     revision, Block over Install over OptionalInstall over Uninstall over
//     PreDeploymentCheck over Bundle over Evaluate, then the earliest deadline.
//   - Members of bundles approved for Install, OptionalInstall or Uninstall
//     get Action Bundle; prerequisites of deployed revisions get Evaluate;
//     unless Input.ApprovedOnly, so does every other non-declined update
//     (protocol-wusp.md trap 27). Declined updates are left out except as
//     dependencies of something deployed, which could not work without them.
//   - Block is sent as PreDeploymentCheck (§2.2.2.2.4 Action, SHOULD).
//   - LastChangeTime: unchanged deployments keep the stamp of Input.Previous,
//     changed ones get Input.Now; without Previous everything is dated no
//     earlier than Input.Epoch. Watermark is the newest stamp.
package catalog
