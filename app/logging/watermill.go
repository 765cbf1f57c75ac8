package logging

import (
	"github.com/ThreeDotsLabs/watermill"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Watermill adapts a zap logger to watermill's LoggerAdapter. Watermill's
// info lines are chatty per-subscription detail, so they are logged at debug;
// its errors stay errors.
type Watermill struct {
	log *zap.Logger
}

// NewWatermill returns the adapter, naming the logger "watermill".
func NewWatermill(log *zap.Logger) Watermill {
	return Watermill{log: log.Named("watermill").WithOptions(zap.AddCallerSkip(1))}
}

func fields(f watermill.LogFields) []zap.Field {
	out := make([]zap.Field, 0, len(f))
	for k, v := range f {
		out = append(out, zap.Any(k, v))
	}
	return out
}

// handlerReturnedError is watermill's line for every nacked message. The
// router's own middleware already logged why, once, with the message's
// fields and a clipped reason, so this repeat goes to debug: a paused
// partition must cost one log line per redelivery, not two.
const handlerReturnedError = "Handler returned error"

// Error implements watermill.LoggerAdapter.
func (w Watermill) Error(msg string, err error, f watermill.LogFields) {
	if msg == handlerReturnedError {
		w.log.Debug(msg, append(fields(f), zap.Error(err))...)
		return
	}
	w.log.Error(msg, append(fields(f), zap.Error(err))...)
}

// Info implements watermill.LoggerAdapter.
func (w Watermill) Info(msg string, f watermill.LogFields) {
	w.log.Debug(msg, fields(f)...)
}

// Debug implements watermill.LoggerAdapter.
func (w Watermill) Debug(msg string, f watermill.LogFields) {
	if w.log.Core().Enabled(zapcore.DebugLevel) {
		w.log.Debug(msg, fields(f)...)
	}
}

// Trace implements watermill.LoggerAdapter; trace lines are dropped.
func (w Watermill) Trace(string, watermill.LogFields) {}

// With implements watermill.LoggerAdapter.
func (w Watermill) With(f watermill.LogFields) watermill.LoggerAdapter {
	return Watermill{log: w.log.With(fields(f)...)}
}
