// Package applicability evaluates the applicability rules of update
// metadata (MS-WUSP §3.1.1.1 Core fragments: IsInstalled, IsInstallable,
// IsSuperseded) against a description of one machine, as the Windows Update
// Agent does before it reports or installs an update. Rules it cannot decide
// evaluate to Unknown, never to a silent True.
//
// Use: ParseCore a revision's Core fragment, then Rules.Evaluate it on a
// Machine, usually a Profile loaded from JSON (LoadProfile, BuiltinProfile).
// The agent's install handler records installs with Profile.MarkInstalled,
// which makes later evaluations report the update Installed.
//
// Rules decided here (file by concept):
//
//	logic.go     And, Or, Not, True, False (Kleene three-valued)
//	base.go      b.WindowsVersion, b.PlatformVersion, b.WindowsLanguage, b.PlatformLanguage,
//	             b.MuiInstalled, b.MuiLanguageInstalled, b.Platform, b.Processor,
//	             b.NumberOfProcessors, b.SystemMetric, b.ClusteredOS, b.WmiQuery,
//	             b.LicenseDword, b.LicenseValueExists, ProductReleaseInstalled, DeviceAttribute
//	registry.go  b.RegKeyExists, b.RegValueExists, b.RegDword, b.RegSz, b.RegExpandSz,
//	             b.RegSzToVersion, b.RegKeyLoop
//	file.go      b.FileExists, b.FileVersion, b.FileCreated, b.FileModified, b.FileSize
//	             and their PrependRegSz forms
//	msi.go       m.MsiProductInstalled, m.MsiPatchInstalledForProduct,
//	             m.MsiComponentInstalledForProduct, m.MsiFeatureInstalledForProduct
//	driver.go    d.WindowsDriverInstalled, d.WindowsDriverInstallable, d.WindowsDriverSuperseded
//	cbs.go       CbsPackageInstalled, CbsPackageInstallable
//	evaluate.go  b.InstalledOnce and the dispatch
//
// Always Unknown: b.WUv4RegKeyValue, b.WUv4RegKeySubstring, b.ClusterResourceOwner,
// b.GenericQuery, the MSI metadata rules (m.MsiPatchInstalled, m.MsiPatchSuperseded,
// m.MsiPatchInstallable, m.MsiApplicationInstalled, …), and every element this
// package does not know.
//
// Sources of the semantics: the rule schemas with their documentation in
// MS-WUSP Appendix B (product behavior note 42), the WSUS Client Servicing
// API "BaseApplicabilityRules Schema", "BaseTypes Schema",
// "LogicalApplicabilityRules Schema", "MsiApplicabilityRules Schema" and
// "Update Applicability Rules" pages (learn.microsoft.com bb972749,
// bb972756, bb972754, bb972757, bb902473), MS-WUSP §3.1.5.7 for driver
// matching, the Win32 VerifyVersionInfo contract for WindowsVersion, and the
// real fragments of ../shared/data/real/wsus-rs. Each rule's comment quotes
// its schema documentation and marks what is inferred.
package applicability
