package agent

import (
	"os"
	"testing"

	"patchbay/internal/agent/agenttest"
)

// TestMain removes the reference catalog agenttest generates once.
func TestMain(m *testing.M) { os.Exit(agenttest.Main(m)) }
