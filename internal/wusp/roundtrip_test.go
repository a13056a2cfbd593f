package wusp

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// samples returns one value of every request and response type with every
// field set, for the round-trip test.
func samples() []any {
	tm := DateTime{time.Date(2026, 10, 4, 16, 3, 35, 996723600, time.UTC)}
	cookie := &Cookie{Expiration: tm, EncryptedData: Binary{1, 2, 3, 4, 5}}
	uid := UpdateIdentity{UpdateID: "dd78b8a1-0b20-45c1-add6-4da72e9364cf", RevisionNumber: 202}
	dep := &Deployment{ID: 8059, Action: ActionInstall, Deadline: "2026-11-01T00:00:00Z", IsAssigned: true,
		LastChangeTime: "2026-10-04", DownloadPriority: "1", HardwareIds: Strings{"PCI\\VEN_8086&DEV_100E"},
		AutoSelect: "0", AutoDownload: "0", SupersedenceBehavior: "0", FlagBitmask: "0",
		ClientBehaviors: List[ClientMetadata]{{MetadataType: "Audience", Metadata: "m<1>",
			Verification: &Verification{Timestamp: tm, LeafCertificateId: 7, Signature: Binary{9, 8}, Algorithm: `RSA"SHA256`}}}}
	ui := UpdateInfo{ID: 108226, Deployment: dep, IsLeaf: false, Xml: []byte(`<UpdateIdentity UpdateID="x" RevisionNumber="1" /><Properties UpdateType="Category" />&amp;`)}
	si := &SyncInfo{NewUpdates: List[UpdateInfo]{ui, {ID: 2, Deployment: &Deployment{ID: 3, Action: ActionEvaluate, LastChangeTime: "2026-10-04"}, IsLeaf: true}},
		OutOfScopeRevisionIDs: Ints{5, 6}, ChangedUpdates: List[UpdateInfo]{ui}, Truncated: true, NewCookie: cookie,
		DeployedOutOfScopeRevisionIds: Ints{7}, DriverSyncNotNeeded: "true"}
	fl := FileLocation{FileDigest: Binary{0x86, 0x54}, Url: "http://h:8530/Content/A2/X.cab", PiecesHashUrl: "p", BlockMapUrl: "b",
		DecryptionInformation: `{"KeyData":"x"}`, FileDigestAlgorithm: "SHA1", EncryptedFileDigest: Binary{1}, EncryptedFileDigestAlgorithm: "SHA256"}
	ev := ReportingEvent{
		BasicData: BasicData{TargetID: ComputerTargetIdentifier{Sid: "e1da06a3-5601-43c9-bac3-52d5db701494"}, SequenceNumber: 0,
			TimeAtTarget: tm, EventInstanceID: "fab199c1-6123-44f2-b01c-a5a92201b011", NamespaceID: 1, EventID: 147, SourceID: 101,
			UpdateID: &uid, Win32HResult: -2145123272, AppName: "OOBE ZDP"},
		ExtendedData: ExtendedData{ReplacementStrings: Strings{"0"}, MiscData: Strings{"B=3", "AppName=<<PROCESS>>: powershell.exe"},
			ComputerBrand: "QEMU", ComputerModel: "Standard PC", BiosRevision: "unknown", ProcessorArchitecture: "Amd64Compatible",
			OSVersion: DetailedVersion{10, 0, 26200, 65792, 0, 0}, OSLocaleID: 1033, DeviceID: "d"},
		PrivateData: PrivateData{ComputerDnsName: "c", UserAccountName: "u"},
	}
	return []any{
		&GetAuthorizationCookie{ClientID: "e1da06a3-5601-43c9-bac3-52d5db701494", TargetGroupName: "g1;g2", DnsName: "pc.example.test"},
		&GetAuthorizationCookieResponse{GetAuthorizationCookieResult: &AuthorizationCookie{PlugInId: "SimpleTargeting", CookieData: Binary("cd")}},
		&GetConfig{ProtocolVersion: "2.90"},
		&GetConfigResponse{GetConfigResult: &Config{LastChange: DateTime{time.Date(2026, 10, 4, 13, 17, 7, 590e6, time.UTC)}, IsRegistrationRequired: true,
			AuthInfo:        List[AuthPlugInInfo]{{PlugInID: "SimpleTargeting", ServiceUrl: "SimpleAuthWebService/SimpleAuth.asmx", Parameter: "p"}},
			AllowedEventIds: Ints{147, 156}, Properties: List[ConfigurationProperty]{{Name: "ProtocolVersion", Value: "3.2"}}}},
		&GetCookie{AuthCookies: List[AuthorizationCookie]{{PlugInId: "SimpleTargeting", CookieData: Binary{0, 1}}}, OldCookie: &Cookie{Expiration: tm},
			LastChange: tm, CurrentTime: tm, ProtocolVersion: "2.90"},
		&GetCookieResponse{GetCookieResult: cookie},
		&RegisterComputer{Cookie: cookie, ComputerInfo: &ComputerInfo{DnsName: "pc", OSMajorVersion: 10, OSMinorVersion: 0, OSBuildNumber: 26200,
			OSServicePackMajorNumber: 1, OSServicePackMinorNumber: 2, OSLocale: "en-US", ComputerManufacturer: "QEMU", ComputerModel: "M",
			BiosVersion: "bv", BiosName: "bn", BiosReleaseDate: tm, ProcessorArchitecture: "AMD64", SuiteMask: 256, OldProductType: 1,
			NewProductType: 48, SystemMetrics: 3, ClientVersionMajorNumber: 1507, ClientVersionMinorNumber: 2601, ClientVersionBuildNumber: 30012,
			ClientVersionQfeNumber: 4, OSDescription: "Windows 10 Pro", OEM: "QEMU", DeviceType: "dt", FirmwareVersion: "fw", MobileOperator: "Not Present"}},
		&RegisterComputerResponse{},
		&StartCategoryScan{RequestedCategories: List[CategoryRelationship]{{IndexOfAndGroup: 0, CategoryId: "dd78b8a1-0b20-45c1-add6-4da72e9364cf"}, {IndexOfAndGroup: 1, CategoryId: "a"}}},
		&StartCategoryScanResponse{PreferredCategoryIds: GUIDs{"a"}, RequestedCategoryIdsInError: GUIDs{"b", "c"}},
		&SyncUpdates{Cookie: cookie, Parameters: &SyncUpdateParameters{ExpressQuery: false, InstalledNonLeafUpdateIDs: Ints{1, 2},
			OtherCachedUpdateIDs: Ints{3}, SystemSpec: List[Device]{{HardwareIDs: Strings{"{6d170653-5280-44c2-ba44-2c04bc9d46da}"}, CompatibleIDs: Strings{"c"},
				InstalledDriver: &InstalledDriver{MatchingID: "m", DriverVerDate: tm, DriverVerVersion: 2814751477604196, Class: "Printer",
					Manufacturer: "Microsoft", Provider: "Microsoft", Model: "U", MatchingComputerHWID: "458ab48b-acb9-5863-b5a8-d2c32f0d3e6f", DriverRank: -1,
					SkipProviderFiltering: ptr(true), IsGeneric: ptr(false)},
				ExtensionDrivers:  List[ExtensionDriver]{{ExtensionId: "{96BEDF2C-18CB-4A15-B821-5E95ED0FEA61}", DriverVerDate: tm, DriverVerVersion: 5, Class: "x", DriverRank: 8, MatchingComputerHWID: "g"}},
				DriverRecoveryIDs: DriverRecoveryIDs{"r"}, DeviceFlags: ptr(uint8(1))}},
			CachedDriverIDs: Ints{9}, SkipSoftwareSync: true, FilterCategoryIds: List[CategoryIdentifier]{{Id: "dd78b8a1-0b20-45c1-add6-4da72e9364cf"}},
			NeedTwoGroupOutOfScopeUpdates: true, AlsoPerformRegularSync: ptr(false),
			ComputerSpec:            &ComputerHardwareSpecification{HardwareIDs: GUIDs{"458ab48b-acb9-5863-b5a8-d2c32f0d3e6f"}},
			FeatureScoreMatchingKey: "AMD64.10.0",
			ProductsParameters:      &ProductsParameters{SyncCurrentVersionOnly: true, DeviceAttributes: "A=1;", CallerAttributes: "Interactive=0;", Products: "p"}}},
		&SyncUpdatesResponse{SyncUpdatesResult: si},
		&SyncPrinterCatalog{Cookie: cookie, InstalledNonLeafUpdateIDs: Ints{1}, PrinterUpdateIDs: Ints{2, 3}},
		&SyncPrinterCatalogResponse{SyncPrinterCatalogResult: si},
		&RefreshCache{Cookie: cookie, GlobalIDs: List[UpdateIdentity]{uid, uid}},
		&RefreshCacheResponse{RefreshCacheResult: List[RefreshCacheResult]{{RevisionID: 1, GlobalID: &uid, IsLeaf: true, Deployment: dep}}},
		&GetExtendedUpdateInfo{Cookie: cookie, RevisionIDs: Ints{72571, 108226}, InfoTypes: FragmentTypes{FragmentExtended, FragmentLocalizedProperties},
			Locales: Strings{"en-US", "en"}, DeviceAttributes: "A=1;", GeoId: "USA", CallerAttributes: "Interactive=0;"},
		&GetExtendedUpdateInfoResponse{GetExtendedUpdateInfoResult: &ExtendedUpdateInfo{Updates: List[UpdateData]{{ID: 1, Xml: []byte("<ExtendedProperties a=\"1\">\r\n</ExtendedProperties>")}},
			FileLocations: List[FileLocation]{fl}, OutOfScopeRevisionIDs: Ints{4}}},
		&GetExtendedUpdateInfo2{Cookie: cookie, UpdateIDs: List[UpdateIdentity]{uid}, InfoTypes: FragmentTypes{FragmentFileUrl}, Locales: Strings{"en"}, CallerAttributes: "c"},
		&GetExtendedUpdateInfo2Response{GetExtendedUpdateInfo2Result: &ExtendedUpdateInfo2{Updates: List[UpdateData]{{ID: 1, Xml: []byte("<a/>")}},
			FileLocations:           List[FileLocation]{fl},
			FileDecryptionData:      List[FileDecryption]{{FileDigest: Binary{1}, DecryptionKey: Binary{2}, SecurityData: Base64s{{2}}}},
			FileDecryptionData2:     List[FileDecryption2]{{FileDigest: Binary{3}, DecryptionKey: Binary{4}, SecurityData: Base64s{{4}}}},
			UpdateEncryptionDetails: List[UpdateEncryptionDetail]{{UpdateIdentity: uid, HasEncryptedFiles: true}}}},
		&GetFileLocations{Cookie: cookie, FileDigests: Base64s{make(Binary, 20)}},
		&GetFileLocationsResponse{GetFileLocationsResult: &GetFileLocationsResults{FileLocations: List[FileLocation]{fl}, NewCookie: cookie}},
		&ReportEventBatch{Cookie: cookie, ClientTime: tm, EventBatch: List[ReportingEvent]{ev, ev}},
		&ReportEventBatchResponse{ReportEventBatchResult: true},
	}
}

// encode marshals v the way it goes on the wire: the streaming encoder
// for the SyncInfo responses, encoding/xml for the rest.
func encode(t testing.TB, v any) []byte {
	if a, ok := v.(interface{ AppendXML([]byte) []byte }); ok {
		return a.AppendXML(nil)
	}
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip checks decode → encode → decode for every wire type: the
// value survives and the second encoding equals the first.
func TestRoundTrip(t *testing.T) {
	for _, v := range samples() {
		t.Run(fmt.Sprintf("%T", v)[7:], func(t *testing.T) {
			b1 := encode(t, v)
			d1 := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := xml.Unmarshal(b1, d1); err != nil {
				t.Fatalf("decode: %v\n%s", err, b1)
			}
			b2 := encode(t, d1)
			if !bytes.Equal(b1, b2) {
				t.Errorf("re-encoding differs:\n%s\n%s", b1, b2)
			}
			d2 := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := xml.Unmarshal(b2, d2); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d1, d2) {
				t.Errorf("decode(encode(decode(x))) = %+v, want %+v", d2, d1)
			}
			// Nothing set in the sample is lost (XMLName is filled by decoding).
			reflect.ValueOf(d1).Elem().FieldByName("XMLName").Set(reflect.Zero(reflect.TypeOf(xml.Name{})))
			if !reflect.DeepEqual(d1, v) {
				t.Errorf("decode(encode(x)) = %+v, want %+v", d1, v)
			}
		})
	}
}
