// Package logging builds the process's zap logger and adapts it for
// watermill and fx, so every line goes through one core.
package logging

import (
	"fmt"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"dispatchd/config"
)

// New builds the logger: JSON or console lines on stderr at cfg.Level.
func New(cfg config.Log) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(cfg.Level)
	if err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	var enc zapcore.Encoder
	switch cfg.Format {
	case "console":
		ec := zap.NewDevelopmentEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewConsoleEncoder(ec)
	default:
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		ec.TimeKey = "ts"
		enc = zapcore.NewJSONEncoder(ec)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(os.Stderr), lvl)
	opts := []zap.Option{zap.AddCaller()}
	if lvl == zapcore.DebugLevel {
		// A stack trace tells a developer where; an operator reads the
		// message, so at the default level errors stay one line each.
		opts = append(opts, zap.AddStacktrace(zapcore.ErrorLevel))
	}
	return zap.New(core, opts...), nil
}
