package router

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/app/tracing"
	"dispatchd/config"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// HandlerName is the watermill router handler's stable name, in watermill's
// own logs. dispatchd's logs and metrics name the business handler instead.
const HandlerName = "dispatch"

// Params are what New needs.
type Params struct {
	// Config is the process configuration.
	Config config.Config
	// Subscriber reads the input topic as the consumer group.
	Subscriber message.Subscriber
	// Publisher writes results and dead letters.
	Publisher message.Publisher
	// Registry maps message types to handlers.
	Registry *handlers.Registry
	// Metrics records what happens.
	Metrics *telemetry.Metrics
	// Logger is the process logger.
	Logger *zap.Logger
	// Watermill is the same logger, adapted for watermill.
	Watermill watermill.LoggerAdapter
	// Pauses tracks the partitions paused on a message nothing could end.
	Pauses *Pauses
	// Tracer starts each message's span; nil only propagates.
	Tracer trace.Tracer
}

// New builds the router: one handler from the input topic to the output
// topic, Dispatch wrapped in Chain.
func New(p Params) (*message.Router, error) {
	// The subscriber drains within shutdown.drain_timeout; the router waits
	// for it, and the whole stop is bounded by shutdown.timeout.
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: p.Config.Shutdown.Timeout}, p.Watermill)
	if err != nil {
		return nil, fmt.Errorf("new router: %w", err)
	}
	// No publisher here: Publish writes the results inside the chain.
	r.AddHandler(HandlerName, p.Config.Topics.Input, p.Subscriber, "", disabledPublisher{}, Chain(p, Dispatch(p.Registry)))
	return r, nil
}

// Chain wraps h in the router's middleware, outermost first: a stack
// presize, the slot for the handler's name, pause tracking, a panic guard,
// in-flight counting, the message's span, dead-lettering, retries,
// publishing the results, correlation, writing the trace context into the
// results, per-attempt measurement, the
// per-attempt timeout and panic recovery. Publishing sits inside the
// retries and the dead letter, so a result that cannot be written is a
// failure like any other. It is the one place that order is written: New
// and the fuzz test both use it.
func Chain(p Params, h message.HandlerFunc) message.HandlerFunc {
	cfg, m, log := p.Config, p.Metrics, p.Logger.Named("router")
	if p.Pauses == nil {
		p.Pauses = NewPauses(m, log)
	}
	if p.Tracer == nil {
		p.Tracer = tracing.Off().Tracer()
	}
	chain := []message.HandlerMiddleware{
		Presize,
		NameSlot,
		p.Pauses.Middleware,
		Guard(log),
		Inflight(m),
		Trace(p.Tracer, cfg.Consumer.Group),
		DeadLetter{
			Publisher: p.Publisher,
			Topic:     cfg.Topics.DeadLetter,
			MaxBytes:  cfg.Producer.MaxMessageBytes,
			OnDeadLetter: func(msg *message.Message, class string, attempts int, cause error) {
				m.Counted(msg.Metadata.Get(messages.HeaderType), handlerName(msg), telemetry.OutcomeDeadLetter)
				m.DeadLettered(class)
				spanFailed(msg, "dead_letter", attribute.String("error.type", class), attribute.Int("attempts", attempts),
					attribute.String("exception.message", Clip(cause.Error(), MaxReasonBytes)))
				log.Warn("dead-lettered", append(msgFields(msg), zap.String("class", class),
					zap.Int("attempts", attempts), zap.String("error", Clip(cause.Error(), MaxReasonBytes)))...)
			},
		}.Middleware,
		Retry{
			MaxRetries:      cfg.Router.RetryAttempts,
			InitialInterval: cfg.Router.RetryInitialBackoff,
			MaxInterval:     cfg.Router.RetryMaxBackoff,
			OnRetry: func(msg *message.Message, attempt int, err error) {
				m.Counted(msg.Metadata.Get(messages.HeaderType), handlerName(msg), telemetry.OutcomeRetry)
				spanEvent(msg, "retry", attribute.Int("attempt", attempt),
					attribute.String("exception.message", Clip(err.Error(), MaxReasonBytes)))
				log.Info("retrying", append(msgFields(msg), zap.Int("attempt", attempt), zap.Error(err))...)
			},
		}.Middleware,
		Publish{Publisher: p.Publisher, Topic: cfg.Topics.Output, Metrics: m}.Middleware,
		Correlation,
		TraceContext,
		Attempt(m, log),
		Timeout(cfg.Router.HandlerTimeout),
		Recoverer(log),
	}
	// The first is the outermost, as with watermill's AddMiddleware.
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	return h
}

// disabledPublisher stands where watermill wants a publisher: the handler
// returns no messages, since Publish has written them.
type disabledPublisher struct{}

func (disabledPublisher) Publish(topic string, _ ...*message.Message) error {
	return fmt.Errorf("publish to %s: results are published inside the middleware chain", topic)
}

func (disabledPublisher) Close() error { return nil }
