//go:build tools

// This file is never built. It keeps github.com/robfig/cron/v3 pinned in
// go.mod, as the project's fixed design requires, for the scheduler of
// reminders and the digest that the next milestone adds to this package.
package notify

import _ "github.com/robfig/cron/v3"
