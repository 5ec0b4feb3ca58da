package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rse-lozere/rse-intake/store"
)

// Config is the whole rse-intake.toml.
type Config struct {
	Program   ProgramConfig   `toml:"program"`
	IMAP      IMAPConfig      `toml:"imap"`
	SMTP      SMTPConfig      `toml:"smtp"`
	Store     StoreConfig     `toml:"store"`
	Selection SelectionConfig `toml:"selection"`
	Notify    NotifyConfig    `toml:"notify"`
	Intake    IntakeConfig    `toml:"intake"`

	file string         // where it was read from
	dir  string         // its folder: relative paths start there
	loc  *time.Location // Program.Timezone, loaded
}

// ProgramConfig describes the program and its people.
type ProgramConfig struct {
	Name                string   `toml:"name"`
	Address             string   `toml:"address"`
	Coordinators        []string `toml:"coordinators"`
	CohortSize          int      `toml:"cohort_size"`
	Timezone            string   `toml:"timezone"`
	ReferencePrefix     string   `toml:"reference_prefix"`
	Required            []string `toml:"required"`
	RequiredAttachments []string `toml:"required_attachments"`
	Language            string   `toml:"language"`
}

// IMAPConfig is the mailbox the applications arrive in.
type IMAPConfig struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	Mailbox      string `toml:"mailbox"`
	Processed    string `toml:"processed"`
	BatchSize    int    `toml:"batch_size"`
	MaxMessageMB int    `toml:"max_message_mb"`
}

// SMTPConfig is the server automatic mails leave through.
type SMTPConfig struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	From         string `toml:"from"`
}

// StoreConfig says where data is kept.
type StoreConfig struct {
	Path        string `toml:"path"`
	Attachments string `toml:"attachments"`
}

// SelectionConfig holds the eligibility rules.
type SelectionConfig struct {
	Departements      []string `toml:"departements"`
	RequireValidSiret *bool    `toml:"require_valid_siret"`
	MaxHeadcount      int      `toml:"max_headcount"`
	Roles             []string `toml:"roles"`
}

// NotifyConfig tunes automatic mail.
type NotifyConfig struct {
	MaxPerHour   int    `toml:"max_per_hour"`
	TemplatesDir string `toml:"templates_dir"`
}

// IntakeConfig tunes how mail is taken in.
type IntakeConfig struct {
	FollowUpWindowDays int `toml:"follow_up_window_days"`
	MaxAttachmentMB    int `toml:"max_attachment_mb"`
}

// configError is a problem with the configuration: exit code 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// defaultConfig is the configuration with every default set.
func defaultConfig() Config {
	yes := true
	return Config{
		Program: ProgramConfig{
			Name:            "J'initie, je m'engage RSE",
			CohortSize:      8,
			Timezone:        "Europe/Paris",
			ReferencePrefix: "RSE",
			Required:        []string{"first_name", "last_name", "company", "siret", "commune", "phone"},
			Language:        "fr",
		},
		IMAP:  IMAPConfig{Security: "tls", Mailbox: "INBOX", Processed: "flag", BatchSize: 100, MaxMessageMB: 50},
		SMTP:  SMTPConfig{Security: "starttls"},
		Store: StoreConfig{Path: "rse-intake.db"},
		Selection: SelectionConfig{
			Departements:      []string{"48"},
			RequireValidSiret: &yes,
		},
		Notify: NotifyConfig{MaxPerHour: 100},
		Intake: IntakeConfig{FollowUpWindowDays: 30, MaxAttachmentMB: 20},
	}
}

// loadConfig reads and checks the configuration file. Secrets come from
// the file, a password_file, or the environment (which wins).
func loadConfig(path string) (*Config, error) {
	cfg := defaultConfig()
	cfg.file = path
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, configErrorf("config file %s does not exist (create one with: rse-intake init --out %s)", path, path)
	}
	if err != nil {
		return nil, configErrorf("config file %s: %v", path, err)
	}
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		return nil, configErrorf("config file %s: %v", path, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		keys := make([]string, len(undec))
		for i, k := range undec {
			keys[i] = k.String()
		}
		return nil, configErrorf("config file %s: unknown key %s", path, strings.Join(keys, ", "))
	}
	if err := cfg.finish(filepath.Dir(path)); err != nil {
		return nil, configErrorf("config file %s: %v", path, err)
	}
	return &cfg, nil
}

// finish applies environment overrides, resolves paths against the
// config file's folder and checks every value.
func (c *Config) finish(dir string) error {
	var err error
	if c.loc, err = time.LoadLocation(c.Program.Timezone); err != nil {
		return fmt.Errorf("[program] timezone %q: %v", c.Program.Timezone, err)
	}
	if c.Program.CohortSize < 1 {
		return fmt.Errorf("[program] cohort_size must be at least 1, not %d", c.Program.CohortSize)
	}
	// Addresses are kept as bare lowercase addr-specs: they are compared
	// with senders, and "Coordination <c@x>" must still match c@x.
	if c.Program.Address != "" {
		a, err := mail.ParseAddress(c.Program.Address)
		if err != nil {
			return fmt.Errorf("[program] address %q is not an e-mail address", c.Program.Address)
		}
		c.Program.Address = strings.ToLower(a.Address)
	}
	for i, s := range c.Program.Coordinators {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("[program] coordinators: %q is not an e-mail address", s)
		}
		c.Program.Coordinators[i] = strings.ToLower(a.Address)
	}
	for _, f := range c.Program.Required {
		if _, ok := (&store.Applicant{}).Field(f); !ok {
			return fmt.Errorf("[program] required: unknown field %q (one of %s)", f, strings.Join(store.ApplicantFields, ", "))
		}
	}
	switch c.Program.Language {
	case "fr", "en":
	default:
		return fmt.Errorf("[program] language %q: must be \"fr\" or \"en\"", c.Program.Language)
	}
	if c.IMAP.Port == 0 {
		c.IMAP.Port = map[string]int{"tls": 993, "starttls": 143, "none": 143}[c.IMAP.Security]
	}
	if c.SMTP.Port == 0 {
		c.SMTP.Port = map[string]int{"tls": 465, "starttls": 587, "none": 25}[c.SMTP.Security]
	}
	if err := checkSecurity("imap", c.IMAP.Security, c.IMAP.Host); err != nil {
		return err
	}
	if err := checkSecurity("smtp", c.SMTP.Security, c.SMTP.Host); err != nil {
		return err
	}
	switch p := c.IMAP.Processed; {
	case p == "keep", p == "flag":
	case strings.HasPrefix(p, "move:") && len(p) > len("move:"):
	default:
		return fmt.Errorf("[imap] processed %q: must be \"keep\", \"flag\" or \"move:FOLDER\"", p)
	}
	if c.IMAP.MaxMessageMB < 1 {
		return fmt.Errorf("[imap] max_message_mb must be at least 1")
	}
	if c.IMAP.BatchSize < 1 {
		return fmt.Errorf("[imap] batch_size must be at least 1")
	}
	c.dir = dir
	if c.SMTP.From == "" {
		c.SMTP.From = c.Program.Address
	}
	if c.Store.Path == "" {
		return fmt.Errorf("[store] path must not be empty")
	}
	c.Store.Path = resolve(dir, c.Store.Path)
	if c.Store.Attachments == "" {
		c.Store.Attachments = c.Store.Path + ".files"
	}
	c.Store.Attachments = resolve(dir, c.Store.Attachments)
	if c.Notify.TemplatesDir != "" {
		c.Notify.TemplatesDir = resolve(dir, c.Notify.TemplatesDir)
	}
	if c.Notify.MaxPerHour < 1 {
		return fmt.Errorf("[notify] max_per_hour must be at least 1")
	}
	if c.Intake.FollowUpWindowDays < 0 || c.Intake.MaxAttachmentMB < 1 {
		return fmt.Errorf("[intake] follow_up_window_days must be >= 0 and max_attachment_mb >= 1")
	}
	return nil
}

func checkSecurity(section, security, host string) error {
	switch security {
	case "tls", "starttls":
		return nil
	case "none":
		if host != "" && !isLoopback(host) {
			return fmt.Errorf("[%s] security = \"none\" is only allowed for a loopback host, not %q: use \"tls\" or \"starttls\"", section, host)
		}
		return nil
	}
	return fmt.Errorf("[%s] security %q: must be \"tls\", \"starttls\" or \"none\"", section, security)
}

// isLoopback reports a host on this machine. intake and notify check again
// when they connect (notify on the address actually dialled); this check
// makes the mistake a configuration error, exit code 2, before any work.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// secret returns the password from the environment, else the
// password_file, else the inline value.
func secret(section, inline, file, env, dir string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	if file != "" {
		b, err := os.ReadFile(resolve(dir, file))
		if err != nil {
			return "", fmt.Errorf("[%s] password_file: %v", section, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return inline, nil
}

func resolve(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// requireIMAP checks what polling needs.
func (c *Config) requireIMAP() error {
	if c.IMAP.Host == "" || c.IMAP.Username == "" {
		return configErrorf("config file %s: [imap] host and username are required to poll", c.file)
	}
	// Secrets are read only by the commands that use them, so that a
	// coordinator exporting the shortlist needs no password file.
	var err error
	if c.IMAP.Password, err = secret("imap", c.IMAP.Password, c.IMAP.PasswordFile, "RSE_IMAP_PASSWORD", c.dir); err != nil {
		return configErrorf("config file %s: %v", c.file, err)
	}
	if c.IMAP.Password == "" {
		return configErrorf("config file %s: [imap] password is missing (set password_file or RSE_IMAP_PASSWORD)", c.file)
	}
	return nil
}

// requireSMTP checks what sending needs.
func (c *Config) requireSMTP() error {
	if c.SMTP.Host == "" || c.SMTP.From == "" {
		return configErrorf("config file %s: [smtp] host and from (or [program] address) are required to send", c.file)
	}
	if c.Program.Address == "" {
		return configErrorf("config file %s: [program] address is required to send", c.file)
	}
	if c.SMTP.Username != "" {
		var err error
		if c.SMTP.Password, err = secret("smtp", c.SMTP.Password, c.SMTP.PasswordFile, "RSE_SMTP_PASSWORD", c.dir); err != nil {
			return configErrorf("config file %s: %v", c.file, err)
		}
	}
	return nil
}
