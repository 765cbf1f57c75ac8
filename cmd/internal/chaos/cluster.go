package chaos

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Cluster is the 3-node Apache Kafka cluster of deployments/kafka/kafka.sh,
// on its own state dir, address and ports, so it never touches the
// single node the tests and CI use on 19092.
type Cluster struct {
	// Script is the path of kafka.sh.
	Script string
	// State is its KAFKA_LAB_STATE.
	State string
	// Host is its KAFKA_LAB_HOST: where the brokers listen and what they advertise.
	Host string
	// PortBase is its KAFKA_LAB_PORT_BASE: broker n listens on PortBase+n-1.
	PortBase int
	// Logf receives the script's output.
	Logf func(format string, args ...any)
}

// Nodes is the cluster's size.
const Nodes = 3

func (c Cluster) run(cmd string) error {
	x := exec.Command("bash", c.Script, cmd)
	x.Env = append(os.Environ(), "KAFKA_LAB_STATE="+c.State, "KAFKA_LAB_HOST="+c.Host,
		"KAFKA_LAB_PORT_BASE="+strconv.Itoa(c.PortBase))
	out, err := x.CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		c.Logf("kafka.sh %s: %s", cmd, l)
	}
	if err != nil {
		return fmt.Errorf("kafka.sh %s: %w", cmd, err)
	}
	return nil
}

// Up starts the cluster (or finds it running) and waits until every broker answers.
func (c Cluster) Up() error { return c.run("cluster-up") }

// Down stops the cluster and deletes its data.
func (c Cluster) Down() error { return c.run("down") }

// Start starts every node that is not running from its data, and waits
// until all answer; nodes still running are restarted too.
func (c Cluster) Start() error { return c.run("restart") }

// Brokers are the bootstrap addresses.
func (c Cluster) Brokers() []string {
	var bs []string
	for n := 1; n <= Nodes; n++ {
		bs = append(bs, fmt.Sprintf("%s:%d", c.Host, c.PortBase+n-1))
	}
	return bs
}

// pid is node n's broker process, if it runs and is the one kafka.sh
// started for this state dir: its command line carries the launcher's marker.
func (c Cluster) pid(n int) (int, error) {
	dir := filepath.Join(c.State, fmt.Sprintf("node-%d", n))
	b, err := os.ReadFile(filepath.Join(dir, "kafka.pid"))
	if err != nil {
		return 0, fmt.Errorf("node %d: %w", n, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("node %d pid file: %w", n, err)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(strings.ReplaceAll(string(cmdline), "\x00", " "), "-Ddispatchd.kafka.node="+dir+" ") {
		return 0, fmt.Errorf("node %d (pid %d) is not running", n, pid)
	}
	return pid, nil
}

// Signal sends sig to node n's broker and waits up to within for it to exit.
func (c Cluster) Signal(n int, sig syscall.Signal, within time.Duration) error {
	pid, err := c.pid(n)
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("node %d: %s: %w", n, sig, err)
	}
	deadline := time.Now().Add(within)
	for alive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("node %d (pid %d) still runs %s after %s", n, pid, within, sig)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// alive reports whether pid runs: a SIGKILLed broker, which is not our
// child, may stay a zombie until whoever adopted it reaps it.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && !strings.HasPrefix(rest, "Z")
}
