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

// FxLogger makes fx quiet: its events go out at debug, and only failures
// (a hook or constructor error) reach info and above.
func FxLogger(l *zap.Logger) fxevent.Logger {
	zl := &fxevent.ZapLogger{Logger: l.Named("fx")}
	zl.UseLogLevel(zapcore.DebugLevel)
	return zl
}
