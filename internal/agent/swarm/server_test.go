package swarm

import (
	"os"
	"testing"

	"patchbay/internal/agent/agenttest"
)

// TestMain removes the reference catalog agenttest generates once.
func TestMain(m *testing.M) { os.Exit(agenttest.Main(m)) }

// newTestServer is an in-process server with every deployable update of
// the reference catalog approved for All Computers.
func newTestServer(t *testing.T) *agenttest.Server {
	s := agenttest.New(t)
	s.ApproveAll()
	return s
}
