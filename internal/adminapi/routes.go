package adminapi

// routes is the API's route table.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /api/v1/groups", s.listGroups)
	s.mux.HandleFunc("POST /api/v1/groups", s.createGroup)
	s.mux.HandleFunc("DELETE /api/v1/groups/{id}", s.deleteGroup)
	s.mux.HandleFunc("GET /api/v1/computers", s.listComputers)
	s.mux.HandleFunc("PUT /api/v1/computers/{id}/groups", s.setComputerGroups)
	s.mux.HandleFunc("GET /api/v1/updates", s.listUpdates)
	s.mux.HandleFunc("GET /api/v1/updates/{id}", s.getUpdate)
	s.mux.HandleFunc("GET /api/v1/approvals", s.listApprovals)
	s.mux.HandleFunc("POST /api/v1/approvals", s.approve)
	s.mux.HandleFunc("DELETE /api/v1/approvals", s.unapprove)
	s.mux.HandleFunc(Prefix, s.notFound)
}
