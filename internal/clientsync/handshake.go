package clientsync

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"patchbay"
	"patchbay/internal/wusp"
)

// GetConfig answers MS-WUSP §3.1.5.2 exactly like WSUS (protocol-wusp.md
// §4.1): one SimpleTargeting plug-in with the relative SimpleAuth URL,
// ProtocolVersion 3.2 (trap 11), and the properties Appendix B lists. The
// protocol version the client sends is not checked: GetConfig may be lenient.
func (s *Service) GetConfig(ctx context.Context, req *wusp.GetConfig) (*wusp.GetConfigResponse, error) {
	props := []wusp.ConfigurationProperty{
		{Name: "MaxExtendedUpdatesPerRequest", Value: strconv.Itoa(s.cfg.MaxExtendedUpdatesPerRequest)},
	}
	if s.cfg.PackageServerShare != "" {
		props = append(props, wusp.ConfigurationProperty{Name: "PackageServerShare", Value: s.cfg.PackageServerShare})
	}
	props = append(props,
		wusp.ConfigurationProperty{Name: "ProtocolVersion", Value: "3.2"},
		wusp.ConfigurationProperty{Name: "IsInventoryRequired", Value: "0"},
		wusp.ConfigurationProperty{Name: "ClientReportingLevel", Value: "2"},
	)
	cfg := &wusp.Config{
		LastChange:             wusp.DateTime{Time: s.cfg.LastChange},
		IsRegistrationRequired: !s.cfg.RegistrationNotRequired,
		AuthInfo: wusp.List[wusp.AuthPlugInInfo]{{
			PlugInID:   "SimpleTargeting",
			ServiceUrl: "SimpleAuthWebService/SimpleAuth.asmx",
		}},
		AllowedEventIds: s.cfg.AllowedEventIds,
		Properties:      props,
	}
	return &wusp.GetConfigResponse{GetConfigResult: cfg}, nil
}

// GetAuthorizationCookie implements MS-WUSP §3.1.5.3: it validates clientId
// (a ClientIdString, §1.1) and dnsName, records the computer on first
// contact, and seals the client id and the target group names it claims
// (client-side targeting; several names may be separated by ';').
func (s *Service) GetAuthorizationCookie(ctx context.Context, req *wusp.GetAuthorizationCookie) (*wusp.GetAuthorizationCookieResponse, error) {
	id := strings.ToLower(strings.TrimSpace(req.ClientID))
	if !validClientID(id) {
		return nil, patchbay.Errorf(patchbay.EInvalid, "clientId")
	}
	dns := strings.TrimSpace(req.DnsName)
	if dns == "" || len(dns) > 255 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "dnsName")
	}
	var claimed []string
	for _, n := range strings.Split(req.TargetGroupName, ";") {
		if n = strings.TrimSpace(n); n != "" {
			claimed = append(claimed, n)
		}
	}
	now := s.now()
	if _, err := s.computers.TouchComputer(ctx, id, dns, claimed, now); err != nil {
		return nil, fmt.Errorf("record computer: %w", err)
	}
	data, err := s.auth.Seal(authPayload{
		V: payloadVersion, Client: id, DNS: dns, Claimed: claimed,
		Server: s.cfg.ServerID, Expires: now.Add(s.cfg.AuthCookieLifetime).Unix(),
	})
	if err != nil {
		return nil, err
	}
	return &wusp.GetAuthorizationCookieResponse{GetAuthorizationCookieResult: &wusp.AuthorizationCookie{
		PlugInId: "SimpleTargeting", CookieData: data,
	}}, nil
}

// validClientID reports whether id is a ClientIdString: 1 to 255 characters
// from a-z, 0-9 and '-' (MS-WUSP §1.1), compared case-insensitively.
func validClientID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// GetCookie implements MS-WUSP §3.1.5.4 with the validation order of
// protocol-wusp.md §6.3: exactly one valid authorization cookie
// (InvalidAuthorizationCookie), lastChange equal to the current LastChange
// (ConfigChanged), a two-part protocolVersion (InvalidParameters). An
// oldCookie that does not open — WUA sends one with only an Expiration on
// its first call (trap 13) — is ignored; an authentic one from the same
// client passes its sync watermarks on.
func (s *Service) GetCookie(ctx context.Context, req *wusp.GetCookie) (*wusp.GetCookieResponse, error) {
	if len(req.AuthCookies) != 1 {
		return nil, patchbay.Errorf(patchbay.EUnauthorized, "authCookies")
	}
	auth, err := s.openAuth(req.AuthCookies[0])
	if err != nil {
		return nil, err
	}
	if req.LastChange.UnixMilli() != s.anchor() {
		return nil, patchbay.Errorf(patchbay.EConfigChanged, "lastChange")
	}
	if _, _, ok := protocolVersion(req.ProtocolVersion); !ok {
		return nil, patchbay.Errorf(patchbay.EInvalid, "protocolVersion")
	}
	groups, err := s.targetGroups(ctx, auth)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := sessionPayload{
		Client: auth.Client, Groups: groups, Protocol: strings.TrimSpace(req.ProtocolVersion),
		Anchor: s.anchor(), Server: s.cfg.ServerID, Expires: now.Add(s.cfg.CookieLifetime).Unix(),
	}
	if old, err := s.openSession(req.OldCookie); err == nil || patchbay.ErrorCode(err) == patchbay.ECookieExpired {
		// An authentic expired cookie still carries valid sync state (§3.1.5.4 SHOULD).
		if old.Client == auth.Client && old.Server == s.cfg.ServerID {
			p.Software, p.Drivers = old.Software, old.Drivers
		}
	}
	c, err := s.sealSession(p)
	if err != nil {
		return nil, err
	}
	s.contacts.note(auth.Client, patchbay.ContactCall, now)
	return &wusp.GetCookieResponse{GetCookieResult: c}, nil
}

// targetGroups resolves the client's target groups: with client-side
// targeting, the groups whose names it claimed (unknown names ignored); with
// server-side targeting, the groups an administrator assigned. No group
// means All Computers to the catalog.
func (s *Service) targetGroups(ctx context.Context, auth authPayload) ([]string, error) {
	if s.cfg.ClientSideTargeting && len(auth.Claimed) > 0 {
		all, err := s.computers.Groups(ctx)
		if err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		var ids []string
		for _, name := range auth.Claimed {
			for _, g := range all {
				if strings.EqualFold(g.Name, name) {
					ids = append(ids, g.ID)
				}
			}
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
	c, err := s.computers.Computer(ctx, auth.Client)
	if err != nil {
		return nil, fmt.Errorf("read computer: %w", err)
	}
	return c.GroupIDs, nil
}

// RegisterComputer implements MS-WUSP §3.1.5.5: every ComputerInfo field is
// stored for administrators, keyed by the cookie's client id, not DnsName.
func (s *Service) RegisterComputer(ctx context.Context, req *wusp.RegisterComputer) (*wusp.RegisterComputerResponse, error) {
	sess, err := s.openSession(req.Cookie)
	if err != nil {
		return nil, err
	}
	info := req.ComputerInfo
	if info == nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "computerInfo")
	}
	c := patchbay.Computer{
		ID:                       sess.Client,
		DNSName:                  strings.TrimSpace(info.DnsName),
		OSMajorVersion:           int(info.OSMajorVersion),
		OSMinorVersion:           int(info.OSMinorVersion),
		OSBuildNumber:            int(info.OSBuildNumber),
		OSServicePackMajorNumber: int(info.OSServicePackMajorNumber),
		OSServicePackMinorNumber: int(info.OSServicePackMinorNumber),
		OSLocale:                 info.OSLocale,
		OSDescription:            info.OSDescription,
		ComputerManufacturer:     info.ComputerManufacturer,
		ComputerModel:            info.ComputerModel,
		BiosVersion:              info.BiosVersion,
		BiosName:                 info.BiosName,
		BiosReleaseDate:          info.BiosReleaseDate.Time,
		ProcessorArchitecture:    info.ProcessorArchitecture,
		SuiteMask:                int(info.SuiteMask),
		OldProductType:           int(info.OldProductType),
		NewProductType:           int(info.NewProductType),
		SystemMetrics:            int(info.SystemMetrics),
		ClientVersion: fmt.Sprintf("%d.%d.%d.%d", info.ClientVersionMajorNumber, info.ClientVersionMinorNumber,
			info.ClientVersionBuildNumber, info.ClientVersionQfeNumber),
		OEM:             info.OEM,
		DeviceType:      info.DeviceType,
		FirmwareVersion: info.FirmwareVersion,
		MobileOperator:  info.MobileOperator,
		ProtocolVersion: sess.Protocol,
		Registered:      true,
		LastContact:     s.now(),
	}
	if err := s.computers.RegisterComputer(ctx, c); err != nil {
		return nil, fmt.Errorf("register computer: %w", err)
	}
	s.registered.Store(sess.Client, struct{}{})
	return &wusp.RegisterComputerResponse{}, nil
}

// requireRegistration answers RegistrationRequired (§3.1.5.7) for a client
// that never registered while GetConfig says registration is required.
func (s *Service) requireRegistration(ctx context.Context, id string) error {
	if s.cfg.RegistrationNotRequired {
		return nil
	}
	if _, ok := s.registered.Load(id); ok {
		return nil
	}
	c, err := s.computers.Computer(ctx, id)
	switch {
	case patchbay.ErrorCode(err) == patchbay.ENotFound:
		return patchbay.Errorf(patchbay.ERegistrationRequired, "")
	case err != nil:
		return fmt.Errorf("read computer: %w", err)
	case !c.Registered:
		return patchbay.Errorf(patchbay.ERegistrationRequired, "")
	}
	s.registered.Store(id, struct{}{})
	return nil
}
