package wusp

import (
	"encoding/xml"
	"strings"
)

// The ArrayOf… types of MS-WUSP §2.2.3 and §6 are literal sequences whose
// items are named after their type (<int>, <guid>, <string>,
// <base64Binary>, <UpdateInfo>, …). They are Go slices with their own XML
// methods rather than "a>b" struct tags because encoding/xml writes the
// parent of an empty "a>b" field anyway; WSUS omits empty arrays and a
// peer may read an empty SystemSpec as present (protocol-wusp.md §1.4,
// trap 28). Decoding takes items by local name in any namespace, ignores
// other children and attributes (soapenc:arrayType), and reads
// xsi:nil, empty and absent alike.

// Array is an ArrayOf… of simple items of type T, each written as an
// element named by N.
type Array[T any, N itemName] []T

// itemName names the items of an Array.
type itemName interface{ xmlItem() string }

type (
	intItem              struct{}
	guidItem             struct{}
	stringItem           struct{}
	base64Item           struct{}
	fragmentTypeItem     struct{}
	driverRecoveryIDItem struct{}
)

func (intItem) xmlItem() string              { return "int" }
func (guidItem) xmlItem() string             { return "guid" }
func (stringItem) xmlItem() string           { return "string" }
func (base64Item) xmlItem() string           { return "base64Binary" }
func (fragmentTypeItem) xmlItem() string     { return "XmlUpdateFragmentType" }
func (driverRecoveryIDItem) xmlItem() string { return "DriverRecoveryID" }

// Ints is ArrayOfInt: items <int>.
type Ints = Array[int32, intItem]

// GUIDs is ArrayOfGuid: items <guid>, GUID strings.
type GUIDs = Array[string, guidItem]

// Strings is ArrayOfString: items <string>.
type Strings = Array[string, stringItem]

// Base64s is ArrayOfBase64Binary: items <base64Binary>.
type Base64s = Array[Binary, base64Item]

// FragmentTypes is ArrayOfXmlUpdateFragmentType: items
// <XmlUpdateFragmentType> holding the Fragment… constants.
type FragmentTypes = Array[string, fragmentTypeItem]

// DriverRecoveryIDs is ArrayOfDriverRecoveryID: items <DriverRecoveryID>.
type DriverRecoveryIDs = Array[string, driverRecoveryIDItem]

// MarshalXML implements xml.Marshaler.
func (a Array[T, N]) MarshalXML(e *xml.Encoder, s xml.StartElement) error {
	var n N
	return marshalItems(e, s, n.xmlItem(), a)
}

// UnmarshalXML implements xml.Unmarshaler.
func (a *Array[T, N]) UnmarshalXML(d *xml.Decoder, s xml.StartElement) error {
	var n N
	return unmarshalItems(d, s, n.xmlItem(), (*[]T)(a))
}

// itemer is implemented by the element types of List: the item's element
// name in its ArrayOf… type.
type itemer interface{ xmlItem() string }

// List is an ArrayOf… of complex items, named by T's xmlItem.
type List[T itemer] []T

// MarshalXML implements xml.Marshaler.
func (l List[T]) MarshalXML(e *xml.Encoder, s xml.StartElement) error {
	var zero T
	return marshalItems(e, s, zero.xmlItem(), l)
}

// UnmarshalXML implements xml.Unmarshaler.
func (l *List[T]) UnmarshalXML(d *xml.Decoder, s xml.StartElement) error {
	var zero T
	return unmarshalItems(d, s, zero.xmlItem(), (*[]T)(l))
}

// marshalItems writes s, one element named item per value, and s's end.
// Callers skip empty lists through omitempty.
func marshalItems[T any](e *xml.Encoder, s xml.StartElement, item string, items []T) error {
	s.Attr = nil
	if err := e.EncodeToken(s); err != nil {
		return err
	}
	is := xml.StartElement{Name: xml.Name{Local: item}}
	for i := range items {
		if err := e.EncodeElement(&items[i], is); err != nil {
			return err
		}
	}
	return e.EncodeToken(s.End())
}

// unmarshalItems appends every child named item (any namespace, any
// letter case: Windows 11 writes ExtensionDriver where the WSDL says
// extensionDriver) to dst and skips other children.
func unmarshalItems[T any](d *xml.Decoder, s xml.StartElement, item string, dst *[]T) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !strings.EqualFold(t.Name.Local, item) {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			var v T
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			*dst = append(*dst, v)
		case xml.EndElement:
			return nil
		}
	}
}

func (AuthPlugInInfo) xmlItem() string         { return "AuthPlugInInfo" }
func (ConfigurationProperty) xmlItem() string  { return "ConfigurationProperty" }
func (AuthorizationCookie) xmlItem() string    { return "AuthorizationCookie" }
func (CategoryRelationship) xmlItem() string   { return "CategoryRelationship" }
func (CategoryIdentifier) xmlItem() string     { return "CategoryIdentifier" }
func (Device) xmlItem() string                 { return "Device" }
func (ExtensionDriver) xmlItem() string        { return "extensionDriver" }
func (UpdateInfo) xmlItem() string             { return "UpdateInfo" }
func (ClientMetadata) xmlItem() string         { return "ClientMetadata" }
func (UpdateIdentity) xmlItem() string         { return "UpdateIdentity" }
func (RefreshCacheResult) xmlItem() string     { return "RefreshCacheResult" }
func (UpdateData) xmlItem() string             { return "Update" }
func (FileLocation) xmlItem() string           { return "FileLocation" }
func (FileDecryption) xmlItem() string         { return "FileDecryption" }
func (FileDecryption2) xmlItem() string        { return "FileDecryption2" }
func (UpdateEncryptionDetail) xmlItem() string { return "UpdateEncryptionDetail" }
func (ReportingEvent) xmlItem() string         { return "ReportingEvent" }
