package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// problems collects what Validate finds; each entry names a koanf path.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf("config: "+format, args...))
}

// oneOf checks that value, found at path, is one of allowed.
func (p *problems) oneOf(path, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		p.addf("%s %q must be one of %s", path, value, strings.Join(allowed, ", "))
	}
}

// notEmpty checks that the string at path is set.
func (p *problems) notEmpty(path, value string) {
	if value == "" {
		p.addf("%s must not be empty", path)
	}
}

// positive checks that the duration at path is above zero.
func (p *problems) positive(path string, d time.Duration) {
	if d <= 0 {
		p.addf("%s (%s) must be positive", path, formatDuration(d))
	}
}

// atLeast checks that the number at path is min or more.
func (p *problems) atLeast(path string, n, min int64) {
	if n < min {
		p.addf("%s (%d) must be at least %d", path, n, min)
	}
}

// kafkaName matches Kafka's legal characters for topics and static member ids.
var kafkaName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,249}$`)

// hostPort checks addr is host:port with a numeric port of at least minPort;
// the host may be empty only when hostOptional.
func hostPort(addr string, minPort uint64, hostOptional bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", addr, err)
	}
	if host == "" && !hostOptional {
		return fmt.Errorf("%q has no host", addr)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n < minPort {
		return fmt.Errorf("%q has port %q, want a number in %d..65535", addr, port, minPort)
	}
	return nil
}

// minKafkaVersion is the first version with record headers, which carry the
// envelope's metadata.
var minKafkaVersion = []int{0, 11, 0}

// checkKafkaVersion checks v is X.Y.Z or X.Y.Z.W and at least minKafkaVersion.
func checkKafkaVersion(v string) error {
	parts := strings.Split(v, ".")
	if len(parts) != 3 && len(parts) != 4 {
		return fmt.Errorf("%q must be dotted numbers like 3.6.0", v)
	}
	nums := make([]int, len(parts))
	for i, part := range parts {
		n, err := strconv.ParseUint(part, 10, 16)
		if err != nil {
			return fmt.Errorf("%q must be dotted numbers like 3.6.0", v)
		}
		nums[i] = int(n)
	}
	if slices.Compare(nums, minKafkaVersion) < 0 {
		return fmt.Errorf("%q is older than 0.11.0, the first version with record headers", v)
	}
	return nil
}
