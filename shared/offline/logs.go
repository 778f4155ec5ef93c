package offline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// functionLogs is the offline stand-in for CloudWatch Logs. The stages' handlers log with slog's
// default logger, as a Lambda function writes to its log stream; during a load run those lines
// would scroll over the progress line, so they go to a file instead, each tagged with the function
// that wrote it (from the invocation's Lambda context).
type functionLogs struct {
	path  string
	file  *os.File
	lines atomic.Int64
	prev  *slog.Logger
}

// openFunctionLogs points slog's default logger at path ("-" keeps standard error). Close puts the
// previous logger back.
func openFunctionLogs(path string, stderr io.Writer) (*functionLogs, error) {
	l := &functionLogs{path: path, prev: slog.Default()}
	w := stderr
	if path != "-" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("function logs: %w", err)
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("function logs: %w", err)
		}
		l.file, w = f, f
	}
	slog.SetDefault(slog.New(&taggedHandler{Handler: slog.NewTextHandler(w, nil), lines: &l.lines}))
	return l, nil
}

// Close restores the previous logger and closes the file.
func (l *functionLogs) Close() error {
	slog.SetDefault(l.prev)
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// String says where the lines went, for the run's summary.
func (l *functionLogs) String() string {
	n := l.lines.Load()
	lines := fmt.Sprintf("%d lines", n)
	if n == 1 {
		lines = "1 line"
	}
	if l.file == nil {
		return lines + " on standard error"
	}
	return fmt.Sprintf("%s (%s)", l.path, lines)
}

// taggedHandler adds the function's name to each record logged with a Lambda context.
type taggedHandler struct {
	slog.Handler
	lines *atomic.Int64
}

func (h *taggedHandler) Handle(ctx context.Context, r slog.Record) error {
	h.lines.Add(1)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		arn := lc.InvokedFunctionArn
		r.AddAttrs(slog.String("function", arn[strings.LastIndex(arn, ":")+1:]))
	}
	return h.Handler.Handle(ctx, r)
}

func (h *taggedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &taggedHandler{Handler: h.Handler.WithAttrs(attrs), lines: h.lines}
}

func (h *taggedHandler) WithGroup(name string) slog.Handler {
	return &taggedHandler{Handler: h.Handler.WithGroup(name), lines: h.lines}
}
