package logging

import (
	"github.com/ThreeDotsLabs/watermill"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"dispatchd/config"
)

// Module provides the zap logger and its watermill adapter.
var Module = fx.Module("logging",
	fx.Provide(
		func(cfg config.Config) (*zap.Logger, error) { return New(cfg.Log) },
		func(l *zap.Logger) watermill.LoggerAdapter { return NewWatermill(l) },
	),
)

// FxLogger makes fx quiet: all its events, failures included, go out at
// debug. A failed constructor or hook is returned by fx.New, Start or Stop
// and printed once, in one line, by the command; fx's own report of it is a
// dig chain and a stack trace, for debugging only.
func FxLogger(l *zap.Logger) fxevent.Logger {
	zl := &fxevent.ZapLogger{Logger: l.Named("fx")}
	zl.UseLogLevel(zapcore.DebugLevel)
	zl.UseErrorLevel(zapcore.DebugLevel)
	return zl
}
