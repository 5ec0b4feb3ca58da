package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
	"github.com/rse-lozere/rse-intake/store/loopback"
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
	OAuth     OAuthConfig     `toml:"oauth"`
	Sessions  []SessionConfig `toml:"session"`
	Schedule  ScheduleConfig  `toml:"schedule"`
	HTTP      HTTPConfig      `toml:"http"`

	file string         // where it was read from
	src  string         // its text, to name the line of a key in errors
	dir  string         // its folder: relative paths start there
	loc  *time.Location // Program.Timezone, loaded

	retention  store.Retention      // [store] retention and retention_selected, parsed
	oauthSrc   *oauth.RefreshSource // built once, shared by IMAP and SMTP
	pollEvery  time.Duration        // Schedule.Poll, parsed
	alertAfter time.Duration        // Notify.AlertAfter, parsed
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
	Auth         string `toml:"auth"`          // password | xoauth2 | oauthbearer
	TokenCommand string `toml:"token_command"` // prints an access token; else [oauth]
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
	Auth         string `toml:"auth"`
	TokenCommand string `toml:"token_command"`
	From         string `toml:"from"`
}

// StoreConfig says where data is kept.
type StoreConfig struct {
	Path              string `toml:"path"`
	Attachments       string `toml:"attachments"`
	Retention         string `toml:"retention"`          // "365d": all but selected participants
	RetentionSelected string `toml:"retention_selected"` // "3y"
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
	MaxPerHour          int    `toml:"max_per_hour"`
	MaxPerDomainPerHour int    `toml:"max_per_domain_per_hour"`
	TemplatesDir        string `toml:"templates_dir"`
	EmptyDigest         bool   `toml:"empty_digest"` // send the digest even when nothing is new or failing
	// Admin receives the operator alerts (default: the coordinators).
	Admin []string `toml:"admin"`
	// AlertAfter is how long a failure lasts before it is mailed.
	AlertAfter string `toml:"alert_after"`
}

// IntakeConfig tunes how mail is taken in.
type IntakeConfig struct {
	FollowUpWindowDays    int    `toml:"follow_up_window_days"`
	MaxAttachmentMB       int    `toml:"max_attachment_mb"`
	MaxAttachments        int    `toml:"max_attachments"`
	MaxFiles              int    `toml:"max_files"`
	MaxAttachmentsTotalMB int    `toml:"max_attachments_total_mb"`
	AuthservID            string `toml:"authserv_id"`
}

// HTTPConfig is the daemon's health and metrics endpoint.
type HTTPConfig struct {
	// Listen is host:port (off when empty; ":9464" means loopback only).
	Listen string `toml:"listen"`
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
		Store: StoreConfig{Path: "rse-intake.db", Retention: "365d", RetentionSelected: "3y"},
		Selection: SelectionConfig{
			Departements:      []string{"48"},
			RequireValidSiret: &yes,
		},
		Notify: NotifyConfig{MaxPerHour: 100, MaxPerDomainPerHour: 20, AlertAfter: "30m"},
		Intake: IntakeConfig{FollowUpWindowDays: 30, MaxAttachmentMB: 20, MaxAttachments: 50, MaxFiles: 50,
			MaxAttachmentsTotalMB: 100},
		Schedule: defaultSchedule(),
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
	cfg.src = string(b)
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		return nil, configErrorf("config file %s: %s", path, tomlError(err))
	}
	if err := checkSessionKeys(string(b)); err != nil {
		return nil, configErrorf("config file %s: %v", path, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		lines := keyLines(cfg.src)
		keys := make([]string, len(undec))
		for i, k := range undec {
			keys[i] = shownKey(k.String(), lines)
		}
		return nil, configErrorf("config file %s: unknown key %s", path, strings.Join(keys, ", "))
	}
	if err := cfg.finish(filepath.Dir(path)); err != nil {
		return nil, configErrorf("config file %s: %s", path, withLine(err.Error(), keyLines(cfg.src)))
	}
	return &cfg, nil
}

// finish applies environment overrides, resolves paths against the
// config file's folder and checks every value.
func (c *Config) finish(dir string) error {
	var err error
	if err := c.finishProgram(); err != nil {
		return err
	}
	if err := c.finishServers(); err != nil {
		return err
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
	if c.retention.Default, err = retentionPeriod(c.Store.Retention); err != nil {
		return fmt.Errorf("[store] retention: %v", err)
	}
	if c.retention.Selected, err = retentionPeriod(c.Store.RetentionSelected); err != nil {
		return fmt.Errorf("[store] retention_selected: %v", err)
	}
	if err := c.finishOAuth(dir); err != nil {
		return err
	}
	if c.Notify.TemplatesDir != "" {
		c.Notify.TemplatesDir = resolve(dir, c.Notify.TemplatesDir)
	}
	if c.Notify.MaxPerHour < 1 {
		return fmt.Errorf("[notify] max_per_hour must be at least 1")
	}
	if c.Notify.MaxPerDomainPerHour < 0 {
		return fmt.Errorf("[notify] max_per_domain_per_hour must be 0 (no limit) or more")
	}
	if c.Intake.FollowUpWindowDays < 0 || c.Intake.MaxAttachmentMB < 1 {
		return fmt.Errorf("[intake] follow_up_window_days must be >= 0 and max_attachment_mb >= 1")
	}
	for _, l := range []struct {
		key string
		v   int
	}{{"max_attachments", c.Intake.MaxAttachments}, {"max_files", c.Intake.MaxFiles},
		{"max_attachments_total_mb", c.Intake.MaxAttachmentsTotalMB}} {
		if l.v < 1 {
			return fmt.Errorf("[intake] %s must be at least 1", l.key)
		}
	}
	if c.Intake.AuthservID != "" && strings.ContainsAny(c.Intake.AuthservID, " ;\t\r\n") {
		return fmt.Errorf("[intake] authserv_id: one host name, e.g. \"mx.google.com\"")
	}
	if err := c.finishSchedule(); err != nil {
		return err
	}
	if err := c.finishSessions(); err != nil {
		return err
	}
	return c.finishDaemon()
}

// finishProgram checks [program] and keeps its addresses as bare
// lowercase addr-specs.
func (c *Config) finishProgram() error {
	var err error
	if c.loc, err = time.LoadLocation(c.Program.Timezone); err != nil {
		return fmt.Errorf("[program] timezone: not a time zone name such as \"Europe/Paris\"")
	}
	if c.Program.CohortSize < 1 {
		return fmt.Errorf("[program] cohort_size must be at least 1, not %d", c.Program.CohortSize)
	}
	// Addresses are kept as bare lowercase addr-specs: they are compared
	// with senders, and "Coordination <c@x>" must still match c@x.
	if c.Program.Address != "" {
		a, err := mail.ParseAddress(c.Program.Address)
		if err != nil {
			return fmt.Errorf("[program] address: not an e-mail address")
		}
		c.Program.Address = strings.ToLower(a.Address)
	}
	for i, s := range c.Program.Coordinators {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("[program] coordinators: entry %d is not an e-mail address", i+1)
		}
		c.Program.Coordinators[i] = strings.ToLower(a.Address)
	}
	for _, f := range c.Program.Required {
		if _, ok := (&applicant.Applicant{}).Field(f); !ok {
			return fmt.Errorf("[program] required: unknown field %s (one of %s)", shownWord(f), strings.Join(applicant.Fields, ", "))
		}
	}
	switch c.Program.Language {
	case "fr", "en":
	default:
		return fmt.Errorf("[program] language: must be \"fr\" or \"en\"")
	}
	return nil
}

// finishServers fills in the default ports of [imap] and [smtp] and
// checks the two servers' settings.
func (c *Config) finishServers() error {
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
	// A port out of range is a configuration error for both servers,
	// found here rather than as a connection failure (exit 1) later.
	if c.IMAP.Port < 1 || c.IMAP.Port > 65535 {
		return fmt.Errorf("[imap] port: must be between 1 and 65535")
	}
	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		return fmt.Errorf("[smtp] port: must be between 1 and 65535")
	}
	switch p := c.IMAP.Processed; {
	case p == "keep", p == "flag":
	case strings.HasPrefix(p, "move:") && len(p) > len("move:"):
	default:
		return fmt.Errorf("[imap] processed: must be \"keep\", \"flag\" or \"move:FOLDER\"")
	}
	if c.IMAP.MaxMessageMB < 1 {
		return fmt.Errorf("[imap] max_message_mb must be at least 1")
	}
	if c.IMAP.BatchSize < 1 {
		return fmt.Errorf("[imap] batch_size must be at least 1")
	}
	return nil
}

// finishDaemon checks the settings of `run`: [schedule] poll, [http],
// [notify] admin and alert_after.
func (c *Config) finishDaemon() error {
	var err error
	if c.pollEvery, err = time.ParseDuration(c.Schedule.Poll); err != nil || c.pollEvery < time.Second {
		return fmt.Errorf("[schedule] poll %q: want a duration of at least 1s, such as \"1m\"", c.Schedule.Poll)
	}
	if c.alertAfter, err = time.ParseDuration(c.Notify.AlertAfter); err != nil || c.alertAfter <= 0 {
		return fmt.Errorf("[notify] alert_after %q: want a duration such as \"30m\"", c.Notify.AlertAfter)
	}
	for i, s := range c.Notify.Admin {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("[notify] admin: %q is not an e-mail address", s)
		}
		c.Notify.Admin[i] = strings.ToLower(a.Address)
	}
	if c.HTTP.Listen != "" {
		host, port, err := net.SplitHostPort(c.HTTP.Listen)
		if err != nil || port == "" {
			return fmt.Errorf("[http] listen %q: want host:port, such as \"127.0.0.1:9464\"", c.HTTP.Listen)
		}
		if host == "" {
			// Health and metrics tell about the mailbox and the backlog:
			// other machines see them only when the host says so.
			c.HTTP.Listen = net.JoinHostPort("127.0.0.1", port)
		}
	}
	return nil
}

// admins are the recipients of the operator alerts.
func (c *Config) admins() []string {
	if len(c.Notify.Admin) > 0 {
		return c.Notify.Admin
	}
	return c.Program.Coordinators
}

func checkSecurity(section, security, host string) error {
	switch security {
	case "tls", "starttls":
		return nil
	case "none":
		// intake and notify check again when they connect (notify on the
		// address actually dialled); this check makes the mistake a
		// configuration error, exit code 2, before any work.
		if host != "" && !loopback.Is(host) {
			return fmt.Errorf("[%s] security = \"none\" is only allowed for a loopback host: use \"tls\" or \"starttls\"", section)
		}
		return nil
	}
	return fmt.Errorf("[%s] security: must be \"tls\", \"starttls\" or \"none\"", section)
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
			// The path is not shown: a password pasted into password_file
			// by mistake must not be echoed.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", fmt.Errorf("[%s] password_file: cannot be read: %v", section, err)
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
	if usesOAuth(c.IMAP.Auth) {
		return c.requireOAuth("imap", c.IMAP.TokenCommand)
	}
	var err error
	if c.IMAP.Password, err = secret("imap", c.IMAP.Password, c.IMAP.PasswordFile, "RSE_IMAP_PASSWORD", c.dir); err != nil {
		return configErrorf("config file %s: %s", c.file, c.withLine(err))
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
	if usesOAuth(c.SMTP.Auth) {
		if c.SMTP.Username == "" {
			return configErrorf("config file %s: [smtp] auth = %q needs username", c.file, c.SMTP.Auth)
		}
		return c.requireOAuth("smtp", c.SMTP.TokenCommand)
	}
	if c.SMTP.Username != "" {
		var err error
		if c.SMTP.Password, err = secret("smtp", c.SMTP.Password, c.SMTP.PasswordFile, "RSE_SMTP_PASSWORD", c.dir); err != nil {
			return configErrorf("config file %s: %s", c.file, c.withLine(err))
		}
	}
	return nil
}

// ---- Sessions and schedule ([[session]], [schedule]) ----

// SessionConfig is one [[session]] table: a meeting of the programme that
// participants are reminded of, with a calendar invitation.
type SessionConfig struct {
	ID          string   `toml:"id"`    // stable: the calendar UID is made of it
	Title       string   `toml:"title"` // SUMMARY of the event
	Kind        string   `toml:"kind"`  // launch | collective | individual
	Start       string   `toml:"start"` // RFC 3339, or "2026-12-03 18:30" in [program] timezone
	End         string   `toml:"end"`
	Location    string   `toml:"location"`
	Description string   `toml:"description"` // optional, shown in the mail and the event
	Audience    any      `toml:"audience"`    // "selected" | "shortlisted" | "applicants" | ["RSE-2026-0007", "a@b.fr"]
	Remind      []string `toml:"remind"`      // durations before the start; default ["168h", "24h"]
	Cancelled   bool     `toml:"cancelled"`   // sends a cancellation to those already reminded

	start, end time.Time
	audience   notify.Audience
	remind     []time.Duration
}

// ScheduleConfig holds the cron specs of the daemon's jobs, read in
// [program] timezone; "off" disables a job.
type ScheduleConfig struct {
	Poll      string `toml:"poll"`      // how often to poll when the server has no IDLE
	Reminders string `toml:"reminders"` // cron spec
	Digest    string `toml:"digest"`    // cron spec
}

func defaultSchedule() ScheduleConfig {
	return ScheduleConfig{Poll: "1m", Reminders: "0 9 * * *", Digest: "0 8 * * 1-5"}
}

// defaultRemind is when reminders go when a session does not say.
var defaultRemind = []string{"168h", "24h"}

// sessionKeys are the keys a [[session]] table may hold.
var sessionKeys = []string{"id", "title", "kind", "start", "end", "location", "description", "audience", "remind", "cancelled"}

// checkSessionKeys refuses an unknown key in a [[session]] table with an
// error naming the session (the generic unknown-key check cannot say
// which of the tables holds it).
func checkSessionKeys(doc string) error {
	var raw struct {
		Session []map[string]any `toml:"session"`
	}
	if _, err := toml.Decode(doc, &raw); err != nil {
		return err
	}
	for i, tbl := range raw.Session {
		for k := range tbl {
			if !slices.Contains(sessionKeys, k) {
				return fmt.Errorf("%s: unknown key %q (expected one of %s)", sessionName(tbl["id"], i), k, strings.Join(sessionKeys, ", "))
			}
		}
	}
	return nil
}

func sessionName(id any, i int) string {
	if s, ok := id.(string); ok && s != "" {
		return fmt.Sprintf("[[session]] %q", s)
	}
	return fmt.Sprintf("[[session]] number %d", i+1)
}

// finishSchedule checks the cron specs; [schedule] poll is checked with
// the daemon's settings (finishDaemon).
func (c *Config) finishSchedule() error {
	for _, j := range []struct{ key, spec string }{{"reminders", c.Schedule.Reminders}, {"digest", c.Schedule.Digest}} {
		if j.spec == "off" {
			continue
		}
		if err := notify.ParseSpec(j.spec); err != nil {
			return fmt.Errorf("[schedule] %s: %v", j.key, err)
		}
	}
	return nil
}

// sessionIDPattern is compiled on first use: its 63 repetitions take a
// millisecond to compile, which every command would pay as it starts.
var sessionIDPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
})

// finishSessions checks every [[session]]; each error names the session.
// References in an audience are checked against the store by the commands
// that use them (the store is not open here).
func (c *Config) finishSessions() error {
	seen := map[string]bool{}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		name := sessionName(s.ID, i)
		if !sessionIDPattern().MatchString(s.ID) {
			return fmt.Errorf("%s: id must be 1 to 64 letters, digits, '.', '_' or '-' (it names the calendar event)", name)
		}
		if seen[s.ID] {
			return fmt.Errorf("%s: the id is used by two sessions", name)
		}
		seen[s.ID] = true
		if strings.TrimSpace(s.Title) == "" {
			return fmt.Errorf("%s: title is missing", name)
		}
		switch s.Kind {
		case notify.SessionLaunch, notify.SessionCollective, notify.SessionIndividual:
		default:
			return fmt.Errorf("%s: kind %q: must be \"launch\", \"collective\" or \"individual\"", name, s.Kind)
		}
		var err error
		if s.start, err = parseSessionTime(s.Start, c.loc); err != nil {
			return fmt.Errorf("%s: start: %v", name, err)
		}
		if s.end, err = parseSessionTime(s.End, c.loc); err != nil {
			return fmt.Errorf("%s: end: %v", name, err)
		}
		if !s.end.After(s.start) {
			return fmt.Errorf("%s: end %s is not after start %s", name, s.End, s.Start)
		}
		if s.audience, err = parseAudience(s.Audience, c.Program.ReferencePrefix); err != nil {
			return fmt.Errorf("%s: audience: %v", name, err)
		}
		if s.Remind == nil {
			s.Remind = defaultRemind
		}
		s.remind = nil
		for _, r := range s.Remind {
			d, err := parseRemind(r)
			if err != nil {
				return fmt.Errorf("%s: remind %q: %v", name, r, err)
			}
			if slices.Contains(s.remind, d) {
				return fmt.Errorf("%s: remind %q is given twice", name, r)
			}
			s.remind = append(s.remind, d)
		}
	}
	return nil
}

// sessionLocalLayouts are the local-time forms a session time may take.
var sessionLocalLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

func parseSessionTime(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	for _, l := range sessionLocalLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write \"2026-12-03T18:30:00+01:00\" or \"2026-12-03 18:30\" (in %s)", s, loc)
}

// parseRemind reads a duration before the start: Go durations ("24h",
// "90m") and whole days ("7d").
func parseRemind(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, errors.New("not a duration (write \"168h\", \"24h\" or \"7d\")")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New("not a duration (write \"168h\", \"24h\" or \"7d\")")
		}
	}
	if d <= 0 {
		return 0, errors.New("must be a positive duration before the start")
	}
	return d, nil
}

func parseAudience(v any, prefix string) (notify.Audience, error) {
	switch a := v.(type) {
	case nil:
		return notify.Audience{}, errors.New("missing: \"selected\", \"shortlisted\", \"applicants\" or a list of references and addresses")
	case string:
		switch a {
		case notify.AudienceSelected, notify.AudienceShortlisted, notify.AudienceApplicants:
			return notify.Audience{Group: a}, nil
		}
		return notify.Audience{}, fmt.Errorf("%q: must be \"selected\", \"shortlisted\", \"applicants\" or a list of references and addresses", a)
	case []any:
		var au notify.Audience
		refPattern := regexp.MustCompile(`^(?i)` + regexp.QuoteMeta(prefix) + `-\d{4}-\d{4,}$`)
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return au, fmt.Errorf("%v is not a reference or an address", e)
			}
			s = strings.TrimSpace(s)
			switch {
			case s == notify.AudienceSelected || s == notify.AudienceShortlisted || s == notify.AudienceApplicants:
				// A group plus named people: the selected and the founders.
				if au.Group != "" && au.Group != s {
					return au, fmt.Errorf("%q and %q: one group at most in a list", au.Group, s)
				}
				au.Group = s
			case refPattern.MatchString(s):
				au.References = append(au.References, strings.ToUpper(s))
			default:
				addr, err := mail.ParseAddress(s)
				if err != nil || !strings.Contains(addr.Address, "@") {
					return au, fmt.Errorf("%q is neither a reference (%s-YYYY-NNNN) nor an e-mail address", s, prefix)
				}
				au.Addresses = append(au.Addresses, strings.ToLower(addr.Address))
			}
		}
		if au.Group == "" && len(au.References)+len(au.Addresses) == 0 {
			return au, errors.New("the list is empty")
		}
		return au, nil
	}
	return notify.Audience{}, fmt.Errorf("%v: must be a word or a list", v)
}
