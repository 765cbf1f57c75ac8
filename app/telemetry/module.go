package telemetry

import (
	"go.uber.org/fx"
)

// Module provides the metrics.
var Module = fx.Module("telemetry",
	fx.Provide(NewMetrics),
)
