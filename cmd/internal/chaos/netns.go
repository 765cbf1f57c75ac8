package chaos

import (
	"fmt"
	"os/exec"
	"strings"
)

// Netns is the network namespace the network_cut victim runs in, joined to
// the host by a veth pair. The brokers listen on BrokerAddr, a /32 on the
// host's end, so every process reaches them: host processes locally, the
// namespace through the veth. A cut is a blackhole route to BrokerAddr in
// the namespace: the victim loses the brokers while its HTTP server, on
// NsAddr, still answers the harness.
type Netns struct {
	// Name of the namespace.
	Name string
	// HostIf and NsIf are the veth ends.
	HostIf, NsIf string
	// HostAddr and NsAddr are the veth ends' addresses, in one /24.
	HostAddr, NsAddr string
	// BrokerAddr is where the brokers listen and what they advertise.
	BrokerAddr string
}

// DefaultNetns is the suite's namespace, on addresses from 10.251.0.0/23.
var DefaultNetns = Netns{Name: "dispatchd-chaos", HostIf: "dchaos-h", NsIf: "dchaos-n",
	HostAddr: "10.251.0.1", NsAddr: "10.251.0.2", BrokerAddr: "10.251.1.1"}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Up creates the namespace and the veth pair, or finds them in place (a
// cluster kept from an earlier run listens on BrokerAddr) and heals them.
func (n Netns) Up() error {
	if ip("netns", "exec", n.Name, "ip", "link", "show", n.NsIf) == nil {
		return n.Heal()
	}
	n.Down()
	in := func(args ...string) []string { return append([]string{"netns", "exec", n.Name, "ip"}, args...) }
	for _, step := range [][]string{
		{"netns", "add", n.Name},
		{"link", "add", n.HostIf, "type", "veth", "peer", "name", n.NsIf},
		{"link", "set", n.NsIf, "netns", n.Name},
		{"addr", "add", n.HostAddr + "/24", "dev", n.HostIf},
		{"addr", "add", n.BrokerAddr + "/32", "dev", n.HostIf},
		{"link", "set", n.HostIf, "up"},
		in("addr", "add", n.NsAddr+"/24", "dev", n.NsIf),
		in("link", "set", n.NsIf, "up"),
		in("link", "set", "lo", "up"),
		in("route", "add", n.BrokerAddr+"/32", "via", n.HostAddr),
	} {
		if err := ip(step...); err != nil {
			return fmt.Errorf("network namespace: %w (the suite runs as root and needs ip netns)", err)
		}
	}
	return nil
}

// Down removes the namespace and the veth pair, if they exist.
func (n Netns) Down() {
	_ = ip("link", "del", n.HostIf)
	_ = ip("netns", "del", n.Name)
}

// Cut makes the brokers unreachable from the namespace: every packet to
// them is dropped there, so established connections go silent and new
// ones fail.
func (n Netns) Cut() error {
	return ip("netns", "exec", n.Name, "ip", "route", "replace", "blackhole", n.BrokerAddr+"/32")
}

// Heal undoes Cut.
func (n Netns) Heal() error {
	return ip("netns", "exec", n.Name, "ip", "route", "replace", n.BrokerAddr+"/32", "via", n.HostAddr)
}

// Command runs name with args inside the namespace.
func (n Netns) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}
