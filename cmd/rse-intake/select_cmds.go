package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// rules are the eligibility rules of [selection].
func (c *Config) rules() shortlist.Rules {
	r := shortlist.Rules{
		Departements:      c.Selection.Departements,
		RequireValidSiret: c.Selection.RequireValidSiret == nil || *c.Selection.RequireValidSiret,
		MaxHeadcount:      c.Selection.MaxHeadcount,
		Roles:             c.Selection.Roles,
	}
	return r
}

func (c *Config) eligibility(a *store.Application) (bool, []string) {
	return shortlist.Eligibility(a, c.rules())
}

// osUser is who a coordinator's change is recorded as by default.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "coordinator"
}

// withStore loads the configuration, opens the existing store and runs
// fn. Only intake creates the database: a wrong path in the configuration
// must not look like an empty program.
func withStore(ctx context.Context, e *env, fn func(cfg *Config, st *store.Store) error) error {
	cfg, err := e.config()
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s yet: take mail in first with rse-intake poll --once", cfg.Store.Path)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(cfg, st)
}

// withReadStore is withStore for the commands that only look (list,
// stats, show, history, export, outbox listing): the store is opened
// read-only, so they work on a database they may not write (a copy, or
// the daemon's file) and can never change it.
func withReadStore(ctx context.Context, e *env, fn func(cfg *Config, st *store.Store) error) error {
	cfg, err := e.config()
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s yet: take mail in first with rse-intake poll --once", cfg.Store.Path)
	}
	st, err := store.OpenReadOnly(ctx, cfg.Store.Path)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	// A read-only store cannot be upgraded, and an older schema lacks
	// columns the queries read: say so instead of an SQL error.
	switch v, err := st.SchemaVersionOf(ctx); {
	case err != nil:
		return fmt.Errorf("open store: %w", err)
	case v > store.SchemaVersion():
		return fmt.Errorf("database %s has schema version %d, newer than this binary (%d): upgrade rse-intake", cfg.Store.Path, v, store.SchemaVersion())
	case v < store.SchemaVersion():
		// An older schema lacks columns the queries read. Upgrading is a
		// write, done once, as any writing command would; only a store
		// that cannot be written is refused.
		st.Close()
		up, uerr := store.Open(ctx, cfg.Store.Path)
		if uerr != nil {
			return fmt.Errorf("database %s has schema version %d, older than this binary (%d), and cannot be upgraded here: %w", cfg.Store.Path, v, store.SchemaVersion(), uerr)
		}
		defer up.Close()
		return fn(cfg, up)
	}
	return fn(cfg, st)
}

func notFound(err error, ref string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no application %s", ref)
	}
	return err
}

func reviewCommand() *command {
	return &command{
		name: "review", args: "REF (--status S [--note TEXT] | --score N) [--by NAME]",
		summary: "record a coordinator's decision (status) or score (0-10) on an application",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			status := fs.String("status", "", "new status: "+strings.Join(store.Statuses, ", "))
			note := fs.String("note", "", "why, kept in the history")
			score := fs.Int("score", -1, "coordinator's score, 0 to 10")
			by := fs.String("by", "", "who decides, kept in the history (default: the OS user)")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("review needs one application reference")
				}
				if (*status == "") == (*score < 0) {
					return usagef("review needs either --status or --score")
				}
				if *score > store.MaxScore {
					return usagef("--score must be between %d and %d", store.MinScore, store.MaxScore)
				}
				ref := e.args[0]
				if *by == "" {
					*by = osUser()
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					if *score >= 0 {
						a, err := st.SetScore(ctx, ref, *score, *by)
						if err != nil {
							return notFound(err, ref)
						}
						fmt.Fprintf(e.stdout, "%s: score %d\n", a.Reference, *score)
						return nil
					}
					a, err := st.Review(ctx, ref, *status, *note, *by)
					var te *store.TransitionError
					if errors.As(err, &te) {
						return usagef("%v", err)
					}
					if err != nil {
						return notFound(err, ref)
					}
					fmt.Fprintf(e.stdout, "%s: %s\n", a.Reference, a.Status)
					return nil
				})
			}
		},
	}
}

func setCommand() *command {
	return &command{
		name: "set", args: "REF FIELD VALUE [--by NAME]",
		summary: "correct an extracted field; later mail never overwrites a corrected field",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			by := fs.String("by", "", "who corrects, kept in the history (default: the OS user)")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 3 {
					return usagef("set needs REF FIELD VALUE (fields: %s)", strings.Join(store.SettableFields, ", "))
				}
				ref, field, value := e.args[0], e.args[1], e.args[2]
				if *by == "" {
					*by = osUser()
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					a, err := st.SetFieldThen(ctx, ref, field, value, *by,
						func(ctx context.Context, tx *store.Tx, a *store.Application) error {
							return cfg.reevaluate(ctx, tx, a)
						})
					var fe *store.FieldError
					if errors.As(err, &fe) {
						return usagef("%v", err)
					}
					if err != nil {
						return notFound(err, ref)
					}
					v, _ := a.Field(field)
					fmt.Fprintf(e.stdout, "%s: %s = %s (status %s, missing: %s)\n", a.Reference, field, v, a.Status,
						missingList(a.Missing))
					return nil
				})
			}
		},
	}
}

// reevaluate recomputes completeness after a correction.
func (c *Config) reevaluate(ctx context.Context, tx *store.Tx, a *store.Application) error {
	atts, err := tx.Attachments(ctx, a.ID, 0)
	if err != nil {
		return err
	}
	return intake.Evaluate(ctx, tx, a, atts, c.Program.Required, c.Program.RequiredAttachments)
}

func historyCommand() *command {
	return &command{
		name: "history", args: "REF [--json]",
		summary: "every change of an application: when, who, from, to, note",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("history needs one application reference")
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					a, err := st.Application(ctx, e.args[0])
					if err != nil {
						return notFound(err, e.args[0])
					}
					h, err := st.History(ctx, a.ID)
					if err != nil {
						return err
					}
					if *asJSON {
						if h == nil {
							h = []store.AuditEntry{}
						}
						return writeJSON(e.stdout, h)
					}
					for _, x := range h {
						fmt.Fprintln(e.stdout, historyLine(x, cfg.loc))
					}
					return nil
				})
			}
		},
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, strings.Split(v, ",")...); return nil }

func exportCommand() *command {
	return &command{
		name: "export", args: "--format csv|xlsx|json [--status S...] [--out FILE] [--rfc4180]",
		summary: "the ranked shortlist and waiting list, for Excel (CSV, XLSX) or machines (JSON)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			format := fs.String("format", "csv", "csv, xlsx or json")
			var statuses stringList
			fs.Var(&statuses, "status", "only these statuses (repeat or comma-separate)")
			out := fs.String("out", "", "write to this file (stdout when empty, except xlsx)")
			rfc := fs.Bool("rfc4180", false, "plain comma CSV for programs (field names, status codes) instead of French Excel's for people")
			return func(ctx context.Context, e *env) error {
				switch *format {
				case "csv", "json":
				case "xlsx":
					if *out == "" {
						return usagef("export --format xlsx needs --out FILE")
					}
				default:
					return usagef("unknown format %q (csv, xlsx or json)", *format)
				}
				if *rfc && *format != "csv" {
					return usagef("--rfc4180 is a CSV dialect: it goes with --format csv, not %s", *format)
				}
				for _, s := range statuses {
					if !validStatus(s) {
						return usagef("unknown status %q (one of %s)", s, strings.Join(store.Statuses, ", "))
					}
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					rows, err := shortlist.Build(ctx, st, cfg.rules(), cfg.Program.CohortSize, statuses)
					if err != nil {
						return err
					}
					return writeExport(e.stdout, *out, func(w io.Writer) error {
						switch *format {
						case "xlsx":
							return shortlist.WriteXLSX(w, rows, cfg.xlsxOptions())
						case "json":
							return shortlist.WriteJSON(w, rows, cfg.loc)
						}
						return shortlist.WriteCSV(w, rows, shortlist.CSVOptions{RFC4180: *rfc,
							Language: cfg.Program.Language, Location: cfg.loc})
					})
				})
			}
		},
	}
}

// xlsxOptions head the workbook's pages with the programme, in its
// language.
func (c *Config) xlsxOptions() shortlist.XLSXOptions {
	return shortlist.XLSXOptions{Language: c.Program.Language, Program: c.Program.Name, Location: c.loc}
}

// writeExport writes to stdout, or to path through a temporary file
// renamed at the end, so a coordinator never opens half a file. The file
// holds applicants' personal data: it is the owner's only (0600), like
// the database, whatever the umask.
func writeExport(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	// A file left by a killed export with the same pid goes; whatever is
	// there then (a link planted meanwhile) makes the export fail rather
	// than write through it.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("export: %w", err)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	// The mode of an existing file is kept by OpenFile, and a umask may
	// take bits away: set it outright.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("export: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// historyLine is one audit entry as coordinators read it.
func historyLine(x store.AuditEntry, loc *time.Location) string {
	change := x.To
	if x.From != "" {
		change = x.From + " -> " + x.To
	}
	what := x.Action
	if x.Field != "" && x.Field != x.Action && x.Field != "status" {
		what += " " + x.Field
	}
	return strings.TrimRight(fmt.Sprintf("%s  %-12s %-14s %s  %s", x.At.In(loc).Format("02/01/2006 15:04"),
		x.Actor, what, change, x.Note), " ")
}
