package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
)

//go:embed sample.toml
var sampleConfig string

func initCommand() *command {
	return &command{
		name: "init", args: "[--out FILE]", noConfig: true,
		summary: "write a commented sample configuration (never overwrites a file)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			out := fs.String("out", defaultConfigPath, "where to write it")
			return func(ctx context.Context, e *env) error {
				f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if errors.Is(err, os.ErrExist) {
					return usagef("%s already exists: not overwritten (choose another --out)", *out)
				}
				if err != nil {
					return fmt.Errorf("write %s: %w", *out, err)
				}
				if _, err := f.WriteString(sampleConfig); err != nil {
					f.Close()
					return fmt.Errorf("write %s: %w", *out, err)
				}
				if err := f.Close(); err != nil {
					return fmt.Errorf("write %s: %w", *out, err)
				}
				fmt.Fprintf(e.stdout, "wrote %s: edit [program], [imap] and [smtp], then run: rse-intake --config %s poll --once\n", *out, *out)
				return nil
			}
		},
	}
}
