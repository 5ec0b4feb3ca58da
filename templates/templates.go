// Package templates holds the texts of the automatic mails, embedded in
// the binary: for each language (fr, en) and each mail kind a subject
// (KIND.subject.txt), a text part (KIND.txt, text/template) and an HTML
// part (KIND.html, html/template, drawn inside layout.html), plus
// labels.txt, the phrases used to name missing pieces and understood
// facts. A templates_dir given in the configuration replaces any of these
// files by the file at the same relative path on disk.
package templates

import "embed"

// FS holds every template file, by language folder.
//
//go:embed fr en
var FS embed.FS
