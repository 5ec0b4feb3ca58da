// Command rse-intake turns a program's mailbox into an application
// pipeline: it takes applications in over IMAP, acknowledges them through
// an outbox, and lets coordinators review and export the shortlist.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand of rse-intake.
type command struct {
	name     string
	args     string // synopsis of positional arguments and flags
	summary  string // one line
	noConfig bool   // runs without a configuration file
	// setup declares the command's flags and returns what runs it.
	setup func(fs *flag.FlagSet) func(ctx context.Context, env *env) error
}

// env is what a running command gets: its arguments, the terminal, and
// lazily the configuration.
type env struct {
	args       []string
	flags      *flag.FlagSet
	stdout     io.Writer
	stderr     io.Writer
	configPath string
	log        *slog.Logger
	cfg        *Config
}

// config loads the configuration on first use.
func (e *env) config() (*Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	cfg, err := loadConfig(e.configPath)
	if err != nil {
		return nil, err
	}
	e.cfg = cfg
	return cfg, nil
}

// usageError is a wrong command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

func commands() []*command {
	cs := []*command{
		runCommand(), checkCommand(),
		pollCommand(), sendCommand(), statsCommand(), listCommand(), showCommand(), parseCommand(),
		reparseCommand(), reviewCommand(), setCommand(), historyCommand(), exportCommand(),
		decisionsCommand(), outboxCommand(), demoCommand(), initCommand(),
		personCommand(), forgetCommand(), purgeCommand(), backupCommand(), authCommand(),
		sessionsCommand(), remindCommand(), digestCommand(),
	}
	return cs
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const defaultConfigPath = "rse-intake.toml"

// run executes one command line and returns the process exit code:
// 0 ok, 1 runtime failure, 2 usage or configuration error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("rse-intake", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	configPath := global.String("config", envOr("RSE_INTAKE_CONFIG", defaultConfigPath), "configuration file")
	verbose := global.Bool("verbose", false, "log debug details to stderr")
	logFormat := global.String("log-format", "text", "log format: text or json")
	logLevel := global.String("log-level", "info", "log level: debug, info, warn or error")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "rse-intake: %v\n", err)
		printUsage(stderr)
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		printUsage(stderr)
		return 2
	}
	if rest[0] == "help" {
		if len(rest) > 1 {
			return run(ctx, []string{rest[1], "--help"}, stdout, stderr)
		}
		printUsage(stdout)
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == rest[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "rse-intake: unknown command %q\n", rest[0])
		printUsage(stderr)
		return 2
	}
	fs := newFlagSet(cmd)
	fs.StringVar(configPath, "config", *configPath, "configuration file")
	fs.BoolVar(verbose, "verbose", *verbose, "log debug details to stderr")
	fs.StringVar(logFormat, "log-format", *logFormat, "log format: text or json")
	fs.StringVar(logLevel, "log-level", *logLevel, "log level: debug, info, warn or error")
	runFn := cmd.setup(fs)
	positional, err := parseInterleaved(fs, rest[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, commandHelp(cmd))
			return 0
		}
		fmt.Fprintf(stderr, "rse-intake %s: %v\n%s", cmd.name, err, commandHelp(cmd))
		return 2
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel, *verbose)
	if err != nil {
		fmt.Fprintf(stderr, "rse-intake %s: %v\n", cmd.name, err)
		return 2
	}
	e := &env{
		args: positional, flags: fs, stdout: stdout, stderr: stderr, configPath: *configPath,
		log: logger,
	}
	err = runFn(ctx, e)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "rse-intake %s: %v\n", cmd.name, err)
	var ue *usageError
	var ce *configError
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

// newLogger is the one logger of the process: text or JSON lines on
// stderr (journald and log shippers read either).
func newLogger(w io.Writer, format, level string, verbose bool) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	if verbose {
		lv = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// parseInterleaved parses flags wherever they are among the positional
// arguments, as the commands are documented: `show REF --json`.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newFlagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// commandHelp is the --help text of one command, built from its flags so
// that it never drifts from what the command accepts.
func commandHelp(cmd *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: rse-intake %s %s\n\n%s\n", cmd.name, cmd.args, cmd.summary)
	fs := newFlagSet(cmd)
	cmd.setup(fs)
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	if len(flags) > 0 {
		b.WriteString("\nFlags:\n")
		for _, f := range flags {
			name, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += " " + name
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(&b, "%s\n      %s%s\n", line, usage, def)
		}
	}
	if !cmd.noConfig {
		b.WriteString("\nGlobal: --config FILE (default ./rse-intake.toml, env RSE_INTAKE_CONFIG), --verbose,\n" +
			"        --log-format text|json, --log-level debug|info|warn|error\n")
	}
	return b.String()
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: rse-intake [--config FILE] [--verbose] [--log-format text|json] [--log-level LEVEL] COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'rse-intake COMMAND --help' for a command's flags.\n"+
		"Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n")
}
